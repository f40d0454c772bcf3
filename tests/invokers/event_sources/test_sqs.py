"""SQS mappings against moto's server: batches, partial failures, redrive to the DLQ, FIFO order, filters."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from invokers.aws.mock import MockAws
from invokers.models import Trigger
from tests.conftest import MakeFunction

from .conftest import bodies, client, running, unique

ECHO = """
    def handler(event, context):
        return {"bodies": [r["body"] for r in event["Records"]]}
"""
# reports every message whose body starts with "bad" as failed
PARTIAL = """
    def handler(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]}
                                      for r in event["Records"] if r["body"].startswith("bad")]}
"""
FAILS = """
    def handler(event, context):
        raise RuntimeError("cannot process " + event["Records"][0]["body"])
"""


def make_queue(mock: MockAws, name: str, *, dlq_after: int = 0, visibility: int = 30, fifo: bool = False,
               ) -> tuple[str, str]:
    """A queue (and its DLQ when ``dlq_after``); returns (queue URL, DLQ URL or "")."""
    sqs = client(mock, "sqs")
    attributes: dict[str, str] = {"VisibilityTimeout": str(visibility)}
    if fifo:
        attributes.update({"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    dlq_url = ""
    if dlq_after:
        dlq_url = sqs.create_queue(QueueName=f"{name}-dlq" + (".fifo" if fifo else ""),
                                   Attributes={"FifoQueue": "true"} if fifo else {})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": dlq_after})
    url = sqs.create_queue(QueueName=name + (".fifo" if fifo else ""), Attributes=attributes)["QueueUrl"]
    return url, dlq_url


def sqs_trigger(queue: str, **params: Any) -> Trigger:
    return Trigger("sqs", "Queue", {"queue": queue, **params})


def send(mock: MockAws, url: str, *texts: str, **extra: Any) -> list[str]:
    sqs = client(mock, "sqs")
    return [sqs.send_message(QueueUrl=url, MessageBody=text, **extra)["MessageId"] for text in texts]


def count_in(mock: MockAws, url: str) -> int:
    attributes = client(mock, "sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(value) for value in attributes["Attributes"].values())


def delivered(seen: Any) -> list[str]:
    return [body for d in seen.deliveries for body in bodies(d)]


async def test_messages_reach_the_handler_as_lambdas_sqs_event_and_are_deleted(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("orders")
    url, _ = make_queue(mock, name)
    spec = make_function(ECHO, name="consumer", triggers=[sqs_trigger(name)])
    async with running(mock, spec) as (sources, seen):
        assert [(i.source, i.state) for i in sources.infos] == [(f"sqs:{name}", "running")]
        sent = await asyncio.to_thread(send, mock, url, "hello", MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "order"}})
        await seen.until(lambda s: len(s.deliveries) == 1)
        delivery = seen.deliveries[0]
        assert delivery.outcome == "ok" and delivery.function == "consumer" and delivery.source == f"sqs:{name}"
        record = delivery.event["Records"][0]
        assert record["messageId"] == sent[0] and record["body"] == "hello"
        assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
        assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == mock.region
        assert record["eventSourceARN"] == f"arn:aws:sqs:{mock.region}:123456789012:{name}"
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
        assert record["messageAttributes"] == {"kind": {"stringValue": "order", "stringListValues": [],
                                                        "binaryListValues": [], "dataType": "String"}}
        assert delivery.result is not None and delivery.result.response == {"bodies": ["hello"]}
        assert await asyncio.to_thread(count_in, mock, url) == 0  # deleted after success


async def test_batch_size_and_batching_window_gather_messages_into_one_invocation(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("window")
    url, _ = make_queue(mock, name)
    spec = make_function(ECHO, name="batcher", triggers=[sqs_trigger(name, batch_size=5, batching_window_s=30)])
    async with running(mock, spec) as (_, seen):
        for index in range(5):  # one at a time: the window waits for the batch to fill
            await asyncio.to_thread(send, mock, url, f"m{index}")
        await seen.until(lambda s: len(delivered(s)) == 5)
        assert [len(d.event["Records"]) for d in seen.deliveries] == [5]


async def test_batches_never_exceed_the_batch_size(mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("small")
    url, _ = make_queue(mock, name)
    await asyncio.to_thread(send, mock, url, *[f"m{i}" for i in range(7)])
    spec = make_function(ECHO, name="small", triggers=[sqs_trigger(name, batch_size=2)])
    async with running(mock, spec) as (_, seen):
        await seen.until(lambda s: len(delivered(s)) >= 7)
        assert all(len(d.event["Records"]) <= 2 for d in seen.deliveries)
        assert sorted(delivered(seen)) == [f"m{i}" for i in range(7)]


async def test_reported_batch_item_failures_come_back_and_go_to_the_dlq_after_max_receives(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("partial")
    url, dlq_url = make_queue(mock, name, dlq_after=2, visibility=3)
    spec = make_function(PARTIAL, name="partial", triggers=[sqs_trigger(
        name, batch_size=10, batching_window_s=1, function_response_types=["ReportBatchItemFailures"])])
    async with running(mock, spec) as (_, seen):
        good1, bad, good2 = await asyncio.to_thread(send, mock, url, "good-1", "bad-1", "good-2")
        await seen.until(lambda s: any(n.message.startswith(f"message {bad} moved to") for n in s.notices))
        first = seen.deliveries[0]
        assert first.outcome == "partial" and first.failed == [bad] and sorted(bodies(first)) == [
            "bad-1", "good-1", "good-2"]
        assert all(bodies(d) == ["bad-1"] for d in seen.deliveries[1:])  # only the failed one came back
        again = seen.deliveries[-1]
        assert again.event["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
        assert f"1 to {name}-dlq" in again.notes
        notice = next(n for n in seen.notices if bad in n.message)
        assert notice.message == f"message {bad} moved to {name}-dlq after 2 receives"
        dead = await asyncio.to_thread(client(mock, "sqs").receive_message, QueueUrl=dlq_url, WaitTimeSeconds=10)
        assert [m["Body"] for m in dead["Messages"]] == ["bad-1"]
        assert good1 and good2


async def test_a_failing_handler_gets_the_whole_batch_again_until_sqs_dead_letters_it(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("poison")
    url, dlq_url = make_queue(mock, name, dlq_after=3, visibility=1)
    spec = make_function(FAILS, name="poisoned", triggers=[sqs_trigger(name)])
    async with running(mock, spec) as (_, seen):
        [message_id] = await asyncio.to_thread(send, mock, url, "poison")
        await seen.until(lambda s: any("moved to" in n.message for n in s.notices))
        assert [d.event["Records"][0]["attributes"]["ApproximateReceiveCount"] for d in seen.deliveries] == [
            "1", "2", "3"]
        assert all(d.outcome == "error" and d.failed == [message_id] for d in seen.deliveries)
        assert seen.deliveries[0].result and seen.deliveries[0].result.error == {
            "errorMessage": "cannot process poison", "errorType": "RuntimeError",
            "stackTrace": seen.deliveries[0].result.error["stackTrace"],
            **({"requestId": seen.deliveries[0].request_id}
               if "requestId" in seen.deliveries[0].result.error else {})}
        assert [n.message for n in seen.notices] == [f"message {message_id} moved to {name}-dlq after 3 receives"]
        dead = await asyncio.to_thread(client(mock, "sqs").receive_message, QueueUrl=dlq_url, WaitTimeSeconds=10)
        assert [m["MessageId"] for m in dead["Messages"]] == [message_id]


async def test_an_invalid_batch_item_failures_answer_fails_the_whole_batch(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("invalid")
    url, _ = make_queue(mock, name, visibility=60)
    code = """
        def handler(event, context):
            return {"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]}
    """
    spec = make_function(code, name="invalid", triggers=[sqs_trigger(
        name, function_response_types=["ReportBatchItemFailures"])])
    async with running(mock, spec) as (_, seen):
        sent = await asyncio.to_thread(send, mock, url, "a")
        await seen.until(lambda s: len(s.deliveries) == 1)
        delivery = seen.deliveries[0]
        assert delivery.outcome == "error" and delivery.failed == sent
        assert "whole batch failed: itemIdentifier not-in-the-batch is not in the batch" in delivery.notes
        assert await asyncio.to_thread(count_in, mock, url) == 1  # still in the queue, invisible for now


async def test_fifo_messages_arrive_in_order_within_each_group(mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("fifo")
    url, _ = make_queue(mock, name, fifo=True)
    sqs = client(mock, "sqs")
    for index in range(6):
        for group in ("a", "b"):
            await asyncio.to_thread(sqs.send_message, QueueUrl=url, MessageBody=f"{group}{index}",
                                    MessageGroupId=group)
    spec = make_function(ECHO, name="fifo", triggers=[sqs_trigger(name + ".fifo", batch_size=2, fifo=True)])
    async with running(mock, spec) as (_, seen):
        await seen.until(lambda s: len(delivered(s)) == 12)
        for group in ("a", "b"):
            assert [b for b in delivered(seen) if b[0] == group] == [f"{group}{i}" for i in range(6)]
        record = seen.deliveries[0].event["Records"][0]
        assert record["attributes"]["MessageGroupId"] in ("a", "b") and "MessageDeduplicationId" in record["attributes"]


async def test_filter_criteria_drop_messages_the_patterns_do_not_match(
        mock: MockAws, make_function: MakeFunction) -> None:
    name = unique("filtered")
    url, _ = make_queue(mock, name)
    spec = make_function(ECHO, name="filtered", triggers=[sqs_trigger(
        name, filters=[{"body": {"kind": ["order"]}}])])
    async with running(mock, spec) as (_, seen):
        await asyncio.to_thread(send, mock, url, json.dumps({"kind": "refund"}), "plain text",
                                json.dumps({"kind": "order", "id": 7}))
        await seen.until(lambda s: len(s.deliveries) >= 1)
        for _ in range(50):  # the dropped ones are deleted, as Lambda deletes what its filters leave out
            if await asyncio.to_thread(count_in, mock, url) == 0:
                break
            await asyncio.sleep(0.1)
        assert delivered(seen) == [json.dumps({"kind": "order", "id": 7})]
        assert await asyncio.to_thread(count_in, mock, url) == 0


async def test_a_queue_created_after_the_start_is_picked_up_and_others_run_meanwhile(
        mock: MockAws, make_function: MakeFunction) -> None:
    name, later = unique("present"), unique("later")
    url, _ = make_queue(mock, name)
    spec = make_function(ECHO, name="two", triggers=[Trigger("sqs", "Later", {"queue": later}), sqs_trigger(name)])
    async with running(mock, spec) as (sources, seen):
        assert [(i.source, i.state, i.reason) for i in sources.infos] == [
            (f"sqs:{later}", "waiting",
             f"queue {later} does not exist in the embedded AWS; polling starts when it does"),
            (f"sqs:{name}", "running", "")]
        await asyncio.to_thread(send, mock, url, "still works")
        await seen.until(lambda s: delivered(s) == ["still works"])
        later_url, _ = await asyncio.to_thread(make_queue, mock, later)
        await seen.until(lambda s: any(n.message == "the source exists now; polling" for n in s.notices))
        assert sources.infos[0].state == "running"
        await asyncio.to_thread(send, mock, later_url, "late")
        await seen.until(lambda s: "late" in delivered(s))


async def test_a_poller_error_is_reported_and_the_session_goes_on(mock: MockAws, make_function: MakeFunction) -> None:
    name, other = unique("deleted"), unique("other")
    url, _ = make_queue(mock, name)
    other_url, _ = make_queue(mock, other)
    spec = make_function(ECHO, name="survivor", triggers=[sqs_trigger(name), Trigger("sqs", "Other", {
        "queue": other})])
    async with running(mock, spec) as (_, seen):
        await asyncio.to_thread(client(mock, "sqs").delete_queue, QueueUrl=url)
        await seen.until(lambda s: any(n.level == "error" and "poller error" in n.message for n in s.notices))
        await asyncio.to_thread(send, mock, other_url, "after the error")
        await seen.until(lambda s: "after the error" in delivered(s))
