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

from . import jsonout
from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, Painter, UsageError, show_result
from .cli_project import explicit_event
from .models import Result


def try_session(args: argparse.Namespace) -> int | None:
    """Run ``args.function`` in the project's session; None when there is no session to use."""
    from .serve import session
    from .serve.client import SessionGone, invoke

    found = session.find(Path(args.project or Path.cwd()))
    if found is None:
        return None
    given, event = explicit_event(args, args.function)
    try:
        updates = invoke(found, args.function, event, use_default=not given)
    except SessionGone:
        return None  # nothing printed yet: the caller runs it in-process
    painter = Painter(sys.stderr)
    document = jsonout.StreamedDocument(sys.stdout) if args.json else None
    try:
        for update in updates:
            if isinstance(update, Result):
                if document is not None:
                    document.close(update.to_dict())
                else:
                    show_result(update, painter, summary=not args.quiet)
                return EXIT_OK if update.ok else EXIT_FUNCTION_ERROR
            if document is not None:
                document.record(update.to_dict())
            elif not args.quiet:
                painter.log(update)
    except SessionGone as exc:
        raise UsageError(f"the running session stopped during the invocation ({exc})") from None
    return None
