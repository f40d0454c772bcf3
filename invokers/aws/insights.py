"""CloudWatch Logs Insights presets for a deployed function: the questions people ask of Lambda logs.

Each preset is a query over the function's log group (``/aws/lambda/<name>``);
``run`` starts it, waits for it and returns its rows, and ``to_records`` turns
them into log records for the log view (a row with a ``@message`` is parsed as
that log line, others become one line of ``field=value`` pairs).

The queries read the fields Logs Insights discovers in Lambda's REPORT lines
(``@duration``, ``@billedDuration``, ``@initDuration``, ``@maxMemoryUsed`` and
``@memorySize`` in bytes, ``@type``), as AWS's own sample queries do.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any

from ..logs import parse_line
from ..models import FunctionSpec, LogRecord
from .cloudwatch import group_name
from .session import Aws, AwsError, explain

POLL_S = 0.5
QUERY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    query: str


PRESETS: dict[str, Preset] = {preset.name: preset for preset in (
    Preset("errors", "recent errors",
           "fields @timestamp, @requestId, @message\n"
           "| filter @message like /(?i)(error|exception|task timed out|runtime exited)/\n"
           "| sort @timestamp desc\n| limit 50"),
    Preset("cold-starts", "cold starts with their init time",
           'filter @type = "REPORT" and ispresent(@initDuration)\n'
           "| fields @timestamp, @requestId, @initDuration, @duration, @maxMemoryUsed / 1000 / 1000 as maxMemoryMB\n"
           "| sort @timestamp desc\n| limit 50"),
    Preset("slowest", "slowest requests",
           'filter @type = "REPORT"\n'
           "| fields @timestamp, @requestId, @duration, @billedDuration, @maxMemoryUsed / 1000 / 1000 as maxMemoryMB\n"
           "| sort @duration desc\n| limit 20"),
    Preset("memory", "memory headroom",
           'filter @type = "REPORT"\n'
           "| stats max(@memorySize / 1000 / 1000) as provisionedMB, min(@maxMemoryUsed / 1000 / 1000) as smallestMB,"
           " avg(@maxMemoryUsed / 1000 / 1000) as avgMB, max(@maxMemoryUsed / 1000 / 1000) as maxMB,"
           " provisionedMB - maxMB as headroomMB, count(*) as invocations"),
)}


@dataclass
class InsightsResult:
    preset: str
    status: str
    rows: list[dict[str, str]]
    statistics: dict[str, float]


def preset(name: str) -> Preset:
    """The preset called ``name``; ValueError naming the choices otherwise."""
    found = PRESETS.get(name)
    if found is None:
        raise ValueError(f"no Logs Insights preset {name!r}: choose one of {', '.join(PRESETS)}")
    return found


async def run(aws: Aws, spec: FunctionSpec, name: str, *, since_s: int = 3600,
              timeout_s: float = QUERY_TIMEOUT_S) -> InsightsResult:
    """Run preset ``name`` over the last ``since_s`` seconds of the function's logs."""
    chosen = preset(name)
    client = aws.client("logs")
    end = math.ceil(time.time())  # whole seconds, rounded up: a line written this second is in the window
    group = group_name(spec)
    try:
        started = await asyncio.to_thread(client.start_query, logGroupName=group, startTime=end - since_s,
                                          endTime=end, queryString=chosen.query)
    except Exception as exc:
        raise explain(exc, f"run a Logs Insights query on {group}") from exc
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            page = await asyncio.to_thread(client.get_query_results, queryId=started["queryId"])
        except Exception as exc:
            raise explain(exc, f"read the Logs Insights results of {group}") from exc
        status = str(page.get("status", ""))
        if status not in ("Scheduled", "Running", "Unknown", ""):
            break
        if time.monotonic() > deadline:
            await asyncio.to_thread(client.stop_query, queryId=started["queryId"])
            raise AwsError("aws", f"the Logs Insights query on {group} did not finish in {timeout_s:.0f} s")
        await asyncio.sleep(POLL_S)
    if status != "Complete":
        raise AwsError("aws", f"the Logs Insights query on {group} ended {status}")
    return InsightsResult(chosen.name, status, rows_of(page), dict(page.get("statistics") or {}))


def rows_of(page: dict[str, Any]) -> list[dict[str, str]]:
    """``GetQueryResults`` rows as dicts, without Insights' internal ``@ptr``."""
    return [{cell["field"]: str(cell.get("value", "")) for cell in row if cell.get("field") != "@ptr"}
            for row in page.get("results", [])]


def to_records(rows: list[dict[str, str]]) -> list[LogRecord]:
    """Rows as log records for the log view: the log line itself when the row has one, else its fields."""
    records = []
    for row in rows:
        stamp = _timestamp(row.get("@timestamp", ""))
        if "@message" in row:
            record = parse_line(row["@message"].rstrip("\n"), timestamp=stamp)
            record.request_id = record.request_id or row.get("@requestId", "")
        else:
            text = "  ".join(f"{field.lstrip('@')}={value}" for field, value in row.items() if field != "@timestamp")
            record = LogRecord(timestamp=stamp, message=text, request_id=row.get("@requestId", ""),
                               stream="platform", fields={k.lstrip("@"): v for k, v in row.items()})
        records.append(record)
    return records


def _timestamp(value: str) -> float:
    """Insights' ``@timestamp``: ``2026-01-02 03:04:05.678`` (UTC), or epoch milliseconds (moto)."""
    if not value:
        return time.time()
    if value.isdigit():
        return int(value) / 1000
    from datetime import datetime, timezone

    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return time.time()
