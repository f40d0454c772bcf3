"""Message-shaped events: SQS batches, SNS notifications, EventBridge, warm-up pings, Amazon MQ
(ActiveMQ, RabbitMQ) and Kafka (MSK, self-managed)."""

from __future__ import annotations

import hashlib
from typing import Any

from .common import Env, as_json_or_text, as_json_value, as_list, as_mapping, b64, hex_id, new_id, template


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def sqs(body: Any = "Hello from SQS!", records: int = 1, bodies: Any = None, queue: str = "my-queue",
        attributes: Any = None, env: Env | None = None) -> dict[str, Any]:
    """A batch of ``records`` messages (or one per item of ``bodies``); FIFO when the queue ends in .fifo."""
    env = env or Env()
    messages = as_list(bodies, "bodies") if bodies not in (None, "") else [body] * int(records)
    if not 1 <= len(messages) <= 10_000:
        raise ValueError(f"records: a batch holds 1 to 10,000 messages, got {len(messages)}")
    base = template("sqs")["Records"][0]
    arn = env.arn("sqs", queue)
    fifo = queue.endswith(".fifo")
    message_attributes = {k: {"stringValue": v, "stringListValues": [], "binaryListValues": [], "dataType": "String"}
                          for k, v in as_mapping(attributes, "attributes").items()}
    sent = env.epoch_ms
    out = []
    for index, message in enumerate(messages):
        text, _ = as_json_or_text(message)
        text = text or ""
        record = dict(base)
        record["attributes"] = dict(base["attributes"], SentTimestamp=str(sent + index),
                                    ApproximateFirstReceiveTimestamp=str(sent + index + 2))
        if fifo:
            record["attributes"].update({"MessageGroupId": "group-1", "MessageDeduplicationId": md5(text + str(index)),
                                         "SequenceNumber": str(18849496460467696128 + index)})
        record.update({"messageId": new_id(), "receiptHandle": "AQEB" + hex_id(60), "body": text,
                       "md5OfBody": md5(text), "messageAttributes": message_attributes, "eventSourceARN": arn,
                       "awsRegion": env.region})
        out.append(record)
    return {"Records": out}


def sns(message: Any = "Hello from SNS!", subject: str | None = "Test notification", topic: str = "my-topic",
        attributes: Any = None, env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("sns")
    record = event["Records"][0]
    topic_arn = env.arn("sns", topic)
    text, _ = as_json_or_text(message)
    record["EventSubscriptionArn"] = f"{topic_arn}:{new_id()}"
    record["Sns"].update({
        "Timestamp": env.iso, "MessageId": new_id(), "Message": text or "", "TopicArn": topic_arn,
        "Subject": subject or None,
        "MessageAttributes": {k: {"Type": "String", "Value": v}
                              for k, v in as_mapping(attributes, "attributes").items()},
        "SigningCertUrl": f"https://sns.{env.region}.amazonaws.com/SimpleNotificationService-{hex_id(32)}.pem",
        "UnsubscribeUrl": f"https://sns.{env.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                          f"{record['EventSubscriptionArn']}",
    })
    return event


def eventbridge(source: str = "com.example.orders", detail_type: str = "Order Placed", detail: Any = None,
                resources: Any = None, env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("eventbridge")
    value = as_json_value(detail, "detail") if detail not in (None, "") else {"orderId": "o-1001"}
    if not isinstance(value, dict):
        raise ValueError("detail: EventBridge detail must be a JSON object")
    event.update({"id": new_id(), "detail-type": detail_type, "source": source, "account": env.account,
                  "time": env.iso_seconds, "region": env.region,
                  "resources": [str(r) for r in as_list(resources, "resources")],
                  "detail": value})
    return event


def eventbridge_scheduled(rule: str = "my-schedule", env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    event = template("eventbridge-scheduled")
    event.update({"id": new_id(), "account": env.account, "region": env.region, "time": env.iso_seconds,
                  "resources": [env.arn("events", f"rule/{rule}")]})
    return event


def warmup(source: str = "warmup", concurrency: int | None = None, env: Env | None = None) -> dict[str, Any]:
    """The ping warm-up plugins send; handlers return early on it."""
    event = template("warmup")
    event["source"] = source
    if concurrency:
        event["concurrency"] = int(concurrency)
    return event


def mq(data: Any = "Hello from MQ!", queue: str = "my-queue", broker: str = "my-broker", records: int = 1,
       env: Env | None = None) -> dict[str, Any]:
    """Amazon MQ for ActiveMQ: messages with base64 data."""
    env = env or Env()
    event = template("mq")
    text, _ = as_json_or_text(data)
    base = event["messages"][0]
    event["eventSourceArn"] = env.arn("mq", f"broker:{broker}:b-{new_id()}")
    event["messages"] = [dict(base, messageID=f"ID:b-{hex_id(8)}-{index}", data=b64(text or ""),
                              destination={"physicalName": queue}, timestamp=env.epoch_ms,
                              brokerInTime=env.epoch_ms, brokerOutTime=env.epoch_ms + 1)
                         for index in range(int(records))]
    return event


def rabbitmq(data: Any = "Hello from RabbitMQ!", queue: str = "my-queue", virtual_host: str = "/",
             broker: str = "my-broker", env: Env | None = None) -> dict[str, Any]:
    """Amazon MQ for RabbitMQ: messages grouped by ``queue::virtual-host``."""
    env = env or Env()
    event = template("rabbitmq")
    text, _ = as_json_or_text(data)
    message = next(iter(event["rmqMessagesByQueue"].values()))[0]
    message["data"] = b64(text or "")
    message["basicProperties"]["bodySize"] = len((text or "").encode())
    event["eventSourceArn"] = env.arn("mq", f"broker:{broker}:b-{new_id()}")
    event["rmqMessagesByQueue"] = {f"{queue}::{virtual_host}": [message]}
    return event


def kafka(value: Any = "Hello from Kafka!", key: str = "key", topic: str = "my-topic", records: int = 1,
          cluster: str = "my-cluster", self_managed: bool = False, env: Env | None = None) -> dict[str, Any]:
    """MSK (``aws:kafka``) or self-managed Kafka (``SelfManagedKafka``): records by topic-partition, base64."""
    env = env or Env()
    event = template("kafka")
    text, _ = as_json_or_text(value)
    base = event["records"]["my-topic-0"][0]
    batch = [dict(base, topic=topic, offset=base["offset"] + index, timestamp=env.epoch_ms + index,
                  key=b64(key), value=b64(text or "")) for index in range(int(records))]
    event["records"] = {f"{topic}-0": batch}
    if self_managed:
        event["eventSource"] = "SelfManagedKafka"
        event.pop("eventSourceArn")
        event["bootstrapServers"] = "b1.example.com:9092,b2.example.com:9092"
    else:
        event["eventSourceArn"] = env.arn("kafka", f"cluster/{cluster}/{new_id()}")
        event["bootstrapServers"] = f"b-1.{cluster}.kafka.{env.region}.amazonaws.com:9092"
    return event
