"""``svl-tui invoke`` through a running session (``serve`` or the UI) of the same project.

The session's environment is already warm, so the whole command costs about
a Python start; the invocation also shows in that session. When there is no
trustworthy session, or it cannot run this function, the caller runs the
invocation in-process as before, having printed nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .cli import EXIT_FUNCTION_ERROR, EXIT_OK, Painter, UsageError, parse_json, print_result
from .models import LogRecord, Result


def try_session(args: argparse.Namespace) -> int | None:
    """Run ``args.function`` in the project's session; None when there is no session to use."""
    from .serve import session
    from .serve.client import SessionGone, invoke

    found = session.find(Path(args.project or Path.cwd()))
    if found is None:
        return None
    use_default, event = _event(args)
    painter = Painter(sys.stderr)
    records: list[LogRecord] = []
    try:
        for update in invoke(found, args.function, event, use_default=use_default):
            if isinstance(update, Result):
                print_result(update, records, args, painter)
                return EXIT_OK if update.ok else EXIT_FUNCTION_ERROR
            if args.json:
                records.append(update)
            elif not args.quiet:
                painter.log(update)
    except SessionGone as exc:
        if records:
            raise UsageError(f"the running session stopped during the invocation ({exc})") from None
        return None
    return None


def _event(args: argparse.Namespace) -> tuple[bool, Any]:
    """(use the function's default event, the event): the same sources as an in-process invoke."""
    if args.data is not None:
        return False, parse_json(args.data, "--data")
    if args.event == "-":
        return False, parse_json(sys.stdin.read(), "standard input")
    if args.event:
        try:
            text = Path(args.event).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--event {args.event}: {exc.strerror or exc}") from None
        return False, parse_json(text, args.event)
    if args.saved:
        from event_samples import SavedEventError, SavedEvents

        try:
            return False, SavedEvents(Path(args.project or Path.cwd())).load(args.function, args.saved)
        except SavedEventError as exc:
            raise UsageError(str(exc)) from None
    return True, None
