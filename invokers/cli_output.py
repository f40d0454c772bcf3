"""What every headless command prints, and how it exits: one module the CLI modules share.

Terminal colours by hand (Rich would double the start-up time of ``svl-tui
invoke``). Exit codes: 0 success, 1 the function failed (error, timeout,
crash) or a check found problems, 2 the command could not run (bad
arguments, unknown function, bad event, broken config).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from . import jsonout
from .models import DebugStop, LogRecord, ResponseChunk, Result

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from .models import Comparison

EXIT_OK, EXIT_FUNCTION_ERROR, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command cannot run as asked; the message says what to change."""


def usage_line(problem: Exception) -> str:
    """How a command that cannot run says why on stderr (before exiting with ``EXIT_USAGE``)."""
    return f"svl-tui: error: {problem}"


def print_result(result: Result, records: list[LogRecord], args: argparse.Namespace, painter: Painter,
                 comparison: Comparison | None = None) -> None:
    """A finished run as ``--json`` (one document; one line per run for ``watch``), ``-q`` or in full."""
    if args.json:
        document = result.to_dict()
        document["logs"] = [record.to_dict() for record in records]
        if comparison is not None:
            document["comparison"] = {"duration_delta_ms": comparison.duration_delta_ms,
                                      "response_changed": comparison.response_changed,
                                      "status_changed": comparison.status_changed}
        print(jsonout.dumps(document, indent=None if args.command == "watch" else 2, default=str), flush=True)
        return
    show_result(result, painter, summary=not args.quiet)
    if comparison is not None and not args.quiet:
        painter.comparison(comparison)


async def print_updates(updates: AsyncIterator[Any], painter: Painter, *, as_json: bool, quiet: bool,
                        out: TextIO | None = None,
                        on_stop: Callable[[DebugStop], Awaitable[None]] | None = None) -> Result:
    """An invocation's stream as ``svl-tui invoke`` prints it, on ``out`` (stdout) and the painter's stream;
    its Result.

    Logs as they come (none with ``quiet``), a streamed response's pieces the
    moment they come (ask the engine for chunks unless ``as_json``), then the
    response and the REPORT figures; with ``as_json`` one document, streamed.
    The in-process CLI and a session running it for a CLI elsewhere
    (``serve/session_api.py``) both print through here.
    """
    out = out or sys.stdout
    document = jsonout.StreamedDocument(out) if as_json else None
    streamed: list[bytes] = []  # a streamed response's pieces, printed as they come (--json: the Result has it)
    async for update in updates:
        if isinstance(update, Result):
            if document is not None:
                document.close(update.to_dict())
            else:
                show_result(update, painter, summary=not quiet, streamed=streamed, out=out)
            return update
        if isinstance(update, ResponseChunk):
            show_chunk(update, painter, streamed, out)
        elif isinstance(update, DebugStop):
            if on_stop is not None:
                await on_stop(update)
        elif document is not None:
            document.record(update.to_dict())
        elif not quiet:
            painter.log(update)
    raise AssertionError("stream ended without a result")  # pragma: no cover - engine invariant


def show_result(result: Result, painter: Painter, *, summary: bool = True, streamed: list[bytes] | None = None,
                out: TextIO | None = None) -> None:
    """The response (or the error) as JSON on ``out`` (stdout), the REPORT figures on the painter's stream.

    A response already printed as it streamed (``streamed``: its pieces) is not printed again.
    """
    out = out or sys.stdout
    if streamed and result.ok:
        if not streamed[-1].endswith(b"\n"):
            print(file=out, flush=True)
    else:
        print(jsonout.dumps(result.response if result.ok else result.error, indent=2, default=str), file=out,
              flush=True)
    if result.error_locals:
        from .cli_debug import locals_lines

        for line in locals_lines(result):
            painter.note(line)
    if summary:
        for name, value in result.outputs.items():  # an Azure function's output bindings
            painter.stream.write(f"output binding {name}: {jsonout.dumps(value, default=str)}\n")
        painter.summary(result)


def show_chunk(chunk: ResponseChunk, painter: Painter, streamed: list[bytes], out: TextIO | None = None) -> None:
    """A piece of a streamed response, on ``out`` (stdout) the moment it comes (as ``curl -N`` shows a function
    URL); an HTTP stream's status and headers first, as a note on the painter's stream."""
    out = out or sys.stdout
    if chunk.prelude is not None:
        headers = chunk.prelude.get("headers") or {}
        shown = "".join(f", {key}: {value}" for key, value in headers.items()) if isinstance(headers, dict) else ""
        painter.note(f"streamed response: status {chunk.prelude.get('statusCode', 200)}{shown}")
    if chunk.data:
        out.flush()
        out.buffer.write(chunk.data)
        out.buffer.flush()
        streamed.append(chunk.data)


def line_for(record: LogRecord) -> str:
    """A record as one terminal line: JSON kept as JSON, text with its level, platform lines as Lambda prints them."""
    if record.fields and record.stream != "platform":
        return jsonout.dumps(record.fields, default=str)
    if record.level and record.stream != "platform":
        return f"[{record.level}] {record.message}"
    return record.message


class Painter:
    """Terminal colours by hand (Rich would double the start-up time of this path)."""

    def __init__(self, stream: TextIO, colour: bool | None = None) -> None:
        """``colour``: whether to paint; by default when ``stream`` is a terminal and ``NO_COLOR`` is not set."""
        self.stream = stream
        self.colour = stream.isatty() and "NO_COLOR" not in os.environ if colour is None else colour

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def log(self, record: LogRecord) -> None:
        print(self.painted(record), file=self.stream, flush=True)

    def painted(self, record: LogRecord) -> str:
        """``record`` as ``log`` prints it (for callers that write many lines at once)."""
        code = {"ERROR": "31", "FATAL": "31", "WARN": "33", "DEBUG": "2", "TRACE": "2"}.get(record.level, "")
        if record.stream == "platform":
            code = "36" if record.level == "INFO" else code
        text = line_for(record)
        return self._paint(text, code) if code else text

    def line(self, text: str, code: str) -> None:
        """``text`` in the colour of SGR ``code`` (when the stream is a colour terminal)."""
        print(self._paint(text, code), file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(self._paint(text, "36"), file=self.stream, flush=True)

    def error(self, text: str) -> None:
        print(self._paint(text, "31"), file=self.stream, flush=True)

    def comparison(self, change: Comparison) -> None:
        delta = round(change.duration_delta_ms, 2) + 0.0  # + 0.0: -0.0 becomes 0.0, never "-0.00"
        sign = "+" if delta >= 0 else ""
        what = "response changed" if change.response_changed else "same response"
        if change.status_changed:
            what += f", status {change.previous.status} -> {change.current.status}"
        self.note(f"vs previous run: duration {sign}{delta:.2f} ms, {what}")

    def summary(self, result: Result) -> None:
        start = f"cold start, init {result.init_ms:.2f} ms" if result.cold and result.init_ms is not None else "warm"
        status = {"ok": self._paint("ok", "32")}.get(result.status, self._paint(result.status, "31"))
        print(f"{status} · {start} · duration {result.duration_ms:.2f} ms · billed {result.billed_ms} ms · "
              f"memory {result.max_memory_mb}/{result.memory_mb} MB · ${result.cost_usd:.9f}"
              + (f" ({result.billing})" if result.billing else "")
              + (f" · attempt {result.attempts} ({result.attempts - 1} retried)" if result.attempts > 1 else ""),
              file=self.stream)
