"""Put something into an event source from the UI: a message, a record, an item, an object, an event.

What is sent goes through the embedded AWS like anything else, so it reaches
the handler the same way a message from ``aws --endpoint-url`` or boto3 does.
Given a Lambda event of the source's kind (the editor's SQS event, S3
notification...), its records are sent one by one: the bodies, the data, the
keys; any other text is sent as it is.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from event_samples.dynamodb_json import from_typed_item, to_typed_item

from .base import Mapping

DEFAULT_KEY = {"s3": "uploads/from-svl-tui.json", "kinesis": "svl-tui"}


@dataclass(frozen=True)
class Payload:
    """One thing to send: its body and, where the source has one, a key (partition key, object key, group)."""

    body: str
    key: str = ""


def _records(value: Any) -> list[dict[str, Any]]:
    records = value.get("Records") if isinstance(value, dict) else None
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def payloads(kind: str, text: str) -> list[Payload]:
    """What ``text`` sends to a source of ``kind``: the records of a Lambda event of that kind, else ``text``."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    records = _records(value)
    found: list[Payload] = []
    if kind == "sqs":
        found = [Payload(str(r["body"]), str((r.get("attributes") or {}).get("MessageGroupId", "")))
                 for r in records if "body" in r]
    elif kind == "kinesis":
        found = [Payload(base64.b64decode(r["kinesis"].get("data", "")).decode("utf-8", "replace"),
                         str(r["kinesis"].get("partitionKey", "")))
                 for r in records if isinstance(r.get("kinesis"), dict)]
    elif kind == "sns":
        found = [Payload(str(r["Sns"].get("Message", "")), str(r["Sns"].get("Subject") or ""))
                 for r in records if isinstance(r.get("Sns"), dict)]
    elif kind == "s3":
        found = [Payload("", unquote_plus(str(r["s3"]["object"].get("key", ""))))
                 for r in records if isinstance((r.get("s3") or {}).get("object"), dict)]
    elif kind == "dynamodb":
        found = [Payload(json.dumps(from_typed_item(r["dynamodb"].get("NewImage") or r["dynamodb"].get("Keys") or {})))
                 for r in records if isinstance(r.get("dynamodb"), dict)]
    return found or [Payload(text)]


async def send(mapping: Mapping, payload: Payload) -> str:
    """Send one payload to ``mapping`` 's source; returns what was done, as the UI says it."""
    clients, call = mapping.sources.clients, mapping.sources.call
    kind = mapping.kind
    if kind == "sqs":
        from .sqs import SqsMapping

        assert isinstance(mapping, SqsMapping) and mapping.queue is not None
        extra: dict[str, Any] = {}
        if mapping.queue.fifo:
            extra = {"MessageGroupId": payload.key or "svl-tui", "MessageDeduplicationId": uuid.uuid4().hex}
        answer = await call(clients("sqs").send_message, QueueUrl=mapping.queue.url, MessageBody=payload.body,
                            **extra)
        return f"message {answer['MessageId']} sent to {mapping.queue.name}"
    if kind == "kinesis":
        from .clients import name_from_arn
        from .streams import KinesisMapping

        assert isinstance(mapping, KinesisMapping)
        answer = await call(clients("kinesis").put_record, StreamName=name_from_arn(mapping.stream_arn),
                            Data=payload.body.encode(), PartitionKey=payload.key or DEFAULT_KEY["kinesis"])
        return f"record {answer['SequenceNumber']} put on {mapping.info.source} ({answer['ShardId']})"
    if kind == "dynamodb":
        from .clients import name_from_arn
        from .streams import DynamoDbMapping

        assert isinstance(mapping, DynamoDbMapping)
        item = json.loads(payload.body)
        if not isinstance(item, dict):
            raise ValueError("a DynamoDB item is a JSON object of attribute names to values")
        table = name_from_arn(mapping.stream_arn)
        await call(clients("dynamodb").put_item, TableName=table, Item=to_typed_item(item))
        return f"item written to {table}"
    if kind == "sns":
        from .bridges import SnsMapping

        assert isinstance(mapping, SnsMapping)
        extra = {"Subject": payload.key} if payload.key else {}
        answer = await call(clients("sns").publish, TopicArn=mapping.topic_arn, Message=payload.body, **extra)
        return f"message {answer['MessageId']} published to {mapping.info.source}"
    if kind == "s3":
        from .bridges import S3Mapping

        assert isinstance(mapping, S3Mapping)
        key = payload.key or DEFAULT_KEY["s3"]
        await call(clients("s3").put_object, Bucket=mapping.bucket, Key=key, Body=payload.body.encode())
        return f"object s3://{mapping.bucket}/{key} put"
    if kind == "eventbridge":
        from .bridges import EventBridgeMapping

        assert isinstance(mapping, EventBridgeMapping)
        entry = {**_entry(payload.body), "EventBusName": mapping.bus}
        answer = await call(clients("events").put_events, Entries=[entry])
        if answer.get("FailedEntryCount"):
            raise ValueError(f"PutEvents refused the event: {answer['Entries'][0].get('ErrorMessage')}")
        return f"event {answer['Entries'][0]['EventId']} put on bus {mapping.bus}"
    if kind == "schedule":
        from .schedules import ScheduleMapping

        assert isinstance(mapping, ScheduleMapping)
        delivery = await mapping.fire()
        return f"{mapping.info.source} fired ({delivery.outcome})"
    raise ValueError(f"cannot send to a {kind} source")


def _entry(text: str) -> dict[str, Any]:
    """A PutEvents entry: from an EventBridge event (its source, detail-type, detail), else the text as detail."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict) and "detail" in value and "source" in value:
        entry: dict[str, Any] = {"Source": str(value["source"]), "DetailType": str(value.get("detail-type", "")),
                 "Detail": json.dumps(value["detail"])}
        if isinstance(value.get("resources"), list):
            entry["Resources"] = [str(r) for r in value["resources"]]
        return entry
    detail = value if isinstance(value, dict) else {"message": text}
    return {"Source": "svl-tui", "DetailType": "Sent from svl-tui", "Detail": json.dumps(detail)}
