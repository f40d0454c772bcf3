"""Deployed functions' figures: ``stats F --deployed`` (CloudWatch metrics), ``insights F PRESET`` (Logs
Insights) and ``tune F --memory 128,256,512 -n 10`` (power tuning, asks first)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from . import jsonout
from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, Painter, UsageError
from .models import FunctionSpec

if TYPE_CHECKING:
    from .aws.cloud_metrics import CloudMetrics
    from .aws.tune import TuneReport

BAR = "█"


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    insights = commands.add_parser("insights", parents=[common],
                                   help="run a Logs Insights preset on a deployed function's logs")
    insights.add_argument("function")
    insights.add_argument("preset", help="errors, cold-starts, slowest or memory")
    insights.add_argument("--since", default="1h", help="how far back: 30m, 6h, 7d (default 1h)")
    insights.add_argument("--json", action="store_true", help="print the rows as JSON")

    tune = commands.add_parser("tune", parents=[common],
                               help="power-tune a deployed function: invoke it at several memory sizes, "
                                    "compare cost and duration, restore its configuration")
    tune.add_argument("function")
    tune.add_argument("--memory", "-m", default="128,256,512,1024", metavar="SIZES",
                      help="memory sizes in MB, comma-separated (default 128,256,512,1024)")
    tune.add_argument("-n", "--count", type=int, default=10, metavar="N", help="invocations per size (default 10)")
    source = tune.add_mutually_exclusive_group()
    source.add_argument("--event", "-e", metavar="FILE", help="event JSON file, or - for standard input")
    source.add_argument("--data", "-d", metavar="JSON", help="event JSON given inline")
    source.add_argument("--saved", "-s", metavar="NAME", help="a saved event of this function")
    tune.add_argument("--yes", "-y", action="store_true", help="do not ask before changing the function")
    tune.add_argument("--json", action="store_true", help="print the figures as JSON")


def stats_deployed(args: argparse.Namespace) -> int:
    """``stats F --deployed``: the function's CloudWatch metrics over the last hour, day or week."""
    import asyncio

    from .aws.cloud_metrics import fetch
    from .cli_aws import aws_for

    spec = FunctionSpec(name=args.function, source="deployed", runtime="", handler="")
    found = asyncio.run(fetch(aws_for(args), spec, args.window))
    if args.json:
        print(jsonout.dumps(found.to_dict(), indent=2))
    else:
        show_cloud(found, Painter(sys.stdout))
    return EXIT_OK


def show_cloud(found: CloudMetrics, painter: Painter) -> None:
    out = painter.stream
    print(f"{found.function} (CloudWatch, last {found.window}, one point per {found.period_s // 60} min)", file=out)
    if not found.invocations:
        print("  no invocations in this window", file=out)
    rows = [("invocations", f"{found.invocations:,}"),
            ("errors", f"{found.errors:,} ({found.error_rate:.2%})"),
            ("throttles", f"{found.throttles:,}"),
            ("duration", f"avg {_ms(found.duration_avg_ms)} · p50 {_ms(found.duration_p50_ms)} · "
                         f"p99 {_ms(found.duration_p99_ms)} · max {_ms(found.duration_max_ms)}"),
            ("concurrency", f"max {found.max_concurrency:g}" if found.max_concurrency is not None else "-")]
    for name, value in rows:
        print(f"  {name.ljust(11)}  {value}", file=out)
    counts = [value for _, value in found.series.get("invocations", [])]
    if counts:
        print(f"  {'per period'.ljust(11)}  {spark(counts)}  (max {max(counts):g})", file=out)
    for note in found.notes:
        painter.line(f"  note: {note}", "33")


def spark(values: list[float]) -> str:
    """A one-line sparkline of ``values`` (eighth blocks), for terminals."""
    top = max(values) or 1.0
    return "".join("▁▂▃▄▅▆▇█"[min(7, int(value / top * 7.999))] if value else " " for value in values)


def insights(args: argparse.Namespace) -> int:
    import asyncio

    from .aws import insights as presets
    from .cli_aws import aws_for, since_ms

    try:
        presets.preset(args.preset)
        since_s = max(1, int(time.time() - since_ms(args.since) / 1000))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    spec = FunctionSpec(name=args.function, source="deployed", runtime="", handler="")
    result = asyncio.run(presets.run(aws_for(args), spec, args.preset, since_s=since_s))
    if args.json:
        print(jsonout.dumps({"preset": result.preset, "rows": result.rows, "statistics": result.statistics},
                            indent=2))
        return EXIT_OK
    painter = Painter(sys.stdout)
    painter.note(f"{presets.PRESETS[args.preset].title} of {args.function}, last {args.since}: "
                 f"{len(result.rows)} row(s)")
    for record in presets.to_records(result.rows):
        painter.log(record)
    return EXIT_OK


def tune(args: argparse.Namespace) -> int:
    import asyncio

    from .aws.session import AwsError
    from .aws.tune import TuneFailed, parse_sizes
    from .aws.tune import tune as run_tune
    from .cli_aws import aws_for, deployed_spec
    from .cli_project import read_event

    try:
        sizes = parse_sizes(args.memory)
    except ValueError as exc:
        raise UsageError(f"--memory: {exc}") from None
    if args.count < 1:
        raise UsageError(f"-n {args.count}: invoke at least once per size")
    spec = deployed_spec(args, args.function)
    event = read_event(args, spec)
    total = len(sizes) * args.count
    question = (f"Tune the deployed function {spec.name} in {spec.region}: set its memory to "
                f"{', '.join(map(str, sizes))} MB in turn (publishing a version for each), invoke it {total} times "
                f"(it may have side effects), then restore {spec.memory_mb} MB and delete those versions?")
    if not args.yes:
        if not sys.stdin.isatty():
            raise AwsError("confirm", f"not tuning {spec.name} without confirmation: pass --yes to allow it "
                                      "from a script")
        if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
            raise AwsError("confirm", "not tuned: nothing was changed")
    painter = Painter(sys.stderr)

    def progress(memory: int, index: int, result: Any) -> None:
        if not args.json:
            painter.note(f"{memory} MB: {index}/{args.count} {result.status} {result.duration_ms:.2f} ms"
                         + (" (cold)" if result.cold else ""))

    try:
        report = asyncio.run(run_tune(aws_for(args), spec, sizes, args.count, event, on_progress=progress))
    except TuneFailed as exc:
        for problem in exc.report.cleanup_problems:
            painter.error(f"svl-tui: {problem}")
        raise
    except KeyboardInterrupt:
        painter.error("svl-tui: tuning interrupted; the original memory was set back and the versions deleted "
                      "(unless an error above says otherwise)")
        return 130
    if args.json:
        print(jsonout.dumps(report.to_dict(), indent=2))
    else:
        show_tune(report, Painter(sys.stdout))
    return EXIT_OK if not any(size.errors for size in report.sizes) else EXIT_FUNCTION_ERROR


def show_tune(report: TuneReport, painter: Painter, width: int = 24) -> None:
    """Duration and cost against memory, as bars: the chart AWS Lambda Power Tuning draws."""
    out = painter.stream
    slowest = max((size.duration_p50_ms or 0.0 for size in report.sizes), default=0.0) or 1.0
    dearest = max((size.cost_per_million_usd or 0.0 for size in report.sizes), default=0.0) or 1.0
    print(f"{report.function}: {len(report.sizes)} sizes, warm p50 duration and cost per million invocations",
          file=out)
    for size in report.sizes:
        duration = size.duration_p50_ms or 0.0
        cost = size.cost_per_million_usd or 0.0
        marks = [mark for mark, best in (("cheapest", report.cheapest_mb), ("fastest", report.fastest_mb))
                 if best == size.memory_mb]
        errors = f"  {size.errors} failed ({', '.join(size.error_types)})" if size.errors else ""
        duration_bar = BAR * max(1, round(duration / slowest * width))
        cost_bar = BAR * max(1, round(cost / dearest * width))
        print(f"  {size.memory_mb:>6} MB  {duration:>10.2f} ms {duration_bar:<{width}}  "
              f"${cost:>9.4f} {cost_bar:<{width}}  {' '.join(marks)}{errors}", file=out)
    restored = (f"memory restored to {report.original_memory_mb} MB" if report.restored
                else "MEMORY NOT RESTORED: " + "; ".join(report.cleanup_problems))
    painter.line(f"  {restored}", "32" if report.restored else "31")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} ms"
