"""Fire one event N times, C at a time: what Lambda's scaling looks like for this function.

Cold starts, throttles, errors and the p50/p95/p99 of duration, for the CLI
(``svl-tui invoke F --repeat N --concurrency C``) and the UI alike.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .models import FunctionSpec, Result

if TYPE_CHECKING:
    from .engine import Engine

THROTTLE = "TooManyRequestsException"


@dataclass
class BurstReport:
    """The outcome of a burst; durations are those of invocations that ran (throttled ones never start)."""

    function: str
    repeat: int
    concurrency: int
    ok: int = 0
    errors: int = 0
    throttled: int = 0
    cold_starts: int = 0
    wall_ms: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_types: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..100), None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(spec: FunctionSpec, results: list[Result], concurrency: int, wall_ms: float) -> BurstReport:
    report = BurstReport(spec.name, len(results), concurrency, wall_ms=round(wall_ms, 3))
    durations: list[float] = []
    kinds: Counter[str] = Counter()
    for result in results:
        error_type = (result.error or {}).get("errorType", "") if not result.ok else ""
        if error_type == THROTTLE:
            report.throttled += 1
            continue
        durations.append(result.duration_ms)
        report.cold_starts += result.cold
        if result.ok:
            report.ok += 1
        else:
            report.errors += 1
            kinds[error_type or result.status] += 1
    report.p50_ms, report.p95_ms, report.p99_ms = (percentile(durations, p) for p in (50, 95, 99))
    report.error_types = dict(kinds)
    return report


async def burst(engine: Engine, spec: FunctionSpec, event: Any, *, repeat: int, concurrency: int,
                on_result: Callable[[Result], None] | None = None) -> BurstReport:
    """Invoke ``spec`` ``repeat`` times with at most ``concurrency`` invocations in flight."""
    if repeat < 1 or concurrency < 1:
        raise ValueError(f"--repeat and --concurrency must be at least 1 (got {repeat} and {concurrency})")
    gate = asyncio.Semaphore(concurrency)
    results: list[Result] = []

    async def one() -> None:
        async with gate:
            _records, result = await engine.invoke_collect(spec, event)
        results.append(result)
        if on_result is not None:
            on_result(result)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(repeat)))
    return summarise(spec, results, concurrency, (time.perf_counter() - started) * 1000)
