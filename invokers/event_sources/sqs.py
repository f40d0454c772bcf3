"""SQS event source mappings: long polling, batching, partial failures, and SQS's own redrive to a DLQ.

As Lambda does: up to ``MaximumConcurrency`` batches in flight (five by
default), a batch is what one receive returns unless a batching window asks
to wait for more; a successful batch is deleted; on an error the whole batch
stays in the queue and comes back after the visibility timeout; with
``ReportBatchItemFailures`` only the listed messages stay. Messages received
``maxReceiveCount`` times are moved to the dead-letter queue by SQS itself
(moto implements the redrive), and the session says so.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

from .base import Mapping, SourceNotFound
from .clients import find_resource, name_from_arn
from .filters import keep

WAIT_S = 2
"""Long-poll wait: a message is received as soon as it is sent; an idle poller asks again every WAIT_S."""
_FIFO_ATTRIBUTES = ("SequenceNumber", "MessageGroupId", "MessageDeduplicationId")
_ATTRIBUTES = ("ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
               "AWSTraceHeader")


class QueueRef:
    """A queue in the embedded AWS: its name, URL, ARN and what its attributes say about retries."""

    def __init__(self, name: str, url: str, attributes: dict[str, str]) -> None:
        self.name = name
        self.url = url
        self.arn = attributes.get("QueueArn", "")
        self.visibility_timeout = int(attributes.get("VisibilityTimeout", "30"))
        self.fifo = name.endswith(".fifo")
        policy = _json_object(attributes.get("RedrivePolicy"))
        self.dlq = name_from_arn(str(policy.get("deadLetterTargetArn", ""))) if policy else ""
        self.max_receives = int(policy.get("maxReceiveCount", 0)) if policy else 0


def _json_object(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def find_queue(mapping: Mapping, name: str) -> QueueRef:
    """The queue a trigger names (logical id, name or ARN), or ``SourceMissing`` saying which."""
    resource = find_resource(mapping.sources.provisioned, name, "AWS::SQS::Queue")
    real = resource.name if resource is not None else name_from_arn(name) if name.startswith("arn:") else name
    sqs = mapping.sources.clients("sqs")
    try:
        url = resource.url if resource is not None and resource.url else \
            (await mapping.sources.call(sqs.get_queue_url, QueueName=real))["QueueUrl"]
        attributes = (await mapping.sources.call(sqs.get_queue_attributes, QueueUrl=url,
                                                 AttributeNames=["All"]))["Attributes"]
    except sqs.exceptions.QueueDoesNotExist:
        raise SourceNotFound(f"queue {real} does not exist in the embedded AWS") from None
    return QueueRef(real, url, attributes)


def sqs_record(message: dict[str, Any], arn: str, region: str) -> dict[str, Any]:
    """A received message as Lambda hands it to the function (the field names are Lambda's, not SQS's)."""
    given = message.get("Attributes") or {}
    attributes = {key: given[key] for key in (*_ATTRIBUTES, *_FIFO_ATTRIBUTES) if key in given}
    message_attributes = {}
    for key, value in (message.get("MessageAttributes") or {}).items():
        entry: dict[str, Any] = {}
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        entry.update({"stringListValues": value.get("StringListValues", []),
                      "binaryListValues": [base64.b64encode(v).decode("ascii")
                                           for v in value.get("BinaryListValues", [])],
                      "dataType": value.get("DataType", "String")})
        message_attributes[key] = entry
    record: dict[str, Any] = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                              "body": message.get("Body", ""), "attributes": attributes,
                              "messageAttributes": message_attributes}
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({"md5OfBody": message.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": arn,
                   "awsRegion": region})
    return record


def reported_failures(response: Any, ids: list[str]) -> list[str] | str:
    """The message ids a ``ReportBatchItemFailures`` response lists, or why the whole batch counts as failed.

    Lambda's rules: no response, ``{}`` or an empty/null list is complete
    success; anything else that is not a list of known ``itemIdentifier`` s is
    complete failure.
    """
    if response is None or response == {}:
        return []
    if not isinstance(response, dict):
        return "the response is not a batchItemFailures object"
    items = response.get("batchItemFailures")
    if items is None or items == []:
        return []
    if not isinstance(items, list):
        return "batchItemFailures is not a list"
    failed: list[str] = []
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier:
            return "a batchItemFailures entry has no itemIdentifier"
        if identifier not in ids:
            return f"itemIdentifier {identifier} is not in the batch"
        failed.append(identifier)
    return failed


class SqsMapping(Mapping):
    kind = "sqs"
    resource_type = "AWS::SQS::Queue"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue: QueueRef | None = None
        self.dlq_label = ""
        """The DLQ as the template names it (its logical id), else its name."""
        self._in_flight: set[asyncio.Task[None]] = set()
        self._later: list[asyncio.TimerHandle] = []

    def source_name(self) -> str:
        params = self.trigger.params
        return str(params.get("queue") or name_from_arn(str(params.get("queue_arn", ""))) or self.trigger.name)

    def describe_settings(self) -> dict[str, Any]:
        s = self.settings
        return {"batch_size": s.batch_size, "batching_window_s": s.batching_window_s,
                "report_batch_item_failures": s.report_batch_item_failures, "max_concurrency": s.max_concurrency}

    async def setup(self) -> None:
        params = self.trigger.params
        self.queue = await find_queue(self, str(params.get("queue") or params.get("queue_arn") or ""))
        if self.queue.dlq:
            dlq = find_resource(self.sources.provisioned, self.queue.dlq, "AWS::SQS::Queue")
            self.dlq_label = dlq.logical_id if dlq is not None else self.queue.dlq
            self.info.settings["dlq"] = f"{self.dlq_label} after {self.queue.max_receives} receives"
        self.info.settings["visibility_timeout_s"] = self.queue.visibility_timeout

    async def close(self) -> None:
        for handle in self._later:
            handle.cancel()
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def run(self) -> None:
        slots = asyncio.Semaphore(self.settings.max_concurrency)
        while True:
            await slots.acquire()
            try:
                messages = await self._batch()
            except BaseException:
                slots.release()
                raise
            if not messages:
                slots.release()
                continue
            task = asyncio.create_task(self._deliver(messages, slots))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _receive(self, count: int, wait: int) -> list[dict[str, Any]]:
        assert self.queue is not None
        answer = await self.sources.call(
            self.sources.clients("sqs").receive_message, QueueUrl=self.queue.url, MaxNumberOfMessages=count,
            WaitTimeSeconds=wait, AttributeNames=["All"], MessageAttributeNames=["All"])
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    async def _batch(self) -> list[dict[str, Any]]:
        """One long poll; then, with a batching window, more receives until the batch is full or the window ends."""
        size, window = self.settings.batch_size, self.settings.batching_window_s
        messages = await self._receive(min(10, size), WAIT_S)
        if not messages or window <= 0 or len(messages) >= size:
            return messages
        deadline = time.monotonic() + window
        while len(messages) < size and (left := deadline - time.monotonic()) > 0:
            more = await self._receive(min(10, size - len(messages)), 1 if left >= 1 else 0)
            if not more and left < 1:
                await asyncio.sleep(min(left, 0.05))
            messages += more
        return messages

    async def _deliver(self, messages: list[dict[str, Any]], slots: asyncio.Semaphore) -> None:
        try:
            await self._deliver_batch(messages)
        finally:
            slots.release()

    async def _deliver_batch(self, messages: list[dict[str, Any]]) -> None:
        assert self.queue is not None
        region = self.sources.clients.region
        records = [sqs_record(message, self.queue.arn, region) for message in messages]
        wanted = [record for record in records if keep(self.settings.filters, record)]
        dropped = [record for record in records if record not in wanted]
        if dropped:
            await self._delete(dropped)  # Lambda deletes the messages its filters leave out
        if not wanted:
            return
        delivery = await self.invoke({"Records": wanted}, len(wanted))
        ids = [record["messageId"] for record in wanted]
        failed: list[str]
        if delivery.outcome != "ok":
            failed = ids
        elif self.settings.report_batch_item_failures:
            reported = reported_failures(delivery.result.response if delivery.result else None, ids)
            if isinstance(reported, str):
                failed = ids
                delivery.outcome = "error"
                delivery.notes.append(f"whole batch failed: {reported}")
            else:
                failed = reported
                if failed:
                    delivery.outcome = "partial"
                    delivery.notes.append(f"{len(failed)} of {len(ids)} reported in batchItemFailures")
        else:
            failed = []
        await self._delete([record for record in wanted if record["messageId"] not in failed])
        delivery.failed = failed
        if dropped:
            delivery.notes.append(f"{len(dropped)} filtered out")
        receives = max(int(r["attributes"].get("ApproximateReceiveCount", "1")) for r in wanted)
        if receives > 1:
            delivery.notes.append(f"receive {receives}")
        if failed:
            self._retry_or_dead_letter(delivery, [r for r in wanted if r["messageId"] in failed])
        self.tell(delivery)

    def _retry_or_dead_letter(self, delivery: Any, failed: list[dict[str, Any]]) -> None:
        """Say what happens to the failed messages: back after the visibility timeout, or to the DLQ."""
        assert self.queue is not None
        queue = self.queue
        final = [r for r in failed if queue.dlq and
                 int(r["attributes"].get("ApproximateReceiveCount", "1")) >= queue.max_receives]
        if len(final) < len(failed):
            delivery.notes.append(f"{len(failed) - len(final)} back to the queue in {queue.visibility_timeout} s")
        if not final:
            return
        delivery.notes.append(f"{len(final)} to {self.dlq_label}")
        loop = asyncio.get_running_loop()
        for record in final:
            count = record["attributes"].get("ApproximateReceiveCount", "1")
            message = f"message {record['messageId']} moved to {self.dlq_label} after {count} receives"
            # SQS moves it once its visibility timeout ends and the queue is polled again; say it then
            self._later.append(loop.call_later(queue.visibility_timeout, self.notice, message, "warning"))

    async def _delete(self, records: list[dict[str, Any]]) -> None:
        assert self.queue is not None
        sqs = self.sources.clients("sqs")
        for start in range(0, len(records), 10):
            chunk = records[start:start + 10]
            answer = await self.sources.call(sqs.delete_message_batch, QueueUrl=self.queue.url, Entries=[
                {"Id": str(index), "ReceiptHandle": record["receiptHandle"]} for index, record in enumerate(chunk)])
            for failure in answer.get("Failed", []):
                self.notice(f"could not delete message {chunk[int(failure['Id'])]['messageId']}: "
                            f"{failure.get('Message') or failure.get('Code')} (it will be delivered again)",
                            "warning")
