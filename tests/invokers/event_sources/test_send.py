"""Sending from the UI: the editor's event (or plain text) put into a source reaches the handler."""

from __future__ import annotations

import asyncio
import base64
import json

from event_samples.messaging import sqs as sqs_event
from event_samples.storage import s3 as s3_event
from invokers.aws.mock import MockAws
from invokers.event_sources.send import Payload, payloads, send
from invokers.models import Trigger
from tests.conftest import MakeFunction

from .conftest import client, running, unique

ECHO = """
    def handler(event, context):
        return event
"""


def test_payloads_take_the_records_of_an_event_of_the_sources_kind() -> None:
    event = sqs_event(bodies=["one", "two"])
    assert payloads("sqs", json.dumps(event)) == [Payload("one"), Payload("two")]
    assert payloads("s3", json.dumps(s3_event(key="in/a b.csv"))) == [Payload("", "in/a b.csv")]
    assert payloads("sqs", "just text") == [Payload("just text")]
    assert payloads("kinesis", json.dumps({"x": 1})) == [Payload('{"x": 1}')]


async def test_send_to_each_kind_of_source_reaches_the_handler(mock: MockAws, make_function: MakeFunction) -> None:
    queue, stream, table, bucket, bus = (unique(n) for n in ("q", "s", "t", "b", "bus"))
    sqs, kinesis, dynamodb = client(mock, "sqs"), client(mock, "kinesis"), client(mock, "dynamodb")
    await asyncio.to_thread(sqs.create_queue, QueueName=queue)
    await asyncio.to_thread(kinesis.create_stream, StreamName=stream, ShardCount=1)
    await asyncio.to_thread(dynamodb.create_table, TableName=table, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    await asyncio.to_thread(client(mock, "s3").create_bucket, Bucket=bucket)
    await asyncio.to_thread(client(mock, "events").create_event_bus, Name=bus)
    spec = make_function(ECHO, name="all", triggers=[
        Trigger("sqs", "Q", {"queue": queue}), Trigger("kinesis", "S", {"stream": stream}),
        Trigger("dynamodb", "T", {"table": table}), Trigger("s3", "B", {"bucket": bucket}),
        Trigger("eventbridge", "E", {"bus": bus, "pattern": {"source": ["shop"]}, "rule": "E"}),
        Trigger("schedule", "Tick", {"expression": "rate(1 day)", "rule": "Tick"})])
    async with running(mock, spec, schedules=False) as (sources, seen):
        by_kind = {m.kind: m for m in sources.mappings}
        said = [await send(by_kind["sqs"], p) for p in payloads("sqs", json.dumps(sqs_event(bodies=["a", "b"])))]
        assert all(line.startswith("message ") and line.endswith(f" sent to {queue}") for line in said)
        await send(by_kind["kinesis"], Payload("k-data", "pk"))
        await send(by_kind["dynamodb"], Payload(json.dumps({"id": "i-1", "n": 3})))
        assert await send(by_kind["s3"], Payload("{}", "in/x.json")) == f"object s3://{bucket}/in/x.json put"
        await send(by_kind["eventbridge"], Payload(json.dumps({"source": "shop", "detail-type": "Sale",
                                                               "detail": {"n": 1}})))
        assert await send(by_kind["schedule"], Payload("")) == "schedule:Tick fired (ok)"
        await seen.until(lambda s: {d.kind for d in s.deliveries} == {"sqs", "kinesis", "dynamodb", "s3",
                                                                       "eventbridge", "schedule"}
                         and sum(len(d.event["Records"]) for d in s.deliveries if d.kind == "sqs") == 2)
        first = {d.kind: d.event for d in reversed(seen.deliveries)}
        assert base64.b64decode(first["kinesis"]["Records"][0]["kinesis"]["data"]) == b"k-data"
        assert first["dynamodb"]["Records"][0]["dynamodb"]["NewImage"] == {"id": {"S": "i-1"}, "n": {"N": "3"}}
        assert first["s3"]["Records"][0]["s3"]["object"]["key"] == "in/x.json"
        assert first["eventbridge"]["detail"] == {"n": 1} and first["eventbridge"]["detail-type"] == "Sale"
