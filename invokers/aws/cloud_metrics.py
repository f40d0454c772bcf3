"""A deployed function's figures from CloudWatch metrics (``GetMetricData``): the Monitor tab, headless.

Invocations, Errors, Throttles, Duration (average, p50, p99, maximum) and
ConcurrentExecutions for the last hour, day or week, as series (one point per
period) and as totals over the whole window. Percentiles are asked for in a
request of their own: an endpoint that cannot compute them (moto) leaves them
empty with a note, and the other figures stand.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..models import FunctionSpec
from .session import Aws, AwsError, explain

WINDOWS: dict[str, tuple[int, int]] = {"hour": (3600, 60), "day": (86_400, 300), "week": (604_800, 3600)}
"""Window name -> (length in seconds, period of one point in seconds), as the Lambda console picks them."""

SERIES: tuple[tuple[str, str, str], ...] = (
    # (id, metric, statistic): one point per period
    ("invocations", "Invocations", "Sum"),
    ("errors", "Errors", "Sum"),
    ("throttles", "Throttles", "Sum"),
    ("duration_avg", "Duration", "Average"),
    ("duration_max", "Duration", "Maximum"),
    ("concurrency", "ConcurrentExecutions", "Maximum"),
)
PERCENTILES: tuple[tuple[str, str, str], ...] = (
    ("duration_p50", "Duration", "p50"),
    ("duration_p99", "Duration", "p99"),
)


@dataclass
class CloudMetrics:
    """CloudWatch's view of a deployed function over ``window`` (``hour`` | ``day`` | ``week``)."""

    function: str
    window: str
    period_s: int
    start: float
    end: float
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    """Metric id (``SERIES``/``PERCENTILES`` ids) -> (epoch seconds, value) points, oldest first."""
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    error_rate: float = 0.0
    duration_avg_ms: float | None = None
    duration_p50_ms: float | None = None
    duration_p99_ms: float | None = None
    duration_max_ms: float | None = None
    max_concurrency: float | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def queries(name: str, period: int, wanted: tuple[tuple[str, str, str], ...]) -> list[dict[str, Any]]:
    """``MetricDataQueries`` for function ``name``: one per (id, metric, statistic)."""
    return [{"Id": ident, "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric,
                   "Dimensions": [{"Name": "FunctionName", "Value": name}]},
        "Period": period, "Stat": stat}} for ident, metric, stat in wanted]


async def fetch(aws: Aws, spec: FunctionSpec, window: str = "hour", *, now: float | None = None) -> CloudMetrics:
    """The function's CloudWatch figures over the last ``window``; AwsError when CloudWatch refuses."""
    if window not in WINDOWS:
        raise ValueError(f"window {window!r}: choose one of {', '.join(WINDOWS)}")
    return await asyncio.to_thread(_fetch, aws, spec.name, window, now or time.time())


def _fetch(aws: Aws, name: str, window: str, now: float) -> CloudMetrics:
    length, period = WINDOWS[window]
    end = (int(now) // period + 1) * period  # whole periods, the current one included
    start = end - length
    found = CloudMetrics(function=name, window=window, period_s=period, start=start, end=end)
    client = aws.client("cloudwatch")
    found.series = _series(client, queries(name, period, SERIES), start, end, f"read CloudWatch metrics of {name}")
    try:  # percentiles over the whole window: one request of their own (some endpoints cannot compute them)
        overall = _series(client, queries(name, length, PERCENTILES), start, end, "read Duration percentiles")
        found.duration_p50_ms = _last(overall.get("duration_p50"))
        found.duration_p99_ms = _last(overall.get("duration_p99"))
        per_period = _series(client, queries(name, period, PERCENTILES), start, end, "read Duration percentiles")
        found.series.update(per_period)
    except AwsError as exc:
        found.notes.append(f"Duration p50/p99 unavailable: {exc}")
    totals = {ident: sum(value for _, value in found.series.get(ident, [])) for ident in ("invocations", "errors",
                                                                                      "throttles")}
    found.invocations, found.errors, found.throttles = (int(totals[k]) for k in ("invocations", "errors", "throttles"))
    found.error_rate = round(found.errors / found.invocations, 6) if found.invocations else 0.0
    found.duration_avg_ms = _weighted_average(found.series.get("duration_avg", []), found.series.get("invocations", []))
    maxima = [value for _, value in found.series.get("duration_max", [])]
    found.duration_max_ms = max(maxima) if maxima else None
    peaks = [value for _, value in found.series.get("concurrency", [])]
    found.max_concurrency = max(peaks) if peaks else None
    return found


def _series(client: Any, wanted: list[dict[str, Any]], start: int, end: int,
            action: str) -> dict[str, list[tuple[float, float]]]:
    series: dict[str, list[tuple[float, float]]] = {query["Id"]: [] for query in wanted}
    kwargs: dict[str, Any] = {"MetricDataQueries": wanted, "StartTime": datetime.fromtimestamp(start, timezone.utc),
                              "EndTime": datetime.fromtimestamp(end, timezone.utc), "ScanBy": "TimestampAscending"}
    try:
        while True:
            page = client.get_metric_data(**kwargs)
            for result in page.get("MetricDataResults", []):
                points = series.setdefault(result["Id"], [])
                points.extend((stamp.timestamp(), float(value))
                              for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []),
                                                      strict=False))
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    except Exception as exc:
        raise explain(exc, action) from exc
    for points in series.values():
        points.sort()
    return series


def _last(points: list[tuple[float, float]] | None) -> float | None:
    return points[-1][1] if points else None


def _weighted_average(averages: list[tuple[float, float]], counts: list[tuple[float, float]]) -> float | None:
    """The window's mean duration: each period's average weighted by its invocations."""
    weights = dict(counts)
    total = sum(weights.get(stamp, 0.0) for stamp, _ in averages)
    if not averages:
        return None
    if not total:
        return round(sum(value for _, value in averages) / len(averages), 3)
    return round(sum(value * weights.get(stamp, 0.0) for stamp, value in averages) / total, 3)
