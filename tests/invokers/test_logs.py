"""Log line parsing: Lambda's text formats, JSON shapes, platform lines, REPORT figures."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from invokers.logs import format_report_fields, normalise_level, parse_line, parse_report, parse_timestamp

RID = "8f507cfc-2a0c-4f4a-8d1e-6d2f3c6a1b9e"


def test_python_text_format() -> None:
    record = parse_line(f"[WARNING]\t2026-01-02T03:04:05.678Z\t{RID}\tlow disk")
    assert (record.level, record.request_id, record.message) == ("WARN", RID, "low disk")
    assert abs(record.timestamp - 1767323045.678) < 1e-3


def test_node_text_format() -> None:
    record = parse_line(f"2026-01-02T03:04:05.678Z\t{RID}\tERROR\tcannot connect")
    assert (record.level, record.request_id, record.message) == ("ERROR", RID, "cannot connect")


def test_powertools_json() -> None:
    line = json.dumps({"level": "INFO", "location": "handler:12", "message": "order placed",
                       "timestamp": "2026-01-02 03:04:05,678+0000", "service": "orders", "cold_start": True,
                       "function_request_id": RID, "xray_trace_id": "1-abc"})
    record = parse_line(line, request_id="other")
    assert record.message == "order placed" and record.level == "INFO" and record.request_id == RID
    assert record.fields["cold_start"] is True


def test_pino_numeric_level_and_non_string_message() -> None:
    record = parse_line('{"level": 50, "time": 1767323045678, "msg": {"nested": 1}}')
    assert record.level == "ERROR" and record.message == '{"nested": 1}'
    assert abs(record.timestamp - 1767323045.678) < 1e-3


def test_plain_line_keeps_request_id_and_stderr_counts_as_error() -> None:
    assert parse_line("hello", request_id=RID).request_id == RID
    assert parse_line("oops", stream="stderr").level == "ERROR"
    assert parse_line("[not json", request_id=RID).message == "[not json"


def test_platform_lines() -> None:
    start = parse_line(f"START RequestId: {RID} Version: $LATEST")
    assert start.stream == "platform" and start.request_id == RID
    timeout = parse_line(f"2026-01-02T03:04:05.678Z {RID} Task timed out after 3.07 seconds")
    assert timeout.stream == "platform" and timeout.level == "ERROR" and timeout.request_id == RID


def test_report_round_trip_cloud_order_and_status() -> None:
    line = format_report_fields(RID, 395.99, 662, 512, 301, 265.72)
    assert line.split("\t")[-1] == "Init Duration: 265.72 ms"
    assert parse_report(line) == {"request_id": RID, "duration_ms": 395.99, "billed_ms": 662, "memory_mb": 512,
                                  "max_memory_mb": 301, "init_ms": 265.72, "status": None}
    warm = parse_report(f"REPORT RequestId: {RID}\tDuration: 3.00 ms\tBilled Duration: 3 ms\t"
                        "Memory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: timeout")
    assert warm["init_ms"] is None and warm["status"] == "timeout"
    assert parse_report("START RequestId: x") is None


def test_json_platform_report_becomes_report_line() -> None:
    line = json.dumps({"time": "2026-01-02T03:04:05.678Z", "type": "platform.report", "record": {
        "requestId": RID, "metrics": {"durationMs": 12.5, "billedDurationMs": 13, "memorySizeMB": 128,
                                      "maxMemoryUsedMB": 60, "initDurationMs": 100.25}}})
    record = parse_line(line)
    assert record.stream == "platform"
    assert parse_report(record.message)["init_ms"] == 100.25


def test_level_spellings() -> None:
    assert [normalise_level(v) for v in ("warning", "Warn", "critical", 30, "bogus", None, True)] == \
        ["WARN", "WARN", "FATAL", "INFO", "", "", ""]


@given(st.text())
def test_parse_line_never_raises_on_any_text(text: str) -> None:
    record = parse_line(text, request_id=RID)
    assert isinstance(record.message, str)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda children: st.lists(children) | st.dictionaries(st.text(), children), max_leaves=20))
def test_parse_line_never_raises_on_any_json(value: object) -> None:
    parse_line(json.dumps(value))


def test_a_whole_second_stamp_does_not_sort_before_the_line_that_arrived_later_that_second() -> None:
    second = parse_timestamp("2026-11-25T14:45:21Z")
    assert second is not None
    arrived = second + 0.734  # the line arrived late in the second its logger stamped
    line = json.dumps({"level": "INFO", "message": "order received", "timestamp": "2026-11-25T14:45:21Z"})
    assert parse_line(line, timestamp=arrived).timestamp == arrived
    precise = json.dumps({"level": "INFO", "message": "m", "timestamp": "2026-11-25T14:45:21.500Z"})
    assert parse_line(precise, timestamp=arrived).timestamp == parse_timestamp("2026-11-25T14:45:21.500Z")
    old = json.dumps({"level": "INFO", "message": "m", "timestamp": "2026-11-25T14:40:00Z"})
    assert parse_line(old, timestamp=arrived).timestamp == parse_timestamp("2026-11-25T14:40:00Z")
