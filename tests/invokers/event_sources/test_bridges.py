"""SNS subscriptions, S3 notifications, EventBridge rules and schedules reaching local handlers."""

from __future__ import annotations

import asyncio
import json

import pytest

from invokers.aws.mock import MockAws
from invokers.event_sources.schedule_expr import ScheduleError, parse
from invokers.models import Trigger
from tests.conftest import MakeFunction

from .conftest import client, running, unique

ECHO = """
    def handler(event, context):
        if event.get("fail") or "fail" in str(event.get("Records", [{}])[0].get("Sns", {}).get("Message", "")):
            raise RuntimeError("asked to fail")
        return event
"""


async def test_sns_publish_reaches_the_handler_with_filter_policy_applied(
        mock: MockAws, make_function: MakeFunction) -> None:
    topic = unique("alerts")
    sns = client(mock, "sns")
    arn = (await asyncio.to_thread(sns.create_topic, Name=topic))["TopicArn"]
    spec = make_function(ECHO, name="notified", triggers=[Trigger("sns", "Alerts", {
        "topic": topic, "filter_policy": {"level": ["high"]}})])
    async with running(mock, spec) as (sources, seen):
        assert sources.infos[0].state == "running"
        await asyncio.to_thread(sns.publish, TopicArn=arn, Message="ignored", MessageAttributes={
            "level": {"DataType": "String", "StringValue": "low"}})
        await asyncio.to_thread(sns.publish, TopicArn=arn, Message="wake up", Subject="Pager", MessageAttributes={
            "level": {"DataType": "String", "StringValue": "high"}})
        await seen.until(lambda s: len(s.deliveries) >= 1)
        delivery = seen.deliveries[0]
        record = delivery.event["Records"][0]
        assert delivery.source == f"sns:{topic}" and delivery.outcome == "ok"
        assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"].startswith(arn + ":")
        assert record["Sns"]["Message"] == "wake up" and record["Sns"]["Subject"] == "Pager"
        assert record["Sns"]["TopicArn"] == arn and record["Sns"]["Type"] == "Notification"
        assert record["Sns"]["MessageAttributes"]["level"] == {"Type": "String", "Value": "high"}
        assert {"SigningCertUrl", "UnsubscribeUrl", "Signature", "MessageId", "Timestamp"} <= set(record["Sns"])
        assert not any(q.startswith("svl-tui-") for q in mock.inventory()["sqs queues"])  # not the project's
    assert len(seen.deliveries) == 1
    subscriptions = await asyncio.to_thread(sns.list_subscriptions_by_topic, TopicArn=arn)
    assert subscriptions["Subscriptions"] == []  # the session's own subscription is gone with it


async def test_a_filter_policy_on_the_message_body(mock: MockAws, make_function: MakeFunction) -> None:
    topic = unique("status")
    sns = client(mock, "sns")
    arn = (await asyncio.to_thread(sns.create_topic, Name=topic))["TopicArn"]
    spec = make_function(ECHO, name="foo-only", triggers=[Trigger("sns", "T", {
        "topic": "renamed-by-serverless", "topic_arn": arn, "filter_policy": {"status": ["foo"]},
        "filter_policy_scope": "MessageBody"})])
    async with running(mock, spec) as (_, seen):
        for status in ("bar", "foo"):
            await asyncio.to_thread(sns.publish, TopicArn=arn, Message=json.dumps({"status": status}))
        await seen.until(lambda s: len(s.deliveries) >= 1)
        await asyncio.sleep(0.5)
        assert [json.loads(d.event["Records"][0]["Sns"]["Message"]) for d in seen.deliveries] == [{"status": "foo"}]


async def test_an_async_source_retries_a_failing_handler_twice_then_drops_the_event(
        mock: MockAws, make_function: MakeFunction) -> None:
    topic = unique("failing")
    sns = client(mock, "sns")
    arn = (await asyncio.to_thread(sns.create_topic, Name=topic))["TopicArn"]
    spec = make_function(ECHO, name="flaky", triggers=[Trigger("sns", "T", {"topic": topic})])
    async with running(mock, spec) as (_, seen):
        await asyncio.to_thread(sns.publish, TopicArn=arn, Message="please fail")
        await seen.until(lambda s: any("dropped" in n.message for n in s.notices))
        assert [d.outcome for d in seen.deliveries] == ["error", "error", "error"]
        assert seen.notices[-1].message == "event dropped after 3 attempts (last error: RuntimeError)"


async def test_s3_notifications_follow_event_types_and_prefix_suffix_filters(
        mock: MockAws, make_function: MakeFunction) -> None:
    bucket = unique("uploads")
    s3 = client(mock, "s3")
    await asyncio.to_thread(s3.create_bucket, Bucket=bucket)
    spec = make_function(ECHO, name="thumbnails", triggers=[Trigger("s3", "Upload", {
        "bucket": bucket, "events": ["s3:ObjectCreated:*"], "prefix": "images/", "suffix": ".jpg"})])
    async with running(mock, spec) as (_, seen):
        for key in ("images/skip.png", "docs/skip.jpg", "images/a cat.jpg"):
            await asyncio.to_thread(s3.put_object, Bucket=bucket, Key=key, Body=b"12345")
        await seen.until(lambda s: len(s.deliveries) >= 1)
        await asyncio.to_thread(s3.delete_object, Bucket=bucket, Key="images/a cat.jpg")  # not subscribed
        await asyncio.to_thread(s3.put_object, Bucket=bucket, Key="images/last.jpg", Body=b"1")
        await seen.until(lambda s: len(s.deliveries) >= 2)
        records = [d.event["Records"][0] for d in seen.deliveries]
        assert [r["s3"]["object"]["key"] for r in records] == ["images/a+cat.jpg", "images/last.jpg"]
        first = records[0]
        assert first["eventSource"] == "aws:s3" and first["eventName"] == "ObjectCreated:Put"
        assert first["s3"]["bucket"]["name"] == bucket and first["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
        assert first["s3"]["object"]["size"] == 5 and first["s3"]["configurationId"] == "Upload"
        assert {"userIdentity", "requestParameters", "responseElements"} <= set(first)
    config = await asyncio.to_thread(s3.get_bucket_notification_configuration, Bucket=bucket)
    assert not config.get("QueueConfigurations")  # the session's notification is removed with it


async def test_eventbridge_rules_deliver_what_their_pattern_matches(
        mock: MockAws, make_function: MakeFunction) -> None:
    bus = unique("orders-bus")
    events = client(mock, "events")
    await asyncio.to_thread(events.create_event_bus, Name=bus)
    pattern = {"source": ["shop.orders"], "detail": {"total": [{"numeric": [">", 100]}]}}
    spec = make_function(ECHO, name="big-orders", triggers=[Trigger("eventbridge", "BigOrders", {
        "pattern": pattern, "bus": bus, "rule": "BigOrders"})])
    async with running(mock, spec) as (_, seen):
        for total in (5, 500):
            await asyncio.to_thread(events.put_events, Entries=[{
                "Source": "shop.orders", "DetailType": "Order Placed", "Detail": json.dumps({"total": total}),
                "EventBusName": bus}])
        await seen.until(lambda s: len(s.deliveries) >= 1)
        event = seen.deliveries[0].event
        assert seen.deliveries[0].source == "eventbridge:BigOrders"
        assert event["detail"] == {"total": 500} and event["source"] == "shop.orders"
        assert event["detail-type"] == "Order Placed" and event["account"] == "123456789012"
        assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources",
                              "detail"}
    assert len(seen.deliveries) == 1


async def test_schedules_fire_on_demand_with_the_rules_event(mock: MockAws, make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="nightly", triggers=[
        Trigger("schedule", "Nightly", {"expression": "cron(0 3 * * ? *)", "rule": "Nightly"}),
        Trigger("schedule", "Broken", {"expression": "every day"})])
    async with running(mock, spec, schedules=False) as (sources, seen):
        assert [(i.state, i.reason[:30]) for i in sources.infos] == [
            ("running", ""), ("skipped", "'every day': use rate(N minute")]
        delivery = await sources.fire("nightly", "Nightly")
        assert delivery.outcome == "ok" and delivery.source == "schedule:Nightly"
        assert delivery.event["detail-type"] == "Scheduled Event" and delivery.event["source"] == "aws.events"
        assert delivery.event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/Nightly"]
        assert seen.deliveries == [delivery]
        with pytest.raises(KeyError, match="schedules: nightly/Nightly"):
            await sources.fire("nightly", "Nope")


async def test_schedules_run_on_their_rate(mock: MockAws, make_function: MakeFunction,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from invokers.event_sources import schedule_expr

    monkeypatch.setitem(schedule_expr._UNIT_S, "minute", 1)  # a minute lasts a second in this test
    spec = make_function(ECHO, name="ticker", triggers=[Trigger("schedule", "Tick", {
        "expression": "rate(1 minute)", "input": {"tick": True}})])
    async with running(mock, spec) as (_, seen):
        await seen.until(lambda s: len(s.deliveries) >= 2)
        assert all(d.event == {"tick": True} for d in seen.deliveries)


def test_schedule_expressions_compute_the_next_fire_time() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 11, 25, 15, 3, tzinfo=timezone.utc)  # a Wednesday

    def nxt(expression: str) -> str:
        return parse(expression).next_after(now).strftime("%Y-%m-%d %H:%M")

    assert nxt("rate(5 minutes)") == "2026-11-25 15:08"
    assert nxt("cron(0/15 * * * ? *)") == "2026-11-25 15:15"
    assert nxt("cron(15 10 ? * MON-FRI *)") == "2026-11-26 10:15"
    assert nxt("cron(0 8 1 * ? *)") == "2026-12-01 08:00"
    assert nxt("cron(0 0 L * ? *)") == "2026-11-30 00:00"
    assert nxt("cron(0 9 ? * 6#3 *)") == "2026-12-18 09:00"  # third Friday
    assert nxt("cron(0 9 ? * 2L *)") == "2026-11-30 09:00"  # last Monday
    assert nxt("cron(0 12 ? * 1 *)") == "2026-11-29 12:00"  # 1 is Sunday in AWS cron
    assert nxt("cron(0 0 1 1 ? 2028)") == "2028-01-01 00:00"
    for bad, why in (("cron(0 12 * * * *)", "must be '?'"), ("cron(0 12 * *)", "takes 6 fields"),
                     ("rate(0 minutes)", "at least 1"), ("cron(61 * * * ? *)", "outside 0-59"),
                     ("cron(0 0 ? * FUNDAY *)", "not a number or a name")):
        with pytest.raises(ScheduleError, match=why):
            parse(bad)
