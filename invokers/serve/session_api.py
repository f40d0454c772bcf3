"""The session's own endpoints for ``svl-tui invoke`` (``/_svl/...``), guarded by the session key.

``POST /_svl/invoke/{function}`` runs one invocation in this session's engine
and prints it here, with the CLI's own output code, for the calling terminal:
what the CLI would write on its stdout and stderr goes back as frames while it
is written (logs, a streamed response's pieces), then the exit code
(``serve/client.py`` has the wire format and relays it). The request body
(``cli_reuse.request_for``) has the event as the CLI read it (``text`` and
``where`` it came from, or a ``saved`` event's name; neither: the function's
opening event), ``json``, ``quiet`` and ``colour`` (for stdout and stderr).
Each invocation is also told to the server's listeners, so it shows in the UI
and the access log.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import TYPE_CHECKING, Any, TextIO, cast

from ..cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, EXIT_USAGE, Painter, UsageError, print_updates, usage_line
from ..ids import request_id as new_request_id
from ..models import FunctionSpec, LogRecord
from .http_connection import Responder
from .http_parser import HttpRequest
from .traffic import Traffic

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .server import Server

INVOKE = "/_svl/invoke/"


def _json(responder: Responder, status: int, value: object) -> None:
    responder.send(status, [("Content-Type", "application/json; charset=utf-8")], json.dumps(value).encode())


async def handle(server: Server, request: HttpRequest, response: Responder) -> None:
    sent = request.header("x-svl-session-key") or ""
    if not hmac.compare_digest(sent.encode(), server.key.encode()):
        _json(response, 403, {"message": "this session needs its key (from .svl/session.json)"})
        return
    if request.method == "GET" and request.path == "/_svl/ping":
        _json(response, 200, {"functions": sorted(server.functions)})
        return
    if request.method != "POST" or not request.path.startswith(INVOKE):
        _json(response, 404, {"message": f"unknown session endpoint {request.method} {request.path}"})
        return
    name = request.path[len(INVOKE):]
    spec = server.functions.get(name)
    if spec is None:
        _json(response, 404, {"message": f"no function named {name!r} in this session"})
        return
    body = request.body
    try:
        asked = json.loads(body) if body else {}
        colour = [bool(c) for c in asked.get("colour", [False, False])][:2]
    except (ValueError, AttributeError, TypeError):
        _json(response, 400, {"message": "the request body must be a JSON object (see cli_reuse.request_for)"})
        return
    await response.start(200, [("Content-Type", "application/x-svl-frames")])
    frames = Frames()
    stdout, stderr = frames.channel(1), frames.channel(2)
    try:
        event = _event(server, spec, asked)
    except UsageError as exc:
        print(usage_line(exc), file=stderr)
        await response.write(frames.take() + frames.exit(EXIT_USAGE))
        await response.end()
        return
    started = time.perf_counter()
    traffic = Traffic(face="cli", method="INVOKE", path=name, status=200, function=name)
    updates = server.engine.invoke(spec, event, request_id=new_request_id(), chunks=not asked.get("json"))
    painter = Painter(stderr, colour=len(colour) == 2 and colour[1])
    result = await print_updates(_relayed(updates, traffic, frames, response), painter, out=stdout,
                                 as_json=bool(asked.get("json")), quiet=bool(asked.get("quiet")))
    await response.write(frames.take() + frames.exit(EXIT_OK if result.ok else EXIT_FUNCTION_ERROR))
    await response.end()
    traffic.result = result
    traffic.request_id, traffic.cold = result.request_id, result.cold
    traffic.error_type = (result.error or {}).get("errorType", "")
    traffic.throttled = traffic.error_type == "TooManyRequestsException"
    traffic.duration_ms = (time.perf_counter() - started) * 1000
    server.tell(traffic)


def _event(server: Server, spec: FunctionSpec, asked: dict[str, Any]) -> Any:
    """The event as the CLI would have read it (parsed here, so its errors read the same)."""
    from ..cli_project import parse_json, saved_event

    if "text" in asked:
        return parse_json(str(asked["text"]), str(asked.get("where", "--data")))
    if asked.get("saved"):
        return saved_event(server.project, spec.name, str(asked["saved"]))
    from ..trigger_events import opening_event  # the same event a plain in-process invoke would send

    return opening_event(spec, server.project).event


async def _relayed(updates: AsyncIterator[Any], traffic: Traffic, frames: Frames,
                   response: Responder) -> AsyncIterator[Any]:
    """The invocation's updates; what each printed is sent on to the client before the next is awaited
    (so a slow client slows the stream, as a slow terminal does the in-process CLI)."""
    async for update in updates:
        if isinstance(update, LogRecord):
            traffic.logs.append(update)
        yield update
        printed = frames.take()
        if printed:
            await response.write(printed)


class Frames:
    """What the CLI would write on its stdout and stderr, as frames for ``serve/client.py``."""

    def __init__(self) -> None:
        self.pending = bytearray()

    def channel(self, fd: int) -> TextIO:
        """A text stream (with a ``buffer`` for bytes) whose writes become frames for descriptor ``fd``."""
        return cast("TextIO", _Channel(self, fd))

    def add(self, fd: int, data: bytes) -> None:
        if data:
            self.pending += b"%d %d\n" % (fd, len(data)) + data

    def take(self) -> bytes:
        taken, self.pending = bytes(self.pending), bytearray()
        return taken

    @staticmethod
    def exit(code: int) -> bytes:
        digits = str(code).encode()
        return b"0 %d\n" % len(digits) + digits


class _Channel:
    def __init__(self, frames: Frames, fd: int) -> None:
        self.frames, self.fd, self.buffer = frames, fd, self

    def write(self, data: str | bytes) -> int:
        self.frames.add(self.fd, data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
        return len(data)

    def flush(self) -> None:
        """Frames are sent after each update (see ``_relayed``)."""

    def isatty(self) -> bool:
        return False  # the client said whether it takes colours
