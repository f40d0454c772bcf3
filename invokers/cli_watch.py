"""``svl-tui watch FUNCTION``: a test-watch loop for the terminal.

Invokes once, then again after every save that reloads the function, and
prints each result beside the previous one. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from .cli_output import EXIT_OK, Painter, print_result
from .cli_project import find_function, history_for, load_project, read_event, start_mock
from .engine import Engine
from .models import FunctionSpec, LogRecord, Result, compare
from .reload import Reloader, ReloadEvent


def run(args: argparse.Namespace) -> int:
    found = load_project(args)
    spec = find_function(found, args.function)
    event = read_event(args, spec)
    mock = start_mock(args, found)
    try:
        asyncio.run(_loop(found, spec, event, mock.environment if mock else None, args))
    except KeyboardInterrupt:
        print("\nsvl-tui: watch stopped", file=sys.stderr)
    finally:
        if mock is not None:
            mock.stop()
    return EXIT_OK


async def _loop(found: Any, spec: FunctionSpec, event: Any, worker_env: dict[str, str] | None,
                args: argparse.Namespace) -> None:
    painter = Painter(sys.stderr)
    async with Engine(worker_env=worker_env, history=history_for(args, found)) as engine:
        reloader = Reloader(found.project, engine, found)
        saved: asyncio.Queue[list[str]] = asyncio.Queue()
        collector = asyncio.create_task(_collect(reloader, saved))
        await asyncio.sleep(0)  # one turn: the watcher is armed before the first (maybe slow) invocation runs
        print(f"svl-tui: watching {', '.join(str(r) for r in reloader.roots())} for changes to {spec.name} "
              "(Ctrl-C to stop)", file=sys.stderr)
        try:
            previous = await _run_once(engine, spec, event, painter, None, args)
            while True:
                paths = await saved.get()
                while not saved.empty():  # saves made while the last invocation ran: one reload
                    paths += saved.get_nowait()
                change = await reloader.apply(paths)
                if change is None:
                    continue
                _print_reload(change, painter)
                if spec.name in change.removed:
                    print(f"svl-tui: {spec.name} was removed from the configuration; waiting for it to come back",
                          file=sys.stderr)
                    continue
                current_spec = reloader.discovery.get(spec.name)
                if current_spec is None or spec.name not in change.reloaded or not change.ok:
                    continue
                spec = current_spec
                previous = await _run_once(engine, spec, event, painter, previous, args)
        finally:
            collector.cancel()


async def _collect(reloader: Reloader, saved: asyncio.Queue[list[str]]) -> None:
    """Queue every burst of saves, from before the first invocation on; they are applied between runs."""
    async for paths in reloader.changes():
        saved.put_nowait(paths)


async def _run_once(engine: Engine, spec: FunctionSpec, event: Any, painter: Painter,
                    previous: Result | None, args: argparse.Namespace) -> Result:
    result: Result | None = None
    records: list[LogRecord] = []
    async for update in engine.invoke(spec, event):
        if isinstance(update, Result):
            result = update
        elif args.json:
            records.append(update)
        elif not args.quiet:
            painter.log(update)
    assert result is not None
    print_result(result, records, args, painter, compare(previous, result) if previous is not None else None)
    return result


def _print_reload(change: ReloadEvent, painter: Painter) -> None:
    files = ", ".join(change.files[:5]) + (f" and {len(change.files) - 5} more" if len(change.files) > 5 else "")
    parts = [f"changed {files}"]
    if change.reloaded:
        parts.append(f"reloaded {', '.join(change.reloaded)}")
    if change.added:
        parts.append(f"added {', '.join(change.added)}")
    if change.removed:
        parts.append(f"removed {', '.join(change.removed)}")
    painter.note("svl-tui: " + "; ".join(parts))
    for error in change.errors:
        where = f"{error.file}:{error.line}: " if error.file and error.line else ""
        painter.error(f"svl-tui: {error.function} does not load: {where}{error.error_type}: {error.message}")
    for problem in change.problems:
        painter.error(f"svl-tui: {problem}")

