"""``svl-tui export-test F``, ``svl-tui test [F]`` and ``svl-tui report F``: runs as tests and as reports.

``export-test`` and ``report`` take a run: a fresh local invocation with the
given event (``--event``/``--data``/``--saved``, else the function's default). ``test`` replays every saved
event of a function (of every function when none is named) against its
snapshots; exit 1 when something changed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from . import jsonout
from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, EXIT_USAGE, Painter, UsageError

if TYPE_CHECKING:
    from .discovery import Discovery
    from .history import History
    from .models import FunctionSpec, LogRecord, Result
    from .snapshots import FunctionReplay


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser("export-test", parents=[common],
                                 help="write a run as a pytest / node:test file into the project's tests folder")
    report = commands.add_parser("report", parents=[common],
                                 help="print a run as a Markdown report (secrets masked), to paste into an issue")
    for parser in (export, report):
        parser.add_argument("function", help="function name (see 'svl-tui list')")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--event", "-e", metavar="FILE", help="event JSON file, or - for standard input")
        source.add_argument("--data", "-d", metavar="JSON", help="event JSON given inline")
        source.add_argument("--saved", "-s", metavar="NAME", help="a saved event of this function")
        source.add_argument("--run", metavar="ID", help="a recorded run from the history: its request id (or a "
                                                        "unique start of it), or 'last'")
    export.add_argument("--name", metavar="LABEL", help="the test's name in its file name (default: the saved "
                                                        "event's name or the run's request id)")
    export.add_argument("--folder", metavar="DIR", help="write into this folder instead of the project's tests "
                                                        "folder (tests/unit, tests, test, __tests__)")
    export.add_argument("--overwrite", action="store_true", help="replace an existing test file without asking")
    report.add_argument("--note", metavar="TEXT", action="append", default=[], help="a note to add (repeatable)")
    test = commands.add_parser("test", parents=[common],
                               help="replay every saved event and report what changed against its snapshot")
    test.add_argument("function", nargs="?", help="function name (default: every local function)")
    test.add_argument("--update", action="store_true", help="accept the new outcomes as the snapshots")
    test.add_argument("--json", action="store_true", help="print one JSON document")


def _run(args: argparse.Namespace) -> tuple[Discovery, FunctionSpec, Any, Result, list[LogRecord]]:
    """The run to export or report: a fresh local invocation."""
    import asyncio

    from .cli_project import fetch_layers, find_function, load_project, read_event
    from .engine import Engine

    found = load_project(args)
    spec = find_function(found, args.function)
    if args.run:
        from .history import History

        event, result = recorded_run(History.for_project(found.project, example=found.example), spec, args.run)
        return found, spec, event, result, []
    event = read_event(args, spec)
    if not args.no_aws:
        fetch_layers([spec], args)

    async def invoke() -> tuple[list[LogRecord], Result]:
        async with Engine() as engine:
            return await engine.invoke_collect(spec, event)

    records, result = asyncio.run(invoke())
    return found, spec, event, result, records


def recorded_run(history: History, spec: FunctionSpec, wanted: str) -> tuple[Any, Result]:
    """A run of the history as (event, Result): its request id, a unique start of it, or ``last``.

    The history keeps no logs, and keeps payloads over its cap only as a preview (the Result's notes say so).
    """
    from .models import Result, function_key

    runs = history.load(function_key(spec))
    found = runs[-1:] if wanted == "last" else [run for run in runs if run.request_id.startswith(wanted)]
    if not found:
        recent = ", ".join(run.request_id[:8] for run in reversed(runs[-5:])) or "none"
        raise UsageError(f"no recorded run {wanted!r} of {spec.name} in {history.folder} (newest: {recent})")
    if len(found) > 1:
        raise UsageError(f"{wanted!r} starts {len(found)} recorded runs of {spec.name}: give more of the request id")
    run = found[0]
    if not run.payload_kept:
        raise UsageError(f"run {run.request_id}: its event and response are no longer kept (the history rotates "
                         "payloads out first): pick a newer run, or run it again with --event")
    return run.event, Result(request_id=run.request_id, function=spec.name, status=run.status,  # type: ignore[arg-type]
                             cold=run.cold, duration_ms=run.duration_ms, billed_ms=run.billed_ms,
                             memory_mb=run.memory_mb, max_memory_mb=run.max_memory_mb, init_ms=run.init_ms,
                             cost_usd=run.cost, response=run.response, error=run.error, started_at=run.timestamp,
                             notes=[f"{part} kept as a preview only (too large for the history)"
                                    for part in run.truncated])


def run_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .export_test import ExportError, ExportExists, Recording, export

    found, spec, event, result, _ = _run(args)
    if any("kept as a preview" in note for note in result.notes):
        raise UsageError(f"run {result.request_id}: {'; '.join(result.notes)}: a test needs the whole event and "
                         "response; run it again and export that run")
    project = found.project
    recording = Recording.of(event, result)
    label = args.name or args.saved or ""
    folder = Path(args.folder) if args.folder else None
    if folder is None and found.example:  # svl-tui's bundled example may be read-only: never write into it
        from .paths import cache_dir

        folder = cache_dir() / "example-project" / "tests"
    try:
        try:
            path = export(spec, recording, project, label=label, folder=folder, overwrite=args.overwrite)
        except ExportExists as exists:
            if not sys.stdin.isatty():
                raise
            answer = input(f"{exists.path} exists. Overwrite it? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("svl-tui: not written", file=sys.stderr)
                return EXIT_USAGE
            path = export(spec, recording, project, label=label, folder=folder, overwrite=True)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    runner = "pytest" if spec.language == "python" else "node --test"
    Painter(sys.stderr).note(f"wrote {path} (expects {result.status}); run it with: {runner} {path}")
    print(path)
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    from .report import markdown

    _, spec, event, result, records = _run(args)
    notes = [*args.note, *(["logs: the history keeps none; run it again (without --run) to include them"]
                           if args.run else [])]
    sys.stdout.write(markdown(spec, event, result, records, notes))
    return EXIT_OK


def run_test(args: argparse.Namespace) -> int:
    import asyncio

    from .cli_project import find_function, load_project
    from .engine import Engine
    from .snapshots import replay

    found = load_project(args)
    project = found.project
    if args.function:
        specs = [find_function(found, args.function)]
    else:
        specs = [spec for spec in found.functions if spec.is_local]

    async def all_replays() -> list[FunctionReplay]:
        async with Engine() as engine:
            return [await replay(engine, spec, project, update=args.update) for spec in specs]

    reports = asyncio.run(all_replays())
    if args.json:
        print(jsonout.dumps({"changed": any(r.changed for r in reports), "functions": [r.to_dict() for r in reports]},
                            indent=2, default=str))
    else:
        show_replays(reports, Painter(sys.stdout), named=bool(args.function))
    return EXIT_FUNCTION_ERROR if any(report.changed for report in reports) else EXIT_OK


def show_replays(reports: list[FunctionReplay], painter: Painter, *, named: bool) -> None:
    marks = {"recorded": "+", "same": "=", "changed": "≠", "updated": "↻", "failed": "!"}
    for report in reports:
        if not report.replays:
            if named:
                painter.note(f"{report.function}: no saved events (save some with ctrl+s in the UI, "
                             f"'svl-tui events save {report.function} NAME' or 'events import')")
            continue
        print(f"{report.function}", file=painter.stream)
        for replay in report.replays:
            line = f"  {marks[replay.state]} {replay.event}: {replay.state} ({replay.duration_ms:.2f} ms)"
            if replay.note:
                line += f" ({replay.note})"
            if replay.state in ("changed", "failed"):
                painter.error(line)
            else:
                print(line, file=painter.stream)
            for change in replay.diff.changes if replay.state in ("changed", "updated") else []:
                print(f"      {change.describe('snapshot', 'now')}", file=painter.stream)
    counts: dict[str, int] = {}
    for report in reports:
        for replay in report.replays:
            counts[replay.state] = counts.get(replay.state, 0) + 1
    summary = ", ".join(f"{count} {state}" for state, count in counts.items()) or "no saved events to replay"
    painter.note(summary + (" (accept the changes with --update)" if counts.get("changed") else ""))
