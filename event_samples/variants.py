"""Events ``sam local generate-event`` offers beyond the basic shapes: Kinesis Data Analytics preprocessing,
Firehose's log-processor records, Rekognition's S3 request, SageMaker Ground Truth's annotation consolidation."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any
from urllib.parse import quote_plus

from .common import Env, as_json_or_text, b64, hex_id, new_id, template
from .storage import s3
from .streams import kinesis_firehose

ANALYTICS_VARIANTS = ("analytics", "compressed", "dynamodb", "kpl")
FIREHOSE_VARIANTS = ("transform", "apachelog", "syslog", "cloudwatch-logs-processor", "streams-as-source")
APACHE_LINE = '64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291'
SOURCE_SEQUENCE = "49545115243490985018280067714973144582180062593244200961"  # SAM's streams-as-source sample
SYSLOG_LINE = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"


def _record_id(index: int) -> str:
    return f"4957134787196796640640963715518685021368252214292774{9122 + index:04d}"


def kinesis_analytics(data: Any = "This is a test from Kinesis Analytics", application: str = "example-application",
                      stream: str = "example-stream", variant: str = "analytics", records: int = 1,
                      env: Env | None = None) -> dict[str, Any]:
    """A Kinesis Data Analytics input-preprocessing batch: records to transform (``compressed``: gzipped data,
    ``dynamodb``: a DynamoDB-sourced JSON row, ``kpl``: records with their Kinesis stream metadata)."""
    if variant not in ANALYTICS_VARIANTS:
        raise ValueError(f"variant: one of {', '.join(ANALYTICS_VARIANTS)}, got {variant!r}")
    env = env or Env()
    text, _ = as_json_or_text(data)
    if variant == "dynamodb" and data == "This is a test from Kinesis Analytics":
        text = json.dumps({"ROWTIME_TIMESTAMP": "2017-12-15 01:09:50.000", "VEHICLEID": "5", "VEHICLECOUNT": 18})
    raw = (text or "").encode()
    payload = base64.b64encode(gzip.compress(raw, mtime=0)).decode() if variant == "compressed" else b64(raw)
    event = template("kinesis-analytics")
    event.update({"invocationId": new_id(), "applicationArn": env.arn("kinesisanalytics", f"application/{application}"),
                  "streamArn": env.arn("kinesis", f"stream/{stream}")})
    items = []
    for index in range(int(records)):
        item: dict[str, Any] = {"recordId": _record_id(index), "data": payload}
        if variant == "kpl":
            item["kinesisStreamRecordMetadata"] = {
                "shardId": "shardId-000000000001", "partitionKey": f"partitionKey-{index + 1:02d}",
                "approximateArrivalTimestamp": env.epoch_ms + index, "sequenceNumber": _record_id(index)}
        items.append(item)
    event["records"] = items
    return event


def firehose(data: Any = None, records: int = 1, stream: str = "my-stream", variant: str = "transform",
             partition_key: str = "partitionKey-03", sequence: str = SOURCE_SEQUENCE,
             env: Env | None = None) -> dict[str, Any]:
    """A Firehose transformation batch; ``apachelog`` / ``syslog`` records hold a log line,
    ``cloudwatch-logs-processor`` gzipped CloudWatch Logs subscription data, ``streams-as-source`` records
    read from a Kinesis stream (with their ``kinesisRecordMetadata``)."""
    if variant not in FIREHOSE_VARIANTS:
        raise ValueError(f"variant: one of {', '.join(FIREHOSE_VARIANTS)}, got {variant!r}")
    env = env or Env()
    default = {"apachelog": APACHE_LINE, "syslog": SYSLOG_LINE}.get(variant, "Hello, this is a test.")
    event = kinesis_firehose(default if data is None else data, records, stream, env)
    if variant == "cloudwatch-logs-processor":
        logs = {"messageType": "DATA_MESSAGE", "owner": env.account, "logGroup": "/aws/lambda/my-function",
                "logStream": "2026/01/01/[$LATEST]" + hex_id(32), "subscriptionFilters": ["firehose"],
                "logEvents": [{"id": hex_id(56), "timestamp": env.epoch_ms,
                               "message": str(data) if data is not None else "a log line"}]}
        packed = base64.b64encode(gzip.compress(json.dumps(logs).encode(), mtime=0)).decode()
        for record in event["records"]:
            record["data"] = packed
    if variant == "streams-as-source":
        event["sourceKinesisStreamArn"] = env.arn("kinesis", f"stream/{stream}")
        for record in event["records"]:
            record["kinesisRecordMetadata"] = {
                "sequenceNumber": sequence, "subsequenceNumber": "0", "partitionKey": partition_key,
                "shardId": "shardId-000000000000", "approximateArrivalTimestamp": record["approximateArrivalTimestamp"]}
    return event


def rekognition(bucket: str = "example-bucket", key: str = "images/photo.jpg", size: int = 204800,
                env: Env | None = None) -> dict[str, Any]:
    """The S3 notification that starts a Rekognition analysis: an image put into the bucket (key URL-encoded)."""
    event = s3(bucket=bucket, key=key, size=size, event_name="ObjectCreated:Put", env=env)
    record = event["Records"][0]
    record["s3"]["configurationId"] = "rekognition-image-uploaded"
    record["s3"]["object"]["key"] = quote_plus(key, safe="/")
    return event


def sagemaker_consolidation(labeling_job_name: str = "example-labeling-job", label_attribute_name: str = "category",
                            s3_output_path: str = "s3://example-bucket/output", execution_role: str = "SageMakerRole",
                            iteration_object_timestamp: str = "2026-01-01T00:00:00", env: Env | None = None
                            ) -> dict[str, Any]:
    """A Ground Truth annotation-consolidation request: where the workers' answers for one iteration are."""
    env = env or Env()
    event = template("sagemaker-annotation-consolidation")
    event.update({"labelingJobArn": env.arn("sagemaker", f"labeling-job/{labeling_job_name}"),
                  "labelAttributeName": label_attribute_name,
                  "roleArn": env.arn("iam", f"role/{execution_role}", region=False),
                  "payload": {"s3Uri": f"{s3_output_path.rstrip('/')}/{labeling_job_name}/annotations/"
                                       f"worker-response/iteration-1/{iteration_object_timestamp}.json"}})
    return event
