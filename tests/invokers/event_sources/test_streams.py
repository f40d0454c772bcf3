"""Kinesis and DynamoDB stream mappings: real records, per-shard order, retries, bisect, partial failures."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from invokers.aws.mock import MockAws
from invokers.models import Trigger
from tests.conftest import MakeFunction

from .conftest import Seen, client, running, unique

# fails any batch holding a record whose data is "poison"
KINESIS = """
    import base64
    def handler(event, context):
        datas = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]
        if "poison" in datas:
            raise ValueError("poison in " + ",".join(datas))
        return {"datas": datas}
"""


def make_stream(mock: MockAws, name: str) -> str:
    kinesis = client(mock, "kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def put(mock: MockAws, stream: str, *datas: str) -> None:
    kinesis = client(mock, "kinesis")
    for data in datas:
        kinesis.put_record(StreamName=stream, Data=data.encode(), PartitionKey="p")


def datas(seen: Seen, outcome: str | None = None) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for d in seen.deliveries
            if outcome is None or d.outcome == outcome for r in d.event["Records"]]


async def test_kinesis_records_arrive_in_order_in_lambdas_shape(mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("clicks")
    arn = await asyncio.to_thread(make_stream, mock, name)
    spec = make_function(KINESIS, name="clicks", triggers=[Trigger("kinesis", "Stream", {
        "stream": name, "batch_size": 3, "starting_position": "TRIM_HORIZON"})])
    await asyncio.to_thread(put, mock, name, *[f"r{i}" for i in range(7)])
    async with running(mock, spec) as (sources, seen):
        assert sources.infos[0].state == "running" and sources.infos[0].source == f"kinesis:{name}"
        await seen.until(lambda s: len(datas(s)) == 7)
        assert datas(seen) == [f"r{i}" for i in range(7)]
        assert all(len(d.event["Records"]) <= 3 for d in seen.deliveries)
        record = seen.deliveries[0].event["Records"][0]
        assert record["eventSource"] == "aws:kinesis" and record["eventName"] == "aws:kinesis:record"
        assert record["eventSourceARN"] == arn and record["kinesis"]["partitionKey"] == "p"
        assert record["eventID"] == f"shardId-000000000000:{record['kinesis']['sequenceNumber']}"
        assert isinstance(record["kinesis"]["approximateArrivalTimestamp"], float)


async def test_latest_reads_only_what_is_written_after_the_session_starts(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("latest")
    await asyncio.to_thread(make_stream, mock, name)
    await asyncio.to_thread(put, mock, name, "before")
    spec = make_function(KINESIS, name="latest", triggers=[Trigger("kinesis", "S", {
        "stream": name, "starting_position": "LATEST"})])
    async with running(mock, spec) as (_, seen):
        await asyncio.to_thread(put, mock, name, "after")
        await seen.until(lambda s: len(datas(s)) >= 1)
        assert datas(seen) == ["after"]


async def test_bisect_on_error_isolates_the_bad_record_and_retries_are_bounded(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("bisect")
    await asyncio.to_thread(make_stream, mock, name)
    await asyncio.to_thread(put, mock, name, "a", "b", "poison", "d")
    spec = make_function(KINESIS, name="bisect", triggers=[Trigger("kinesis", "S", {
        "stream": name, "batch_size": 4, "starting_position": "TRIM_HORIZON", "bisect_on_error": True,
        "max_retry_attempts": 1})])
    async with running(mock, spec) as (_, seen):
        await seen.until(lambda s: "d" in datas(s, "ok"))
        await asyncio.to_thread(put, mock, name, "after")
        await seen.until(lambda s: "after" in datas(s, "ok"))
        sizes = [(len(d.event["Records"]), d.outcome) for d in seen.deliveries]
        # 4 fail -> [a b] ok, [poison d] fail -> [poison] fails twice (1 retry), skipped -> [d] ok
        assert sizes == [(4, "error"), (2, "ok"), (2, "error"), (1, "error"), (1, "error"), (1, "ok"), (1, "ok")]
        assert datas(seen, "ok") == ["a", "b", "d", "after"]
        assert any("skipped after 2 attempts (no on-failure destination)" in n.message for n in seen.notices)


async def test_a_failing_batch_blocks_its_shard_until_retries_run_out_then_goes_to_the_destination(
        mock: MockAws, make_function: MakeFunction) -> None:
    name, dlq = unique("blocked"), unique("stream-dlq")
    arn = await asyncio.to_thread(make_stream, mock, name)
    sqs = client(mock, "sqs")
    dlq_url = (await asyncio.to_thread(sqs.create_queue, QueueName=dlq))["QueueUrl"]
    spec = make_function(KINESIS, name="blocked", triggers=[Trigger("kinesis", "S", {
        "stream": name, "batch_size": 1, "starting_position": "TRIM_HORIZON", "max_retry_attempts": 2,
        "on_failure": f"arn:aws:sqs:{mock.region}:123456789012:{dlq}"})])
    await asyncio.to_thread(put, mock, name, "poison", "next")
    async with running(mock, spec) as (_, seen):
        await seen.until(lambda s: "next" in datas(s, "ok"))
        assert [(datas_of(d), d.outcome) for d in seen.deliveries] == [
            (["poison"], "error"), (["poison"], "error"), (["poison"], "error"), (["next"], "ok")]
        answer = await asyncio.to_thread(sqs.receive_message, QueueUrl=dlq_url, WaitTimeSeconds=10)
        document = json.loads(answer["Messages"][0]["Body"])
        assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
        assert document["requestContext"]["approximateInvokeCount"] == 3
        info = document["KinesisBatchInfo"]
        assert info["streamArn"] == arn and info["batchSize"] == 1 and info["shardId"] == "shardId-000000000000"
        assert any(f"failure record sent to {dlq}" in n.message for n in seen.notices)


def datas_of(delivery: Any) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in delivery.event["Records"]]


async def test_partial_batch_failure_resumes_from_the_first_reported_record(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("partial")
    await asyncio.to_thread(make_stream, mock, name)
    code = """
        import base64
        seen = set()
        def handler(event, context):
            failures = []
            for r in event["Records"]:
                data = base64.b64decode(r["kinesis"]["data"]).decode()
                if data == "flaky" and data not in seen:
                    seen.add(data)
                    failures.append({"itemIdentifier": r["kinesis"]["sequenceNumber"]})
            return {"batchItemFailures": failures}
    """
    spec = make_function(code, name="resume", triggers=[Trigger("kinesis", "S", {
        "stream": name, "batch_size": 10, "starting_position": "TRIM_HORIZON",
        "function_response_types": ["ReportBatchItemFailures"]})])
    await asyncio.to_thread(put, mock, name, "a", "flaky", "c")
    async with running(mock, spec) as (_, seen):
        await seen.until(lambda s: any(d.outcome == "ok" for d in s.deliveries))
        assert [(datas_of(d), d.outcome) for d in seen.deliveries] == [
            (["a", "flaky", "c"], "partial"), (["flaky", "c"], "ok")]


TABLE_CONSUMER = """
    def handler(event, context):
        return [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in event["Records"]]
"""


async def test_dynamodb_stream_records_come_from_real_table_writes(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("orders")
    dynamodb = client(mock, "dynamodb")
    table = (await asyncio.to_thread(
        dynamodb.create_table, TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}))["TableDescription"]
    spec = make_function(TABLE_CONSUMER, name="changes", triggers=[Trigger("dynamodb", "Changes", {
        "table": name, "starting_position": "LATEST", "batch_size": 10})])
    async with running(mock, spec) as (sources, seen):
        assert sources.infos[0].source == f"dynamodb:{name}"
        await asyncio.to_thread(dynamodb.put_item, TableName=name, Item={"id": {"S": "o-1"}, "n": {"N": "1"}})
        await asyncio.to_thread(dynamodb.update_item, TableName=name, Key={"id": {"S": "o-1"}},
                                UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "2"}})
        await asyncio.to_thread(dynamodb.delete_item, TableName=name, Key={"id": {"S": "o-1"}})
        await seen.until(lambda s: sum(len(d.event["Records"]) for d in s.deliveries) == 3)
        changes = [tuple(c) for d in seen.deliveries for c in d.result.response]  # type: ignore[union-attr]
        assert changes == [("INSERT", "o-1"), ("MODIFY", "o-1"), ("REMOVE", "o-1")]
        records = [r for d in seen.deliveries for r in d.event["Records"]]
        assert records[1]["dynamodb"]["OldImage"]["n"] == {"N": "1"}
        assert records[1]["dynamodb"]["NewImage"]["n"] == {"N": "2"}
        assert records[0]["eventSource"] == "aws:dynamodb" and records[0]["eventSourceARN"] == table[
            "LatestStreamArn"]
        assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], int)


async def test_a_table_without_a_stream_is_skipped_with_how_to_fix_it(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("plain")
    await asyncio.to_thread(client(mock, "dynamodb").create_table, TableName=name, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    spec = make_function(TABLE_CONSUMER, name="nostream", triggers=[Trigger("dynamodb", "C", {"table": name})])
    async with running(mock, spec) as (sources, _):
        info = sources.infos[0]
        assert info.state == "skipped" and info.reason.startswith(f"table {name} has no stream: give it a "
                                                                  "StreamSpecification")
