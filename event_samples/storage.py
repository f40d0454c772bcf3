"""S3 event notifications."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote_plus

from .common import Env, hex_id, template


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
