"""Stream-shaped events: Kinesis Data Streams and Firehose, DynamoDB Streams, CloudWatch Logs subscriptions."""

from __future__ import annotations

import gzip
import json
from typing import Any

from .common import Env, as_json_or_text, as_json_value, as_list, b64, new_id, template
from .dynamodb_json import to_typed_item

_SEQUENCE_BASE = 49590338271490256608559692538361571095921575989136588898


def kinesis(data: Any = "Hello, this is a test.", records: int = 1, items: Any = None, stream: str = "my-stream",
            partition_key: str = "1", env: Env | None = None) -> dict[str, Any]:
    """Records whose ``data`` is the base64 of the text (or JSON) given; sequence numbers grow."""
    env = env or Env()
    values = as_list(items, "items") if items not in (None, "") else [data] * int(records)
    base = template("kinesis")["Records"][0]
    shard = "shardId-000000000000"
    out = []
    for index, value in enumerate(values):
        text, _ = as_json_or_text(value)
        sequence = str(_SEQUENCE_BASE + index * 1024 + int(env.now) % 1000)
        record = dict(base)
        record["kinesis"] = dict(base["kinesis"], partitionKey=str(partition_key), sequenceNumber=sequence,
                                 data=b64(text or ""), approximateArrivalTimestamp=round(env.now + index / 1000, 3))
        record.update({"eventID": f"{shard}:{sequence}", "awsRegion": env.region,
                       "invokeIdentityArn": env.arn("iam", "role/lambda-kinesis-role", region=False),
                       "eventSourceARN": env.arn("kinesis", f"stream/{stream}")})
        out.append(record)
    return {"Records": out}


def dynamodb(keys: Any = None, new_image: Any = None, old_image: Any = None, event_name: str | None = None,
             table: str = "my-table", records: int = 1, env: Env | None = None) -> dict[str, Any]:
    """Stream records; images are given as plain JSON and written in DynamoDB's typed JSON.

    The event name follows the images unless given: new only = INSERT, both =
    MODIFY, old only = REMOVE.
    """
    env = env or Env()
    key_map = as_json_value(keys, "keys") if keys not in (None, "") else {"id": "o-1001"}
    new = as_json_value(new_image, "new_image") if new_image not in (None, "") else None
    old = as_json_value(old_image, "old_image") if old_image not in (None, "") else None
    if new is None and old is None:
        new = {**key_map, "status": "NEW"}
    for name, value in (("keys", key_map), ("new_image", new), ("old_image", old)):
        if value is not None and not isinstance(value, dict):
            raise ValueError(f"{name}: must be a JSON object of attribute names to values")
    name = (event_name or ("MODIFY" if new and old else "INSERT" if new else "REMOVE")).upper()
    if name not in ("INSERT", "MODIFY", "REMOVE"):
        raise ValueError(f"event_name: must be INSERT, MODIFY or REMOVE, got {event_name!r}")
    base = template("dynamodb")["Records"][0]
    stream_label = env.iso[:-1]
    out = []
    for index in range(int(records)):
        change: dict[str, Any] = {"ApproximateCreationDateTime": int(env.now), "Keys": to_typed_item(key_map),
                                  "SequenceNumber": str(100000000000000000000 + int(env.now) * 1000 + index),
                                  "StreamViewType": "NEW_AND_OLD_IMAGES"}
        if new is not None and name != "REMOVE":
            change["NewImage"] = to_typed_item({**key_map, **new})
        if old is not None and name != "INSERT":
            change["OldImage"] = to_typed_item({**key_map, **old})
        change["SizeBytes"] = len(json.dumps(change))
        record = dict(base, eventID=new_id().replace("-", ""), eventName=name, awsRegion=env.region, dynamodb=change,
                      eventSourceARN=env.arn("dynamodb", f"table/{table}/stream/{stream_label}"))
        out.append(record)
    return {"Records": out}


def cloudwatch_logs(messages: Any = None, log_group: str = "/aws/lambda/my-function",
                    log_stream: str | None = None, env: Env | None = None) -> dict[str, Any]:
    """A subscription delivery: the batch is gzipped JSON, base64-encoded in ``awslogs.data``."""
    env = env or Env()
    lines = as_list(messages, "messages") if messages not in (None, "") else ["ERROR something went wrong"]
    stream = log_stream or env.iso[:10].replace("-", "/") + "/[$LATEST]" + new_id().replace("-", "")
    payload = {
        "messageType": "DATA_MESSAGE", "owner": env.account, "logGroup": log_group, "logStream": stream,
        "subscriptionFilters": ["svl-tui-sample"],
        "logEvents": [{"id": str(36000000000000000000000000000000000000000000000000000000 + i),
                       "timestamp": env.epoch_ms + i,
                       "message": line if isinstance(line, str) else json.dumps(line)} for i, line in enumerate(lines)],
    }
    event = template("cloudwatch-logs")
    event["awslogs"]["data"] = b64(gzip.compress(json.dumps(payload).encode("utf-8")))
    return event


def kinesis_firehose(data: Any = "Hello, this is a test.", records: int = 1, stream: str = "my-stream",
                     env: Env | None = None) -> dict[str, Any]:
    """A Firehose transformation batch: each record's data base64-encoded."""
    env = env or Env()
    event = template("kinesis-firehose")
    text, _ = as_json_or_text(data)
    base = event["records"][0]
    event.update({"invocationId": new_id(), "region": env.region,
                  "deliveryStreamArn": env.arn("firehose", f"deliverystream/{stream}"),
                  "records": [dict(base, recordId=f"{base['recordId'][:-3]}{index:03d}", data=b64(text or ""),
                                   approximateArrivalTimestamp=env.epoch_ms + index)
                              for index in range(int(records))]})
    return event
