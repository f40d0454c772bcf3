"""``svl-tui compare F`` (local against deployed) and ``svl-tui drift F`` (template against deployed).

Exit codes as ``diff`` has them: 0 the same, 1 different (responses, status
or configuration), 2 the command could not run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Any

from . import jsonout
from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, Painter, line_for

if TYPE_CHECKING:
    from .drift import Drift
    from .models import FunctionSpec, LogRecord, Result
    from .side_by_side import SideBySide


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    compare = commands.add_parser("compare", parents=[common],
                                  help="send one event to a local function and its deployed twin, side by side")
    compare.add_argument("function", help="local function name (see 'svl-tui list')")
    source = compare.add_mutually_exclusive_group()
    source.add_argument("--event", "-e", metavar="FILE", help="event JSON file, or - for standard input")
    source.add_argument("--data", "-d", metavar="JSON", help="event JSON given inline")
    source.add_argument("--saved", "-s", metavar="NAME", help="a saved event of this function")
    compare.add_argument("--ignore", metavar="PATH", action="append", default=[],
                         help="a response path to leave out of the diff, e.g. '$.headers.ETag' (repeatable)")
    compare.add_argument("--yes", "-y", action="store_true", help="do not ask before invoking the deployed function")
    drift = commands.add_parser("drift", parents=[common],
                                help="compare a function's template configuration with the deployed function")
    drift.add_argument("function", help="local function name (see 'svl-tui list')")
    for parser in (compare, drift):
        parser.add_argument("--deployed-name", metavar="NAME",
                            help="the deployed function's name, when it cannot be found from the local one")
        parser.add_argument("--json", action="store_true", help="print one JSON document")
        parser.set_defaults(invocation_type="RequestResponse", qualifier=None)


def run_drift(args: argparse.Namespace) -> int:
    import asyncio

    from .aws.twin import configuration
    from .cli_aws import aws_for
    from .cli_project import find_function, load_project
    from .drift import compare_configuration

    spec = find_function(load_project(args), args.function)
    found = compare_configuration(spec, asyncio.run(configuration(aws_for(args), spec, args.deployed_name)))
    if args.json:
        print(jsonout.dumps(found.to_dict(), indent=2))
    else:
        show_drift(found, Painter(sys.stdout))
    return EXIT_FUNCTION_ERROR if found.drifted else EXIT_OK


def show_drift(found: Drift, painter: Painter, *, only_drifted: bool = False) -> None:
    items = found.drifted if only_drifted else found.items
    if not found.drifted:
        painter.note(f"no drift: {found.function} matches the deployed {found.deployed_name}")
        if only_drifted:
            return
    rows = [("SETTING", "TEMPLATE", "DEPLOYED", "")]
    rows += [(item.setting, item.local, item.deployed, ("" if item.same else "≠ ") + item.note) for item in items]
    widths = [min(40, max(len(row[i]) for row in rows)) for i in range(3)]
    for row in rows:
        line = "  ".join(_fit(cell, width).ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        text = f"{line}  {row[3]}".rstrip()
        if row[3].startswith("≠"):
            painter.error(text)
        else:
            print(text, file=painter.stream)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def run_compare(args: argparse.Namespace) -> int:
    import asyncio

    from .cli_aws import aws_for, confirm
    from .cli_project import fetch_layers, find_function, load_project, read_event

    local = find_function(load_project(args), args.function)
    event = read_event(args, local)
    aws = aws_for(args)
    fetch_layers([local], args)
    found: SideBySide = asyncio.run(_compare(args, aws, local, event, confirm))
    if args.json:
        print(jsonout.dumps(found.to_dict(), indent=2, default=str))
    else:
        show(found, Painter(sys.stdout))
    return EXIT_OK if found.same else EXIT_FUNCTION_ERROR


async def _compare(args: argparse.Namespace, aws: Any, local: FunctionSpec, event: Any, ask: Any) -> SideBySide:
    from . import side_by_side
    from .aws.twin import configuration, deployed_spec
    from .engine import Engine

    config = await configuration(aws, local, args.deployed_name)
    remote = deployed_spec(config, aws.region)
    ask(remote, args)
    async with Engine(aws=aws) as engine:
        return await side_by_side.run(engine, local, remote, event, config, ignore=tuple(args.ignore))


def show(found: SideBySide, painter: Painter) -> None:
    """Figures in two columns, then the diff, the drift, and the two logs next to each other."""
    local, remote = found.local, found.deployed
    painter.note(f"{local.spec.name} (local, {local.spec.runtime}) beside {remote.spec.name} "
                 f"(deployed, {remote.spec.region}, {remote.spec.runtime})")
    rows = [("", "local", "deployed")]
    rows += [(name, value(local.result), value(remote.result)) for name, value in FIGURES]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
              file=painter.stream)
    delta = round(found.duration_delta_ms, 2) + 0.0  # never "-0.00": -0.004 rounds to -0.0, + 0.0 makes it 0.0
    print(f"deployed took {'+' if delta >= 0 else ''}{delta:.2f} ms against local", file=painter.stream)
    ignored = f" ({len(found.diff.ignored)} volatile path(s) ignored: {', '.join(found.diff.ignored[:4])})" \
        if found.diff.ignored else ""
    what = "response" if local.result.ok and remote.result.ok else "outcome"
    if found.diff.same:
        painter.note(f"{what}: the same{ignored}")
    else:
        painter.error(f"{what}: {len(found.diff.changes)} difference(s){ignored}")
        for change in found.diff.changes:
            print(f"  {change.describe()}", file=painter.stream)
    if found.drift is not None:
        if found.drift.drifted:
            painter.note("configuration drift (template against deployed):")
        show_drift(found.drift, painter, only_drifted=True)
    print(file=painter.stream)
    columns(painter, "local logs", local.records, "deployed logs", remote.records)


def _start(result: Result) -> str:
    return f"cold, init {result.init_ms:.2f} ms" if result.cold and result.init_ms is not None else "warm"


FIGURES: tuple[tuple[str, Any], ...] = (
    ("status", lambda r: r.status),
    ("start", _start),
    ("duration", lambda r: f"{r.duration_ms:.2f} ms"),
    ("billed", lambda r: f"{r.billed_ms} ms"),
    ("memory", lambda r: f"{r.max_memory_mb or '?'}/{r.memory_mb} MB"),
    ("cost", lambda r: f"${r.cost_usd:.9f}"),
)


def columns(painter: Painter, left_title: str, left: list[LogRecord], right_title: str,
            right: list[LogRecord]) -> None:
    """Two logs next to each other, each line wrapped to its half of the terminal."""
    width = max(20, (shutil.get_terminal_size((120, 24)).columns - 3) // 2)

    def wrapped(records: list[LogRecord]) -> list[str]:
        lines = []
        for record in records:
            lines.extend(textwrap.wrap(line_for(record).replace("\t", "  "), width, replace_whitespace=False,
                                       break_on_hyphens=False)
                         or [""])
        return lines

    one, two = [left_title, "-" * len(left_title), *wrapped(left)], [right_title, "-" * len(right_title),
                                                                        *wrapped(right)]
    for index in range(max(len(one), len(two))):
        a = one[index] if index < len(one) else ""
        b = two[index] if index < len(two) else ""
        print(f"{a.ljust(width)} │ {b}".rstrip(), file=painter.stream)
