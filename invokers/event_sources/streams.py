"""Kinesis and DynamoDB stream mappings: one reader per shard, in order, with Lambda's failure handling.

Records of a shard reach the function in sequence order, one batch at a time:
a batch that fails blocks its shard and is retried (``MaximumRetryAttempts``,
-1 = until it succeeds, as Lambda's default until the record expires), split
in two first with ``BisectBatchOnFunctionError``, or resumed from the first
failed record with ``ReportBatchItemFailures``. A batch given up on is skipped
and, with an on-failure destination, described there as Lambda does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from datetime import datetime, timezone
from typing import Any

from .base import Mapping, SourceMissing, SourceNotFound
from .clients import find_resource, name_from_arn
from .filters import keep
from .models import Delivery

POLL_S = 0.05
"""Pause after an empty read of a shard (Lambda polls each shard about once a second)."""
BACKOFF_S = (0.2, 5.0)
"""First and longest pause before a failed batch is retried (doubling between)."""


def _plain(value: Any) -> Any:
    """boto3's parsed values back to Lambda's JSON: bytes as base64, times as epoch seconds."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def stream_failures(response: Any, sequences: list[str]) -> list[str] | str:
    """Sequence numbers a ``ReportBatchItemFailures`` response lists, or why the whole batch failed."""
    from .sqs import reported_failures

    return reported_failures(response, sequences)


class StreamMapping(Mapping):
    """What Kinesis and DynamoDB stream mappings share; subclasses say how to read their service."""

    service = ""
    batch_info = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream_arn = ""
        self._iterators: dict[str, str] = {}

    def describe_settings(self) -> dict[str, Any]:
        s = self.settings
        return {"batch_size": s.batch_size, "starting_position": s.starting_position,
                "bisect_on_error": s.bisect_on_error, "max_retry_attempts": s.max_retry_attempts,
                "report_batch_item_failures": s.report_batch_item_failures,
                **({"on_failure": s.on_failure} if s.on_failure else {})}

    async def setup(self) -> None:
        self.stream_arn = await self._find_stream()
        client = self.sources.clients(self.service)
        for shard in await self._shards():
            answer = await self.sources.call(client.get_shard_iterator, **self._iterator_args(shard))
            self._iterators[shard] = answer["ShardIterator"]
        self.info.settings["shards"] = len(self._iterators)

    async def _find_stream(self) -> str:
        raise NotImplementedError

    async def _shards(self) -> list[str]:
        raise NotImplementedError

    def _iterator_args(self, shard: str) -> dict[str, Any]:
        position = self.settings.starting_position
        args: dict[str, Any] = {"ShardId": shard, "ShardIteratorType": position}
        if position == "AT_TIMESTAMP":  # without a timestamp in the configuration: from the session's start
            args["Timestamp"] = datetime.now(timezone.utc)
        return args

    def record(self, shard: str, raw: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def sequence(self, record: dict[str, Any]) -> str:
        raise NotImplementedError

    async def run(self) -> None:
        await asyncio.gather(*(self._read_shard(shard, iterator) for shard, iterator in self._iterators.items()))

    async def _read_shard(self, shard: str, iterator: str | None) -> None:
        client = self.sources.clients(self.service)
        size, window = self.settings.batch_size, self.settings.batching_window_s
        while iterator:
            batch: list[dict[str, Any]] = []
            deadline = time.monotonic() + window
            while iterator and len(batch) < size:
                answer = await self.sources.call(client.get_records, ShardIterator=iterator,
                                                 Limit=size - len(batch))
                iterator = answer.get("NextShardIterator")
                self._iterators[shard] = iterator or ""
                batch += [self.record(shard, raw) for raw in answer.get("Records", [])]
                if batch and time.monotonic() >= deadline:
                    break
                if not answer.get("Records"):
                    await asyncio.sleep(POLL_S)
            wanted = [record for record in batch if keep(self.settings.filters, record)]
            if wanted:
                await self._process(shard, wanted)
        self.notice(f"shard {shard} closed")

    async def _process(self, shard: str, records: list[dict[str, Any]]) -> None:
        """Deliver ``records`` until they succeed or are given up on; later records of the shard wait."""
        pending = [records]
        while pending:
            batch = pending.pop(0)
            attempt = 0
            while True:
                delivery = await self.invoke({"Records": batch}, len(batch))
                failed_from = self._failed_from(delivery, batch)
                if failed_from is None:
                    self.tell(delivery)
                    break
                delivery.failed = [self.sequence(record) for record in batch[failed_from:]]
                if failed_from > 0:
                    delivery.notes.append(f"resumes from record {failed_from + 1} of {len(batch)}")
                    batch = batch[failed_from:]
                elif self.settings.bisect_on_error and len(batch) > 1:
                    half = len(batch) // 2
                    delivery.notes.append(f"bisected into {half} + {len(batch) - half} records")
                    self.tell(delivery)
                    pending[0:0] = [batch[:half], batch[half:]]
                    break
                attempt += 1
                limit = self.settings.max_retry_attempts
                if 0 <= limit < attempt:
                    delivery.notes.append(f"gave up after {attempt} attempts; the shard moves on")
                    self.tell(delivery)
                    await self._give_up(shard, batch, delivery, attempt)
                    break
                pause = min(BACKOFF_S[0] * 2 ** (attempt - 1), BACKOFF_S[1])
                delivery.notes.append(f"retry {attempt}" + (f" of {limit}" if limit >= 0 else "") +
                                      f" in {pause:g} s")
                self.tell(delivery)
                await asyncio.sleep(pause)

    def _failed_from(self, delivery: Delivery, batch: list[dict[str, Any]]) -> int | None:
        """None when the batch succeeded; else the index of the first record to deliver again."""
        if delivery.outcome != "ok":
            return 0
        if not self.settings.report_batch_item_failures:
            return None
        sequences = [self.sequence(record) for record in batch]
        reported = stream_failures(delivery.result.response if delivery.result else None, sequences)
        if isinstance(reported, str):
            delivery.outcome = "error"
            delivery.notes.append(f"whole batch failed: {reported}")
            return 0
        if not reported:
            return None
        delivery.outcome = "partial"
        return min(sequences.index(sequence) for sequence in reported)

    async def _give_up(self, shard: str, batch: list[dict[str, Any]], delivery: Delivery, attempts: int) -> None:
        first, last = batch[0], batch[-1]
        message = (f"records {self.sequence(first)}..{self.sequence(last)} of {shard} skipped after "
                   f"{attempts} attempts")
        target = self.settings.on_failure
        if not target:
            self.notice(message + " (no on-failure destination)", "warning")
            return
        result = delivery.result
        clients = self.sources.clients
        document = {
            "requestContext": {"requestId": result.request_id if result else "",
                               "functionArn": clients.arn("lambda", f"function:{self.function}"),
                               "condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            self.batch_info: {"shardId": shard, "startSequenceNumber": self.sequence(first),
                              "endSequenceNumber": self.sequence(last), "batchSize": len(batch),
                              "streamArn": self.stream_arn, **self._arrivals(first, last)},
        }
        try:
            where = await send_to_destination(self, target, json.dumps(document))
        except Exception as exc:  # noqa: BLE001 - the destination is the user's; say why it failed
            self.notice(f"{message}; sending the failure record to {target} failed: {exc}", "error")
            return
        self.notice(f"{message}; failure record sent to {where}", "warning")

    def _arrivals(self, first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
        return {}


async def send_to_destination(mapping: Mapping, target: str, body: str) -> str:
    """Send ``body`` to an SQS queue or SNS topic named by ARN, logical id or name; returns its name."""
    from .sqs import find_queue

    if ":sns:" in target or find_resource(mapping.sources.provisioned, target, "AWS::SNS::Topic") is not None:
        resource = find_resource(mapping.sources.provisioned, target, "AWS::SNS::Topic")
        arn = resource.arn if resource is not None else target
        await mapping.sources.call(mapping.sources.clients("sns").publish, TopicArn=arn, Message=body)
        return name_from_arn(arn)
    queue = await find_queue(mapping, target)
    await mapping.sources.call(mapping.sources.clients("sqs").send_message, QueueUrl=queue.url, MessageBody=body)
    return queue.name


class KinesisMapping(StreamMapping):
    kind = "kinesis"
    resource_type = "AWS::Kinesis::Stream"
    service = "kinesis"
    batch_info = "KinesisBatchInfo"

    def source_name(self) -> str:
        params = self.trigger.params
        return str(params.get("stream") or name_from_arn(str(params.get("stream_arn", ""))) or self.trigger.name)

    async def _find_stream(self) -> str:
        params = self.trigger.params
        name = str(params.get("stream") or params.get("stream_arn") or "")
        resource = find_resource(self.sources.provisioned, name, "AWS::Kinesis::Stream")
        if resource is not None and resource.arn:
            return resource.arn
        real = name_from_arn(name) if name.startswith("arn:") else name
        client = self.sources.clients("kinesis")
        try:
            summary = await self.sources.call(client.describe_stream_summary, StreamName=real)
        except client.exceptions.ResourceNotFoundException:
            raise SourceNotFound(f"stream {real} does not exist in the embedded AWS") from None
        return str(summary["StreamDescriptionSummary"]["StreamARN"])

    async def _shards(self) -> list[str]:
        answer = await self.sources.call(self.sources.clients("kinesis").list_shards,
                                         StreamName=name_from_arn(self.stream_arn))
        return [shard["ShardId"] for shard in answer.get("Shards", [])]

    def _iterator_args(self, shard: str) -> dict[str, Any]:
        # by name: moto's iterators made from a StreamARN lose the stream
        return {"StreamName": name_from_arn(self.stream_arn), **super()._iterator_args(shard)}

    def record(self, shard: str, raw: dict[str, Any]) -> dict[str, Any]:
        arrival = raw.get("ApproximateArrivalTimestamp")
        clients = self.sources.clients
        return {
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": raw.get("PartitionKey", ""),
                        "sequenceNumber": raw["SequenceNumber"],
                        "data": base64.b64encode(raw.get("Data", b"")).decode("ascii"),
                        "approximateArrivalTimestamp": round(arrival.timestamp(), 3) if arrival else time.time()},
            "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": f"{shard}:{raw['SequenceNumber']}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{clients.account}:role/{self.function}-role",
            "awsRegion": clients.region, "eventSourceARN": self.stream_arn}

    def sequence(self, record: dict[str, Any]) -> str:
        return str(record["kinesis"]["sequenceNumber"])

    def _arrivals(self, first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
        def iso(record: dict[str, Any]) -> str:
            moment = datetime.fromtimestamp(record["kinesis"]["approximateArrivalTimestamp"], timezone.utc)
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

        return {"approximateArrivalOfFirstRecord": iso(first), "approximateArrivalOfLastRecord": iso(last)}


class DynamoDbMapping(StreamMapping):
    kind = "dynamodb"
    resource_type = "AWS::DynamoDB::Table"
    service = "dynamodbstreams"
    batch_info = "DDBStreamBatchInfo"

    def source_name(self) -> str:
        params = self.trigger.params
        return str(params.get("table") or name_from_arn(str(params.get("stream_arn", ""))) or self.trigger.name)

    async def _find_stream(self) -> str:
        params = self.trigger.params
        name = str(params.get("table") or params.get("stream_arn") or "")
        resource = find_resource(self.sources.provisioned, name, "AWS::DynamoDB::Table")
        if resource is not None and resource.stream_arn:
            return resource.stream_arn
        real = resource.name if resource is not None else name_from_arn(name) if name.startswith("arn:") else name
        client = self.sources.clients("dynamodb")
        try:
            table = (await self.sources.call(client.describe_table, TableName=real))["Table"]
        except client.exceptions.ResourceNotFoundException:
            raise SourceNotFound(f"table {real} does not exist in the embedded AWS") from None
        arn = table.get("LatestStreamArn")
        if not arn or not (table.get("StreamSpecification") or {}).get("StreamEnabled", True):
            raise SourceMissing(f"table {real} has no stream: give it a StreamSpecification "
                                "(StreamViewType: NEW_AND_OLD_IMAGES)")
        return str(arn)

    async def _shards(self) -> list[str]:
        client = self.sources.clients("dynamodbstreams")
        answer = await self.sources.call(client.describe_stream, StreamArn=self.stream_arn)
        return [shard["ShardId"] for shard in answer["StreamDescription"].get("Shards", [])]

    def _iterator_args(self, shard: str) -> dict[str, Any]:
        args = super()._iterator_args(shard)
        if args["ShardIteratorType"] == "AT_TIMESTAMP":  # DynamoDB streams have no timestamp iterator
            args = {"ShardId": shard, "ShardIteratorType": "LATEST"}
        return {"StreamArn": self.stream_arn, **args}

    def record(self, shard: str, raw: dict[str, Any]) -> dict[str, Any]:
        change = _plain(raw.get("dynamodb", {}))
        if isinstance(change.get("ApproximateCreationDateTime"), float):
            change["ApproximateCreationDateTime"] = int(change["ApproximateCreationDateTime"])
        record = {"eventID": raw.get("eventID", ""), "eventName": raw.get("eventName", ""),
                  "eventVersion": raw.get("eventVersion", "1.1"), "eventSource": "aws:dynamodb",
                  "awsRegion": raw.get("awsRegion") or self.sources.clients.region, "dynamodb": change,
                  "eventSourceARN": self.stream_arn}
        if raw.get("userIdentity"):
            record["userIdentity"] = raw["userIdentity"]
        return record

    def sequence(self, record: dict[str, Any]) -> str:
        return str(record["dynamodb"].get("SequenceNumber", ""))

    def _arrivals(self, first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
        def iso(record: dict[str, Any]) -> str:
            moment = datetime.fromtimestamp(record["dynamodb"].get("ApproximateCreationDateTime", 0), timezone.utc)
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

        return {"approximateArrivalOfFirstRecord": iso(first), "approximateArrivalOfLastRecord": iso(last)}
