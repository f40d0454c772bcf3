"""SNS subscriptions, S3 notifications and EventBridge rules: pushed to the function, as Lambda's are.

moto cannot call a local handler, but it delivers to SQS faithfully (topic
subscriptions with filter policies, bucket notifications with prefix/suffix
filters, rule targets). So each such trigger gets a queue of its own in the
embedded AWS (``svl-tui-...``), connected to the topic, bucket or bus with the
trigger's settings, and a poller turns each message back into the event Lambda
would have received. EventBridge rules are matched by ``event_samples.patterns``
(moto's own matcher knows fewer operators).

These are asynchronous invocations: an error is retried twice (Lambda's
default), one and two seconds apart here rather than Lambda's minutes, then the
event is dropped with a notice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from event_samples import patterns
from event_samples.storage import s3 as s3_sample

from ..aws.mock import INTERNAL_PREFIX
from .base import Mapping, SourceNotFound
from .clients import find_resource, name_from_arn
from .models import Delivery

ASYNC_RETRIES = 2
IN_FLIGHT = 10


class BridgeMapping(Mapping):
    """A trigger delivered through an internal queue; subclasses connect it and shape the event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        digest = hashlib.sha1(f"{self.function}/{self.trigger.name}".encode()).hexdigest()[:10]
        self.internal = f"{INTERNAL_PREFIX}{self.kind}-{digest}"
        self.queue_url = ""
        self.queue_arn = ""
        self._in_flight: set[asyncio.Task[None]] = set()

    async def setup(self) -> None:
        if not self.queue_url:  # kept while the source does not exist yet; close() deletes it
            sqs = self.sources.clients("sqs")
            url = (await self.sources.call(sqs.create_queue, QueueName=self.internal,
                                           Attributes={"VisibilityTimeout": "30"}))["QueueUrl"]
            attributes = await self.sources.call(sqs.get_queue_attributes, QueueUrl=url,
                                                 AttributeNames=["QueueArn"])
            self.queue_url, self.queue_arn = url, attributes["Attributes"]["QueueArn"]
        await self.connect()

    async def connect(self) -> None:
        raise NotImplementedError

    async def disconnect(self) -> None:
        """Undo ``connect``."""

    def event_of(self, body: str) -> Any | None:
        """The event Lambda would receive for one message of the internal queue; None to drop it."""
        raise NotImplementedError

    async def close(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self.disconnect()
        await self._delete_queue()

    async def _delete_queue(self) -> None:
        if self.queue_url:
            await self.sources.call(self.sources.clients("sqs").delete_queue, QueueUrl=self.queue_url)

    async def run(self) -> None:
        from .sqs import WAIT_S

        sqs = self.sources.clients("sqs")
        slots = asyncio.Semaphore(IN_FLIGHT)
        while True:
            answer = await self.sources.call(sqs.receive_message, QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=WAIT_S, AttributeNames=["ApproximateReceiveCount"])
            for message in answer.get("Messages", []):
                await slots.acquire()
                task = asyncio.create_task(self._deliver(message, slots))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, message: dict[str, Any], slots: asyncio.Semaphore) -> None:
        sqs = self.sources.clients("sqs")
        try:
            event = self.event_of(message.get("Body", ""))
            if event is None:
                await self.sources.call(sqs.delete_message, QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])
                return
            delivery = await self.invoke(event, len(event.get("Records", [])) if isinstance(event, dict) and
                                         isinstance(event.get("Records"), list) else 1)
            attempt = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
            if attempt > 1:
                delivery.notes.append(f"retry {attempt - 1} of {ASYNC_RETRIES}")
            if delivery.outcome == "ok" or attempt > ASYNC_RETRIES:
                await self.sources.call(sqs.delete_message, QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])
                if delivery.outcome != "ok":
                    delivery.notes.append("dropped after Lambda's async retries")
                    self._dropped(delivery, attempt)
            else:
                await self.sources.call(sqs.change_message_visibility, QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=attempt)
                delivery.notes.append(f"retried in {attempt} s")
            self.tell(delivery)
        finally:
            slots.release()

    def _dropped(self, delivery: Delivery, attempts: int) -> None:
        error = (delivery.result.error or {}) if delivery.result else {}
        self.notice(f"event dropped after {attempts} attempts (last error: {error.get('errorType', delivery.outcome)})",
                    "warning")


class SnsMapping(BridgeMapping):
    kind = "sns"
    resource_type = "AWS::SNS::Topic"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topic_arn = ""
        self.subscription = ""

    def source_name(self) -> str:
        params = self.trigger.params
        return str(params.get("topic") or name_from_arn(str(params.get("topic_arn", ""))) or self.trigger.name)

    async def connect(self) -> None:
        params = self.trigger.params
        # the ARN first: serverless's topicName only names the subscription when arn is given
        name = str(params.get("topic_arn") or params.get("topic") or "")
        resource = find_resource(self.sources.provisioned, name, "AWS::SNS::Topic")
        arn = resource.arn if resource is not None and resource.arn else \
            name if name.startswith("arn:") else self.sources.clients.arn("sns", name)
        sns = self.sources.clients("sns")
        try:
            await self.sources.call(sns.get_topic_attributes, TopicArn=arn)
        except sns.exceptions.NotFoundException:
            raise SourceNotFound(f"topic {name_from_arn(arn)} does not exist in the embedded AWS") from None
        self.topic_arn = arn
        attributes = {"FilterPolicy": json.dumps(params["filter_policy"])} if params.get("filter_policy") else {}
        if attributes and params.get("filter_policy_scope"):
            attributes["FilterPolicyScope"] = str(params["filter_policy_scope"])
        answer = await self.sources.call(sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint=self.queue_arn,
                                         Attributes=attributes, ReturnSubscriptionArn=True)
        self.subscription = answer["SubscriptionArn"]

    async def disconnect(self) -> None:
        if self.subscription:
            await self.sources.call(self.sources.clients("sns").unsubscribe, SubscriptionArn=self.subscription)

    def event_of(self, body: str) -> Any | None:
        note = json.loads(body)
        return {"Records": [{
            "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": self.subscription,
            "Sns": {"Type": note.get("Type", "Notification"), "MessageId": note.get("MessageId", ""),
                    "TopicArn": note.get("TopicArn", self.topic_arn), "Subject": note.get("Subject"),
                    "Message": note.get("Message", ""), "Timestamp": note.get("Timestamp", ""),
                    "SignatureVersion": note.get("SignatureVersion", "1"), "Signature": note.get("Signature", ""),
                    "SigningCertUrl": note.get("SigningCertURL", ""), "UnsubscribeUrl": note.get("UnsubscribeURL", ""),
                    "MessageAttributes": note.get("MessageAttributes") or {}}}]}


class S3Mapping(BridgeMapping):
    kind = "s3"
    resource_type = "AWS::S3::Bucket"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bucket = ""

    def source_name(self) -> str:
        return str(self.trigger.params.get("bucket") or self.trigger.name)

    def describe_settings(self) -> dict[str, Any]:
        params = self.trigger.params
        return {key: params[key] for key in ("events", "prefix", "suffix") if key in params}

    async def connect(self) -> None:
        name = self.source_name()
        resource = find_resource(self.sources.provisioned, name, "AWS::S3::Bucket")
        self.bucket = resource.name if resource is not None else name
        s3 = self.sources.clients("s3")
        try:
            current = await self.sources.call(s3.get_bucket_notification_configuration, Bucket=self.bucket)
        except s3.exceptions.NoSuchBucket:
            raise SourceNotFound(f"bucket {self.bucket} does not exist in the embedded AWS") from None
        except Exception as exc:
            if "NoSuchBucket" in str(exc):
                raise SourceNotFound(f"bucket {self.bucket} does not exist in the embedded AWS") from None
            raise
        params = self.trigger.params
        rules = [{"Name": key, "Value": str(params[key])} for key in ("prefix", "suffix") if params.get(key)]
        entry: dict[str, Any] = {"Id": self.internal, "QueueArn": self.queue_arn,
                                 "Events": list(params.get("events") or ["s3:ObjectCreated:*"])}
        if rules:
            entry["Filter"] = {"Key": {"FilterRules": rules}}
        config = _notification_config(current, without=self.internal)
        config["QueueConfigurations"] = [*config.get("QueueConfigurations", []), entry]
        await self.sources.call(s3.put_bucket_notification_configuration, Bucket=self.bucket,
                                NotificationConfiguration=config)

    async def disconnect(self) -> None:
        if not self.bucket:
            return
        s3 = self.sources.clients("s3")
        current = await self.sources.call(s3.get_bucket_notification_configuration, Bucket=self.bucket)
        await self.sources.call(s3.put_bucket_notification_configuration, Bucket=self.bucket,
                                NotificationConfiguration=_notification_config(current, without=self.internal))

    def event_of(self, body: str) -> Any | None:
        sent = json.loads(body)
        if not isinstance(sent, dict) or sent.get("Event") == "s3:TestEvent" or not sent.get("Records"):
            return None
        records = []
        for given in sent["Records"]:
            obj = dict(given.get("s3", {}).get("object", {}))
            obj["key"] = quote_plus(unquote_plus(str(obj.get("key", ""))), safe="/")  # S3 keeps the slashes
            record = s3_sample(bucket=self.bucket, key="k", size=int(obj.get("size") or 0),
                               event_name=given.get("eventName", "ObjectCreated:Put"))["Records"][0]
            record.update({"awsRegion": given.get("awsRegion", record["awsRegion"]),
                           "eventTime": given.get("eventTime", record["eventTime"])})
            record["s3"]["configurationId"] = self.trigger.name
            record["s3"]["bucket"].update(given.get("s3", {}).get("bucket", {}))
            record["s3"]["object"].update(obj)  # the real key, size and eTag
            records.append(record)
        return {"Records": records}


def _notification_config(current: dict[str, Any], without: str) -> dict[str, Any]:
    """The bucket's notification configuration minus our entry, ready to put back."""
    config: dict[str, Any] = {}
    for key in ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations",
                "EventBridgeConfiguration"):
        if key in current:
            value = current[key]
            config[key] = [item for item in value if item.get("Id") != without] if isinstance(value, list) else value
    return config


class EventBridgeMapping(BridgeMapping):
    kind = "eventbridge"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bus = "default"
        self.rule = ""

    def source_name(self) -> str:
        return str(self.trigger.params.get("rule") or self.trigger.name)

    def describe_settings(self) -> dict[str, Any]:
        return {"bus": self.trigger.params.get("bus", "default"), "pattern": self.trigger.params.get("pattern", {})}

    async def connect(self) -> None:
        bus = str(self.trigger.params.get("bus") or "default")
        resource = find_resource(self.sources.provisioned, bus, "AWS::Events::EventBus")
        self.bus = resource.name if resource is not None else name_from_arn(bus) if bus.startswith("arn:") else bus
        events = self.sources.clients("events")
        # every event of the bus comes to our queue; the trigger's pattern is matched here
        try:
            await self.sources.call(events.put_rule, Name=self.internal, EventBusName=self.bus, State="ENABLED",
                                    EventPattern=json.dumps({"account": [self.sources.clients.account]}))
        except events.exceptions.ResourceNotFoundException:
            raise SourceNotFound(f"event bus {self.bus} does not exist in the embedded AWS") from None
        self.rule = self.internal
        await self.sources.call(events.put_targets, Rule=self.rule, EventBusName=self.bus,
                                Targets=[{"Id": "svl-tui", "Arn": self.queue_arn}])

    async def disconnect(self) -> None:
        if self.rule:
            events = self.sources.clients("events")
            await self.sources.call(events.remove_targets, Rule=self.rule, EventBusName=self.bus, Ids=["svl-tui"])
            await self.sources.call(events.delete_rule, Name=self.rule, EventBusName=self.bus)

    def event_of(self, body: str) -> Any | None:
        event = json.loads(body)
        if not isinstance(event, dict):
            return None
        # in EventBridge's own order; moto's target template leaves out the account (the bus's own)
        event = {"version": event.get("version", "0"), "id": event.get("id", ""),
                 "detail-type": event.get("detail-type", ""), "source": event.get("source", ""),
                 "account": event.get("account") or self.sources.clients.account, "time": event.get("time", ""),
                 "region": event.get("region") or self.sources.clients.region,
                 "resources": event.get("resources", []), "detail": event.get("detail", {})}
        pattern = self.trigger.params.get("pattern")
        try:
            if pattern and not patterns.matches(pattern, event):
                return None
        except patterns.PatternError as exc:
            self.notice(f"the rule's pattern cannot be read: {exc}", "error")
            return None
        if "input" in self.trigger.params:  # a target with Input: that constant replaces the event
            return self.trigger.params["input"]
        return event
