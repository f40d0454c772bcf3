"""Figures of a function over its recorded runs: what ``svl-tui stats`` prints and the metrics view draws.

Pure functions over ``history.Recorded`` (a session's ``Result``s convert with
``from_result``), no I/O, so the same numbers come out of the CLI, the UI and
the tests. Percentiles are nearest-rank (``burst.percentile``): every figure
shown is a duration that one run really had.

Monthly figures use AWS's pricing-calculator month of 730 hours and the
on-demand prices the runs were costed at (no free tier, no Savings Plans).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from . import pricing
from .burst import THROTTLE, percentile
from .history import Recorded
from .history_format import error_type_of
from .models import Result

SECONDS_PER_MONTH = 730 * 3600
"""The month of AWS's pricing calculator (730 hours)."""

TIGHT_SHARE = 0.90
"""Peak memory at or above this share of the configured size: too tight (one larger payload and it is killed)."""
WASTEFUL_SHARE = 0.40
"""Peak memory below this share of the configured size: wasteful (paying for memory that is never used)."""
HEADROOM = 1.5
"""A suggested size leaves this much room over the peak seen..."""
STEP_MB = 64
"""...rounded up to a multiple of this."""
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10_240
MIN_RUNS_FOR_ADVICE = 5
"""Fewer runs than this: the advice is given, marked tentative."""
CPU_BOUND_MS = 100.0
"""Above this median duration a smaller size may run slower on Lambda (CPU scales with memory)."""


@dataclass
class MemoryAdvice:
    """Whether the configured memory suits what the runs used; ``verdict``: ``tight``, ``wasteful``, ``ok``
    or ``unknown`` (no memory figures)."""

    verdict: str
    configured_mb: int
    peak_mb: int
    used_share: float
    suggested_mb: int | None
    message: str
    tentative: bool = False
    monthly_saving_usd: float | None = None
    """At the projected rate, what the suggested size would save (negative: cost) a month, same durations."""


@dataclass
class Stats:
    """A function's figures over its runs (``count`` includes throttled requests, which never ran)."""

    function: str
    count: int
    ok: int
    errors: int
    throttles: int
    error_rate: float
    cold_starts: int
    cold_ratio: float
    duration_p50_ms: float | None
    duration_p95_ms: float | None
    duration_p99_ms: float | None
    duration_mean_ms: float | None
    duration_max_ms: float | None
    init_p50_ms: float | None
    init_p95_ms: float | None
    init_p99_ms: float | None
    max_memory_mb: int
    memory_mb: int
    billed_ms_total: int
    billed_ms_mean: float | None
    cost_total_usd: float
    cost_per_invocation_usd: float | None
    cost_per_million_usd: float | None
    first_at: float | None
    last_at: float | None
    error_types: dict[str, int] = field(default_factory=dict)
    advice: MemoryAdvice | None = None
    projection: Projection | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Projection:
    """The monthly bill at a request rate, from the mean cost of the recorded runs."""

    rate_per_second: float
    requests_per_month: float
    cost_per_month_usd: float
    request_fees_usd: float
    compute_usd: float


@dataclass
class Bucket:
    """One slice of time for the charts: how many runs, how many failed, how many were cold."""

    start: float
    end: float
    count: int = 0
    errors: int = 0
    cold: int = 0


def from_result(result: Result, *, source: str = "local") -> Recorded:
    """A session's Result as a Recorded run (what the UI holds before its history is read back)."""
    return Recorded(function=result.function, request_id=result.request_id, timestamp=result.started_at,
                    status=result.status, cold=result.cold, init_ms=result.init_ms, duration_ms=result.duration_ms,
                    billed_ms=result.billed_ms, max_memory_mb=result.max_memory_mb, memory_mb=result.memory_mb,
                    cost=result.cost_usd, source=source, response=result.response, error=result.error,
                    error_type=error_type_of(result.status, result.error))


def error_type(run: Recorded) -> str:
    """The run's error type (``errorType``, else its status); empty for a success."""
    return run.error_type or error_type_of(run.status, run.error)


def compute(runs: list[Recorded], *, function: str = "", memory_mb: int | None = None,
            rate_per_second: float | None = None) -> Stats:
    """The figures of ``runs``; ``memory_mb`` is the configured size (default: the newest run's), and
    ``rate_per_second`` adds a monthly projection (and the advice's monthly saving)."""
    failed = [run for run in runs if run.status != "ok"]  # one pass each, no per-run calls: 10,000 runs in ms
    throttled = {id(run) for run in failed if error_type(run) == THROTTLE}
    ran = [run for run in runs if id(run) not in throttled] if throttled else runs
    durations = [run.duration_ms for run in ran]
    inits = [run.init_ms for run in ran if run.cold and run.init_ms is not None]
    kinds = Counter(error_type(run) for run in failed if id(run) not in throttled)
    count = len(runs)
    ok = len(ran) - sum(kinds.values())
    cold = sum(1 for run in ran if run.cold)
    billed = sum(run.billed_ms for run in ran)
    cost = sum(run.cost for run in ran)  # Lambda bills no throttled request
    configured = memory_mb if memory_mb is not None else (runs[-1].memory_mb if runs else 0)
    stamps = [run.timestamp for run in runs]
    stats = Stats(
        function=function or (runs[0].function if runs else ""), count=count, ok=ok, errors=len(ran) - ok,
        throttles=count - len(ran), error_rate=_share(count - ok, count), cold_starts=cold,
        cold_ratio=_share(cold, len(ran)),
        duration_p50_ms=percentile(durations, 50), duration_p95_ms=percentile(durations, 95),
        duration_p99_ms=percentile(durations, 99),
        duration_mean_ms=round(sum(durations) / len(durations), 3) if durations else None,
        duration_max_ms=max(durations) if durations else None,
        init_p50_ms=percentile(inits, 50), init_p95_ms=percentile(inits, 95), init_p99_ms=percentile(inits, 99),
        max_memory_mb=max((run.max_memory_mb for run in ran), default=0), memory_mb=configured,
        billed_ms_total=billed, billed_ms_mean=round(billed / len(ran), 3) if ran else None,
        cost_total_usd=cost, cost_per_invocation_usd=cost / len(ran) if ran else None,
        cost_per_million_usd=cost / len(ran) * 1_000_000 if ran else None,
        first_at=min(stamps, default=None), last_at=max(stamps, default=None),
        error_types=dict(kinds.most_common()))
    if rate_per_second is not None and stats.cost_per_invocation_usd is not None:
        stats.projection = project(stats, rate_per_second, runs)
    stats.advice = advise(stats, runs)
    return stats


def project(stats: Stats, rate_per_second: float, runs: list[Recorded]) -> Projection:
    """The month at ``rate_per_second``: the mean cost of a run times the requests, split into request fees
    (the recorded runs' own fee per request) and compute."""
    requests = rate_per_second * SECONDS_PER_MONTH
    per_request = stats.cost_per_invocation_usd or 0.0
    fee = _price(runs).per_request
    return Projection(rate_per_second=rate_per_second, requests_per_month=requests,
                      cost_per_month_usd=per_request * requests, request_fees_usd=fee * requests,
                      compute_usd=max(per_request - fee, 0.0) * requests)


def advise(stats: Stats, runs: list[Recorded]) -> MemoryAdvice:
    """Too tight, wasteful or right, from the peak memory over the configured size (thresholds above)."""
    configured, peak = stats.memory_mb, stats.max_memory_mb
    out_of_memory = stats.error_types.get("Runtime.OutOfMemory", 0)
    tentative = len(runs) - stats.throttles < MIN_RUNS_FOR_ADVICE
    if configured <= 0 or (peak <= 0 and not out_of_memory):
        return MemoryAdvice("unknown", configured, peak, 0.0, None, "no memory figures recorded yet", tentative)
    share = peak / configured
    suggested = _round_up(peak * HEADROOM)
    if out_of_memory or share >= TIGHT_SHARE:
        suggested = max(suggested, _round_up(configured * 1.25)) if out_of_memory else suggested
        why = (f"{out_of_memory} run(s) ran out of memory" if out_of_memory
               else f"peak {peak} MB is {share:.0%} of {configured} MB (≥ {TIGHT_SHARE:.0%})")
        advice = MemoryAdvice("tight", configured, peak, round(share, 4), max(suggested, configured),
                              f"too tight: {why}; raise it to {max(suggested, configured)} MB", tentative)
    elif share < WASTEFUL_SHARE and configured > MIN_MEMORY_MB and suggested < configured:
        message = (f"wasteful: peak {peak} MB is {share:.0%} of {configured} MB (< {WASTEFUL_SHARE:.0%}); "
                   f"{suggested} MB would do")
        if (stats.duration_p50_ms or 0.0) > CPU_BOUND_MS:
            message += (f" (median {stats.duration_p50_ms:.0f} ms: on Lambda CPU shrinks with memory, "
                        "check the duration with `svl-tui tune`)")
        advice = MemoryAdvice("wasteful", configured, peak, round(share, 4), suggested, message, tentative)
    else:
        advice = MemoryAdvice("ok", configured, peak, round(share, 4), None,
                              f"ok: peak {peak} MB is {share:.0%} of {configured} MB", tentative)
    if tentative:
        advice.message += f" (tentative: {len(runs) - stats.throttles} run(s))"
    if advice.suggested_mb is not None and stats.projection is not None and stats.billed_ms_mean is not None:
        gb_seconds = stats.billed_ms_mean / 1000 * stats.projection.requests_per_month / 1024
        advice.monthly_saving_usd = (configured - advice.suggested_mb) * gb_seconds * _price(runs).per_gb_second
    return advice


def _price(runs: list[Recorded]) -> pricing.Price:
    """The price list the newest run was costed at (its region and architecture)."""
    last = runs[-1]
    return pricing.price_for(last.region or pricing.DEFAULT_REGION, last.architecture)


def buckets(runs: list[Recorded], count: int) -> list[Bucket]:
    """``runs`` spread over ``count`` equal slices of time, oldest first: the error-burst chart."""
    if not runs or count < 1:
        return []
    stamps = [run.timestamp for run in runs]
    first, last = min(stamps), max(stamps)
    width = (last - first) / count or 1.0
    slices = [Bucket(first + index * width, first + (index + 1) * width) for index in range(count)]
    top = count - 1
    for run, stamp in zip(runs, stamps, strict=True):
        slot = slices[min(top, int((stamp - first) / width))]
        slot.count += 1
        if run.status != "ok":
            slot.errors += 1
        if run.cold:
            slot.cold += 1
    return slices


def summary_rows(stats: Stats, *, figures: bool = True, projection: bool = True) -> list[tuple[str, str]]:
    """The figures as (name, value) rows: what ``svl-tui stats`` prints and the metrics view shows."""
    rows: list[tuple[str, str]] = []
    if figures and stats.count:
        kinds = ", ".join(f"{name} ×{count}" for name, count in stats.error_types.items())
        rows += [
            ("errors", f"{stats.errors + stats.throttles:,} ({stats.error_rate:.2%})"
                       + (f" · throttled {stats.throttles:,}" if stats.throttles else "")
                       + (f" · {kinds}" if kinds else "")),
            ("cold starts", f"{stats.cold_starts:,} ({stats.cold_ratio:.1%}) · init "
                            + _percentiles(stats.init_p50_ms, stats.init_p95_ms, stats.init_p99_ms)),
            ("duration", _percentiles(stats.duration_p50_ms, stats.duration_p95_ms, stats.duration_p99_ms)
                         + f" · mean {_ms(stats.duration_mean_ms)} · max {_ms(stats.duration_max_ms)}"),
            ("memory", f"peak {stats.max_memory_mb} MB of {stats.memory_mb} MB"),
            ("billed", f"{stats.billed_ms_total:,} ms in all · mean {_ms(stats.billed_ms_mean)}"),
            ("cost", f"${stats.cost_per_invocation_usd or 0:.9f} per invocation · "
                     f"${stats.cost_per_million_usd or 0:,.2f} per million"),
        ]
    month = stats.projection
    if projection and month is not None:
        per_s = month.rate_per_second
        rate = f"{per_s:g}/s" if per_s >= 1 else f"{per_s * SECONDS_PER_MONTH:,.0f}/month"
        rows.append((f"at {rate}", f"{month.requests_per_month:,.0f} requests a month: "
                                   f"${month.cost_per_month_usd:,.2f} (${month.request_fees_usd:,.2f} requests + "
                                   f"${month.compute_usd:,.2f} compute)"))
    return rows


def advice_text(stats: Stats) -> str:
    """The memory advice in a sentence, with the monthly saving when a rate was given."""
    advice = stats.advice
    if advice is None:
        return "no advice without runs"
    text = advice.message
    if advice.monthly_saving_usd is not None:
        verb = "saves" if advice.monthly_saving_usd >= 0 else "costs"
        text += f"; at this rate {verb} ${abs(advice.monthly_saving_usd):,.2f} a month"
    return text


def _percentiles(p50: float | None, p95: float | None, p99: float | None) -> str:
    if p50 is None:
        return "-"
    return f"p50 {_ms(p50)} · p95 {_ms(p95)} · p99 {_ms(p99)}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} ms"


_RATE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?(?:e\d+)?)\s*(?P<scale>[kKmMbB]?)\s*(?:/|per\s+)\s*"
                   r"(?P<unit>s|sec|second|m|min|minute|h|hr|hour|d|day|mo|month)s?\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600,
                 "hour": 3600, "d": 86_400, "day": 86_400, "mo": SECONDS_PER_MONTH, "month": SECONDS_PER_MONTH}
_SCALE = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9}


def parse_rate(text: str) -> float:
    """``50/s``, ``3000/min``, ``10/h``, ``2M/month``, ``1.5k/day`` -> requests per second.

    Raises ValueError with the forms it accepts."""
    found = _RATE.match(text)
    if found is None:
        raise ValueError(f"request rate {text!r}: write a number per unit, e.g. 50/s, 3000/min, 10/h, "
                         "20k/day or 2M/month")
    rate = float(found["number"]) * _SCALE[found["scale"].lower()] / _UNIT_SECONDS[found["unit"]]
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"request rate {text!r}: must be more than zero")
    return rate


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _round_up(megabytes: float) -> int:
    value = max(MIN_MEMORY_MB, math.ceil(megabytes / STEP_MB) * STEP_MB)
    return min(value, MAX_MEMORY_MB)
