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
    stats.add_argument("--deployed", action="store_true",
                       help="the deployed function's CloudWatch metrics instead of the recorded runs")
    stats.add_argument("--window", choices=("hour", "day", "week"), default="hour",
                       help="with --deployed: how far back (default hour)")


def run(args: argparse.Namespace) -> int:
    from .metrics import compute, parse_rate

    if args.deployed:
        from .cli_cloud import stats_deployed

        return stats_deployed(args)

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
    """The figures as a few aligned lines (the rows the metrics view shows)."""
    from .metrics import advice_text, summary_rows

    out = painter.stream
    if not stats.count:
        print(f"{stats.function}: no recorded runs yet{f' in {where}' if where else ''}; invoke it first", file=out)
        return
    span = f"from {_when(stats.first_at)} to {_when(stats.last_at)}"
    print(f"{stats.function}: {stats.count:,} run{'s' if stats.count != 1 else ''} {span}", file=out)
    rows = summary_rows(stats)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}", file=out)
    verdict = stats.advice.verdict if stats.advice is not None else ""
    colour = {"tight": "31", "wasteful": "33", "ok": "32"}.get(verdict, "2")
    painter.line(f"  memory advice: {advice_text(stats)}", colour)


def _when(stamp: float | None) -> str:
    return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


