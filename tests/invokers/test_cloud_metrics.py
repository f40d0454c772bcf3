"""A deployed function's CloudWatch metrics and Logs Insights presets: through moto where it emulates them,
with botocore's Stubber and AWS-shaped answers where it cannot.

What moto 5 does (checked): ``GetMetricData`` answers Sum, Average and Maximum over ``PutMetricData``
points, but a percentile statistic (p50, p99) makes its serializer fail; Logs Insights runs simple
``fields | filter | sort | limit`` queries but not ``stats``. So the percentiles and the memory preset
are tested against answers shaped like AWS's.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from invokers.aws import cloud_metrics, insights
from invokers.aws.session import Aws, AwsError
from invokers.models import FunctionSpec

pytestmark = pytest.mark.usefixtures("fake_aws_env")

NOW = datetime(2026, 3, 4, 12, 30, 0, tzinfo=timezone.utc).timestamp()


def spec(name: str = "orders") -> FunctionSpec:
    return FunctionSpec(name=name, source="deployed", runtime="python3.12", handler="app.handler",
                        region="us-east-1", memory_mb=256)


def put(points: list[tuple[str, float, float]], name: str = "orders") -> None:
    """(metric, minutes ago, value) points of AWS/Lambda for function ``name``."""
    client = boto3.client("cloudwatch", region_name="us-east-1")
    for metric, minutes, value in points:
        client.put_metric_data(Namespace="AWS/Lambda", MetricData=[{
            "MetricName": metric, "Dimensions": [{"Name": "FunctionName", "Value": name}], "Value": value,
            "Timestamp": datetime.fromtimestamp(NOW, timezone.utc) - timedelta(minutes=minutes)}])


async def test_metrics_of_the_last_hour_through_moto() -> None:
    with mock_aws():
        put([("Invocations", 2, 1), ("Invocations", 2, 1), ("Invocations", 10, 1), ("Invocations", 30, 1),
             ("Errors", 10, 1), ("Throttles", 30, 1),
             ("Duration", 2, 100), ("Duration", 2, 300), ("Duration", 10, 50), ("Duration", 30, 10),
             ("ConcurrentExecutions", 2, 2), ("ConcurrentExecutions", 10, 1),
             ("Invocations", 120, 1)])  # two hours ago: outside the window
        put([("Invocations", 2, 7)], name="another")  # another function: not counted
        found = await cloud_metrics.fetch(Aws(), spec(), "hour", now=NOW)
    assert (found.window, found.period_s, found.end - found.start) == ("hour", 60, 3600)
    assert (found.invocations, found.errors, found.throttles) == (4, 1, 1)
    assert found.error_rate == 0.25
    assert [value for _, value in found.series["invocations"]] == [1, 1, 2]  # per minute, oldest first
    # per-minute averages 10, 50, 200 weighted by 1, 1, 2 invocations: (10 + 50 + 400) / 4
    assert found.duration_avg_ms == 115
    assert (found.duration_max_ms, found.max_concurrency) == (300, 2)
    # moto cannot compute percentiles: said, and the other figures stand
    assert found.duration_p50_ms is None and found.notes and "p50/p99 unavailable" in found.notes[0]


async def test_windows_pick_the_console_periods() -> None:
    with mock_aws():
        put([("Invocations", 60 * 20, 3), ("Invocations", 60 * 30, 2)])  # 20 h and 30 h ago
        day = await cloud_metrics.fetch(Aws(), spec(), "day", now=NOW)
        week = await cloud_metrics.fetch(Aws(), spec(), "week", now=NOW)
    assert (day.period_s, day.invocations) == (300, 3)
    assert (week.period_s, week.invocations) == (3600, 5)
    with pytest.raises(ValueError, match="choose one of hour, day, week"):
        await cloud_metrics.fetch(Aws(), spec(), "month")


def answer(ids: list[str], values: dict[str, list[float]], start: datetime) -> dict[str, Any]:
    return {"MetricDataResults": [
        {"Id": ident, "Label": ident, "StatusCode": "Complete", "Values": values.get(ident, []),
         "Timestamps": [start + timedelta(minutes=index) for index in range(len(values.get(ident, [])))]}
        for ident in ids]}


async def test_percentiles_are_asked_over_the_window_and_per_period() -> None:
    aws = Aws()
    client = aws.client("cloudwatch")
    start = datetime.fromtimestamp(NOW, timezone.utc) - timedelta(minutes=3)
    series_ids = [ident for ident, _, _ in cloud_metrics.SERIES]
    with Stubber(client) as stub:
        stub.add_response("get_metric_data", answer(series_ids, {"invocations": [2, 3], "duration_avg": [10, 20]},
                                                    start), {"MetricDataQueries": ANY, "StartTime": ANY,
                                                             "EndTime": ANY, "ScanBy": "TimestampAscending"})
        overall = {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampAscending"}
        stub.add_response("get_metric_data", answer(["duration_p50", "duration_p99"],
                                                    {"duration_p50": [12.5], "duration_p99": [48.25]}, start), overall)
        stub.add_response("get_metric_data", answer(["duration_p50", "duration_p99"],
                                                    {"duration_p50": [11, 14], "duration_p99": [30, 48.25]}, start),
                          overall)
        found = await cloud_metrics.fetch(aws, spec(), "hour", now=NOW)
    assert (found.duration_p50_ms, found.duration_p99_ms, found.notes) == (12.5, 48.25, [])
    assert [value for _, value in found.series["duration_p99"]] == [30, 48.25]
    assert found.duration_avg_ms == 16  # (10 x 2 + 20 x 3) / 5
    queries = cloud_metrics.queries("orders", 3600, cloud_metrics.PERCENTILES)
    assert queries[0]["MetricStat"]["Stat"] == "p50" and queries[1]["MetricStat"]["Period"] == 3600
    assert queries[0]["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "FunctionName", "Value": "orders"}]


async def test_refused_metrics_raise_an_explained_error() -> None:
    aws = Aws()
    with Stubber(aws.client("cloudwatch")) as stub:
        stub.add_client_error("get_metric_data", "AccessDenied", "not allowed")
        with pytest.raises(AwsError, match="access denied: you may not read CloudWatch metrics of orders"):
            await cloud_metrics.fetch(aws, spec(), "hour")


# ---- Logs Insights ------------------------------------------------------------------

REPORT = ("REPORT RequestId: 7b0c\tDuration: 812.30 ms\tBilled Duration: 813 ms\tMemory Size: 256 MB\t"
          "Max Memory Used: 91 MB\tInit Duration: 230.10 ms")


async def test_errors_preset_runs_through_moto_and_lands_as_log_records() -> None:
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="/aws/lambda/orders")
        logs.create_log_stream(logGroupName="/aws/lambda/orders", logStreamName="s")
        now_ms = int(time.time() * 1000)
        logs.put_log_events(logGroupName="/aws/lambda/orders", logStreamName="s", logEvents=[
            {"timestamp": now_ms - 2000, "message": "2026-03-04T12:00:00.000Z\t7b0c\tINFO\tall good"},
            {"timestamp": now_ms - 1000, "message": "[ERROR]\t2026-03-04T12:00:01.000Z\t7b0c\tValueError: bad"}])
        result = await insights.run(Aws(), spec(), "errors", since_s=600)
    assert result.status == "Complete"
    messages = [row["@message"] for row in result.rows]
    assert any("ValueError: bad" in message for message in messages)
    assert all("@ptr" not in row for row in result.rows)
    records = insights.to_records(result.rows)
    assert any(record.level == "ERROR" and record.request_id == "7b0c" for record in records)


def test_preset_queries_read_lambdas_report_fields() -> None:
    assert set(insights.PRESETS) == {"errors", "cold-starts", "slowest", "memory"}
    assert "ispresent(@initDuration)" in insights.preset("cold-starts").query
    assert "sort @duration desc" in insights.preset("slowest").query
    assert "provisionedMB - maxMB as headroomMB" in insights.preset("memory").query
    with pytest.raises(ValueError, match="choose one of errors, cold-starts, slowest, memory"):
        insights.preset("fastest")


async def test_memory_preset_with_an_aws_shaped_answer() -> None:
    aws = Aws()
    client = aws.client("logs")
    row = [{"field": "provisionedMB", "value": "256"}, {"field": "smallestMB", "value": "80"},
           {"field": "avgMB", "value": "88.5"}, {"field": "maxMB", "value": "97"},
           {"field": "headroomMB", "value": "159"}, {"field": "invocations", "value": "1204"}]
    with Stubber(client) as stub:
        stub.add_response("start_query", {"queryId": "q-1"},
                          {"logGroupName": "/aws/lambda/orders", "startTime": ANY, "endTime": ANY,
                           "queryString": insights.preset("memory").query})
        stub.add_response("get_query_results", {"status": "Running", "results": []}, {"queryId": "q-1"})
        stub.add_response("get_query_results", {"status": "Complete", "results": [row],
                                                "statistics": {"recordsMatched": 1204.0, "recordsScanned": 3612.0,
                                                               "bytesScanned": 901234.0}}, {"queryId": "q-1"})
        result = await insights.run(aws, spec(), "memory")
    assert result.rows == [{"provisionedMB": "256", "smallestMB": "80", "avgMB": "88.5", "maxMB": "97",
                            "headroomMB": "159", "invocations": "1204"}]
    assert result.statistics["recordsMatched"] == 1204
    (record,) = insights.to_records(result.rows)
    assert record.message == "provisionedMB=256  smallestMB=80  avgMB=88.5  maxMB=97  headroomMB=159  invocations=1204"
    assert record.stream == "platform" and record.fields["headroomMB"] == "159"


async def test_slowest_preset_rows_keep_their_time_and_request() -> None:
    rows = insights.rows_of({"results": [[
        {"field": "@timestamp", "value": "2026-03-04 12:00:01.250"}, {"field": "@requestId", "value": "7b0c"},
        {"field": "@duration", "value": "812.3"}, {"field": "@ptr", "value": "Cm..."}]]})
    (record,) = insights.to_records(rows)
    assert record.timestamp == datetime(2026, 3, 4, 12, 0, 1, 250000, tzinfo=timezone.utc).timestamp()
    assert (record.request_id, record.message) == ("7b0c", "requestId=7b0c  duration=812.3")
    (line,) = insights.to_records([{"@timestamp": "1772625601000", "@message": REPORT}])
    assert line.timestamp == 1772625601.0 and "Max Memory Used: 91 MB" in line.message


async def test_a_failed_query_is_an_error_that_says_so() -> None:
    aws = Aws()
    with Stubber(aws.client("logs")) as stub:
        stub.add_response("start_query", {"queryId": "q-2"})
        stub.add_response("get_query_results", {"status": "Failed", "results": []})
        with pytest.raises(AwsError, match="Logs Insights query on /aws/lambda/orders ended Failed"):
            await insights.run(aws, spec(), "slowest")
