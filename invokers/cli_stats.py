"""``svl-tui stats F``: a function's figures over its recorded runs (``.svl/history``), and memory advice."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from . import jsonout
from .cli_output import EXIT_OK, Painter, UsageError
from .cli_project import history_for, load_project

if TYPE_CHECKING:
    from .metrics import Stats


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    stats = commands.add_parser("stats", parents=[common],
                                help="a function's figures over its recorded runs: errors, cold starts, "
                                     "p50/p95/p99, cost, monthly projection, memory advice")
    stats.add_argument("function", help="function name (aws:NAME for the runs of its deployed twin)")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.add_argument("--rate", metavar="RATE",
                       help="project the monthly cost at this request rate: 50/s, 3000/min, 20k/day, 2M/month")
    stats.add_argument("--last", type=int, metavar="N", help="only the last N runs")


def run(args: argparse.Namespace) -> int:
    from .metrics import compute, parse_rate

    try:
        rate = parse_rate(args.rate) if args.rate else None
    except ValueError as exc:
        raise UsageError(f"--rate: {exc}") from None
    if args.last is not None and args.last < 1:
        raise UsageError(f"--last {args.last}: must be at least 1")
    found = load_project(args)
    history = history_for(args, found)
    key = args.function
    spec = found.get(key)
    runs = history.load(key, args.last, payloads=False)
    for problem in history.problems:
        print(f"svl-tui: warning: {problem}", file=sys.stderr)
    if not runs and spec is None:
        known = history.functions()
        names = ", ".join(known) or "none yet"
        raise UsageError(f"no recorded runs of {key!r} in {history.folder} (functions with runs: {names})")
    stats = compute(runs, function=key, memory_mb=spec.memory_mb if spec is not None else None,
                    rate_per_second=rate)
    if args.json:
        print(jsonout.dumps(stats.to_dict(), indent=2))
    else:
        show(stats, Painter(sys.stdout), where=str(history.folder))
    return EXIT_OK


def show(stats: Stats, painter: Painter, *, where: str = "") -> None:
    """The figures as a few aligned lines (what the metrics view shows in its header)."""
    out = painter.stream
    if not stats.count:
        print(f"{stats.function}: no recorded runs yet{f' in {where}' if where else ''}; invoke it first", file=out)
        return
    span = f"from {_when(stats.first_at)} to {_when(stats.last_at)}"
    print(f"{stats.function}: {stats.count:,} run{'s' if stats.count != 1 else ''} {span}", file=out)
    kinds = ", ".join(f"{name} ×{count}" for name, count in stats.error_types.items())
    rows = [
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
    projection = stats.projection
    if projection is not None:
        rows.append((f"at {_rate(projection.rate_per_second)}",
                     f"{projection.requests_per_month:,.0f} requests a month: ${projection.cost_per_month_usd:,.2f} "
                     f"(${projection.request_fees_usd:,.2f} requests + ${projection.compute_usd:,.2f} compute)"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}", file=out)
    advice = stats.advice
    if advice is not None:
        text = f"  memory advice: {advice.message}"
        if advice.monthly_saving_usd is not None and projection is not None:
            verb = "saves" if advice.monthly_saving_usd >= 0 else "costs"
            text += f"; at this rate {verb} ${abs(advice.monthly_saving_usd):,.2f} a month"
        code = {"tight": "31", "wasteful": "33", "ok": "32"}.get(advice.verdict, "2")
        painter.line(text, code)


def _percentiles(p50: float | None, p95: float | None, p99: float | None) -> str:
    if p50 is None:
        return "-"
    return f"p50 {_ms(p50)} · p95 {_ms(p95)} · p99 {_ms(p99)}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} ms"


def _when(stamp: float | None) -> str:
    return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def _rate(per_second: float) -> str:
    return f"{per_second:g}/s" if per_second >= 1 else f"{per_second * 3600:g}/h"
