"""``svl-tui invoke F --repeat N --concurrency C``: a burst, summarised."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, Painter, UsageError
from .models import FunctionSpec
from .pool import DEFAULT_ACCOUNT_CONCURRENCY, Limits

if TYPE_CHECKING:
    from .burst import BurstReport
    from .history import History


def add_arguments(invoke: argparse.ArgumentParser) -> None:
    invoke.add_argument("--repeat", "-n", type=int, default=1, metavar="N",
                        help="invoke N times and summarise (cold starts, throttles, p50/p95/p99)")
    invoke.add_argument("--concurrency", "-c", type=int, default=1, metavar="C",
                        help="with --repeat: at most C invocations at once (new environments start as needed)")
    invoke.add_argument("--account-concurrency", type=int, default=DEFAULT_ACCOUNT_CONCURRENCY, metavar="N",
                        help=f"with --repeat: the account's concurrency limit; beyond it invocations are "
                             f"throttled (default {DEFAULT_ACCOUNT_CONCURRENCY})")


def run(args: argparse.Namespace, spec: FunctionSpec, event: Any, worker_env: dict[str, str] | None,
        history: History | None = None) -> int:
    if args.repeat < 1 or args.concurrency < 1:
        raise UsageError(f"--repeat {args.repeat} --concurrency {args.concurrency}: both must be at least 1")
    try:
        limits = Limits(account=args.account_concurrency)
    except ValueError as exc:
        raise UsageError(f"--account-concurrency: {exc}") from None
    import asyncio  # here: building the parser must not pay for asyncio

    report = asyncio.run(_run(args, spec, event, worker_env, limits, history))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        show(report, Painter(sys.stderr))
    return EXIT_OK if report.ok == report.repeat else EXIT_FUNCTION_ERROR


async def _run(args: argparse.Namespace, spec: FunctionSpec, event: Any,
               worker_env: dict[str, str] | None, limits: Limits, history: History | None) -> BurstReport:
    from .burst import burst
    from .engine import Engine

    async with Engine(worker_env=worker_env, limits=limits, history=history) as engine:
        return await burst(engine, spec, event, repeat=args.repeat, concurrency=args.concurrency)


def show(report: BurstReport, painter: Painter) -> None:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f} ms"

    painter.note(f"{report.repeat} invocations of {report.function}, {report.concurrency} at a time: "
                 f"{report.ok} ok, {report.errors} errors, {report.throttled} throttled, "
                 f"{report.cold_starts} cold starts")
    painter.note(f"duration p50 {ms(report.p50_ms)} · p95 {ms(report.p95_ms)} · p99 {ms(report.p99_ms)} · "
                 f"wall {report.wall_ms:.0f} ms")
    for error_type, count in sorted(report.error_types.items()):
        painter.error(f"  {count} × {error_type}")
