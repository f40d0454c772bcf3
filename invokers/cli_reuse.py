"""``svl-tui invoke`` through a running session (``serve`` or the UI) of the same project.

The session's environment is already warm and the session prints the run with
the CLI's own output code (``invokers/serve/client.py`` relays it), so the whole
command costs about a Python start; the invocation also shows in that session.

The console script (``tui/entry.py``) tries it before the CLI is even imported:
for a plain ``svl-tui invoke FUNCTION`` with only the options of ``plain_invoke``
it reads the command line itself, since building the CLI's parser imports every
command's module. Anything else (another option, a typo, ``-h``) goes the
ordinary way, where ``try_session`` does the same from the parsed arguments. When there is no
trustworthy session, or it cannot run this function, the caller runs the
invocation in-process as before, having printed nothing.

Only ``os`` and ``sys`` here, and the two lean modules of ``serve``.
"""

from __future__ import annotations

import os
import sys

from .serve import session
from .serve.client import SessionGone, run

TYPE_CHECKING = False  # not `typing`'s: importing typing would cost the fast path ~2 ms
if TYPE_CHECKING:
    import argparse
    from typing import Any

VALUED = {"--event": "event", "-e": "event", "--data": "data", "-d": "data", "--saved": "saved", "-s": "saved",
          "--project": "project"}
FLAGS = {"--json": "json", "--quiet": "quiet", "-q": "quiet"}
TRIED = "session_tried"  # on the parsed arguments: the console script already looked for a session


def try_session(args: argparse.Namespace) -> int | None:
    """Run ``args.function`` in the project's session; None when there is no session to use."""
    if getattr(args, TRIED, False):
        return None
    return through_session({"function": args.function, "project": args.project, "event": args.event,
                             "data": args.data, "saved": args.saved, "json": args.json, "quiet": args.quiet})


def plain_invoke(argv: list[str]) -> dict[str, Any] | None:
    """``invoke FUNCTION`` with ``--event/--data/--saved/--project VALUE``, ``--json``, ``-q`` only; else None.

    Spelled as argparse takes them (``--data=...`` too); repeats, both an event
    and data, or anything unknown give None, and argparse then says what it says.
    """
    if len(argv) < 2 or argv[0] != "invoke":
        return None
    asked: dict[str, Any] = {"function": None, "project": None, "event": None, "data": None, "saved": None,
                             "json": False, "quiet": False}
    words = iter(argv[1:])
    for word in words:
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in FLAGS and not equals:
            asked[FLAGS[name]] = True
        elif name in VALUED:
            given = value if equals else next(words, None)
            if given is None or asked[VALUED[name]] is not None or (not equals and _looks_like_option(given)):
                return None
            asked[VALUED[name]] = given
        elif word.startswith("-") or asked["function"] is not None:
            return None
        else:
            asked["function"] = word
    sources = sum(asked[key] is not None for key in ("event", "data", "saved"))
    return asked if asked["function"] is not None and sources <= 1 else None


def _looks_like_option(word: str) -> bool:
    """What argparse would not take as an option's value (``-`` and negative numbers it takes)."""
    return word.startswith("-") and word != "-" and not word[1:].replace(".", "", 1).isdigit()


def through_session(asked: dict[str, Any]) -> int | None:
    """The exit code of the invocation ``asked`` (see ``plain_invoke``) run in the project's session, or None,
    having printed nothing, when there is no session that can run it."""
    found = session.find(asked["project"] or os.getcwd())
    if found is None:
        return None
    request = request_for(asked)
    if request is None:
        return None
    try:
        return run(found, asked["function"], request)
    except SessionGone:
        if asked["event"] == "-":  # what we read is still there for the in-process run
            import io

            sys.stdin = io.StringIO(request["text"])
        return None


def request_for(asked: dict[str, Any]) -> dict[str, Any] | None:
    """The body the session's ``/_svl/invoke`` takes: the event as text (the session parses it, and says where it
    is wrong as the CLI would), how to print, and whether our stdout and stderr take colours.

    None when the event file cannot be read: the in-process run reports that.
    """
    colour = "NO_COLOR" not in os.environ
    request: dict[str, Any] = {"json": asked["json"], "quiet": asked["quiet"],
                               "colour": [colour and os.isatty(1), colour and os.isatty(2)]}
    if asked["data"] is not None:
        request.update(text=asked["data"], where="--data")
    elif asked["saved"]:
        request["saved"] = asked["saved"]
    elif asked["event"] == "-":
        request.update(text=sys.stdin.read(), where="standard input")
    elif asked["event"]:
        try:
            with open(asked["event"], encoding="utf-8") as handle:
                request.update(text=handle.read(), where=asked["event"])
        except (OSError, UnicodeDecodeError):
            return None
    return request
