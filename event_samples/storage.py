"""S3 events: notifications, S3 Batch Operations tasks, and S3 events delivered through EventBridge."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote_plus

from .common import Env, hex_id, new_id, template


def s3(bucket: str = "my-bucket", key: str = "uploads/report.csv", size: int = 1024,
       event_name: str = "ObjectCreated:Put", env: Env | None = None) -> dict[str, Any]:
    """One notification; the key is URL-encoded as S3 sends it (spaces become ``+``)."""
    env = env or Env()
    event = template("s3")
    record = event["Records"][0]
    etag = hashlib.md5(f"{bucket}/{key}/{size}".encode()).hexdigest()
    record.update({"awsRegion": env.region, "eventTime": env.iso, "eventName": event_name,
                   "responseElements": {"x-amz-request-id": hex_id(16).upper(), "x-amz-id-2": hex_id(60)}})
    record["s3"]["bucket"].update({"name": bucket, "arn": f"arn:aws:s3:::{bucket}"})
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "sequencer": hex_id(18).upper()}
    if event_name.startswith("ObjectCreated"):
        obj.update({"size": int(size), "eTag": etag})
    record["s3"]["object"] = obj
    return event


def s3_batch(bucket: str = "my-bucket", key: str = "uploads/report.csv", schema: str = "1.0",
             env: Env | None = None) -> dict[str, Any]:
    """An S3 Batch Operations task (schema 1.0, or 2.0 with user arguments)."""
    event = template("s3-batch")
    event.update({"invocationSchemaVersion": schema, "invocationId": hex_id(40)})
    event["job"]["id"] = new_id()
    task = event["tasks"][0]
    task.update({"taskId": hex_id(24), "s3Key": key})
    if schema == "2.0":
        event["job"]["userArguments"] = {}
        task.pop("s3BucketArn")
        task["s3Bucket"] = bucket
    elif schema == "1.0":
        task["s3BucketArn"] = f"arn:aws:s3:::{bucket}"
    else:
        raise ValueError(f"schema: 1.0 or 2.0, got {schema!r}")
    return event


def s3_eventbridge(bucket: str = "my-bucket", key: str = "uploads/report.csv", size: int = 1024,
                   detail_type: str = "Object Created", env: Env | None = None) -> dict[str, Any]:
    """An S3 notification delivered through EventBridge (the bucket's EventBridge switch)."""
    env = env or Env()
    event = template("s3-eventbridge")
    event.update({"id": new_id(), "detail-type": detail_type, "account": env.account, "time": env.iso_seconds,
                  "region": env.region, "resources": [f"arn:aws:s3:::{bucket}"]})
    detail = event["detail"]
    detail.update({"bucket": {"name": bucket}, "request-id": hex_id(16).upper(), "requester": env.account})
    detail["object"].update({"key": key, "size": int(size), "etag": hex_id(32), "sequencer": hex_id(18).upper()})
    return event
