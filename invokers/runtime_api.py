"""The Lambda Runtime API, served on 127.0.0.1 to one execution environment.

Workers (our Python and Node bootstraps, AWS's runtime interface clients, or a
custom ``bootstrap`` executable) find it through ``AWS_LAMBDA_RUNTIME_API`` and
poll it exactly as they would on Lambda. Speaking the documented protocol means
any runtime that already works on Lambda works here unchanged, and timing is
taken at the protocol edges the same way for every language.

A deliberately small HTTP/1.1 server (keep-alive, pipelining, Content-Length and chunked
bodies, ``Expect: 100-continue``), an ``asyncio.Protocol`` per connection (``runtime_connection.py``;
the parsing is ``http_wire.py``): the protocol has four routes and the worker is the only client, so a
framework would cost start-up time and buy nothing, and a stream and a task per connection cost CPU on
every request. This module holds the routes and the invocation in progress.

Only the environment's own processes may use it: every path must start with
the environment's key (see ``api_key``); anything else gets 403, is logged
and the connection is closed without reading its body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .api_key import api_address, new_key
from .http_wire import response
from .runtime_connection import RuntimeConnection

LOG = logging.getLogger("svl.runtime_api")
PREFIX = "/2018-06-01/runtime"
STREAM_PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response"
"""A streamed HTTP response: a JSON prelude ({statusCode, headers, cookies}), 8 NUL bytes, then the body."""

ChunkSink = Callable[[str, bytes], Awaitable[None]]
"""Told each piece of a streamed response as it arrives: (the response's Content-Type, the bytes)."""


@dataclass
class Invocation:
    """One event handed to the worker, and what came back."""

    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str = ""
    client_context: str | None = None
    cognito_identity: str | None = None
    sent_at: float = 0.0  # perf_counter when /next answered with this event
    outcome: asyncio.Future[Outcome] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    debug: str = ""  # "post-mortem": our bootstrap stops at the frame that raised (header Svl-Debug)
    on_chunk: ChunkSink | None = None
    """A consumer of the streamed response's pieces as they arrive (else it only gets the whole body)."""


@dataclass
class Outcome:
    kind: str  # "response" | "error"
    body: bytes
    received_at: float
    error_type: str = ""
    span: tuple[float, float] | None = None  # (start, end) as the worker measured them, when it says
    paused_ms: float = 0.0  # time the worker spent stopped in the debugger within that span
    content_type: str = ""  # a streamed response's, e.g. the HTTP prelude's (see STREAM_PRELUDE_TYPE)
    exiting: bool = False  # the runtime exits after this answer (a fatal error): its environment is done
    unfenced: bool = False
    """Our bootstrap wrote no fence before this answer (``Svl-Output: unfenced``): the engine counts what is in
    the pipes instead (see ``Worker.wait_for_output``)."""


class RuntimeAPI:
    """Serves ``/2018-06-01/runtime/*`` for one worker process."""

    def __init__(self, key: str | None = None, on_refused: Callable[[str], None] | None = None, *,
                 peer_marker: str = "", worker_pid: int = 0) -> None:
        self.key = key or new_key()
        """Every request's path starts with ``/<key>``; only the environment's processes know it."""
        self.peer_marker = peer_marker
        """Set for an environment given a plain host:port: a request without the key is served when the
        connection's peer is one of the environment's processes (``peer``), ``worker_pid`` first."""
        self.worker_pid = worker_pid
        self.on_refused = on_refused
        """Told (with a sentence) about each request refused for a missing or wrong key."""
        self.refused = 0
        self._queue: deque[Invocation] = deque()
        self._waiting: deque[RuntimeConnection] = deque()  # connections whose ``GET /next`` waits for an event
        self._current: Invocation | None = None
        self._server: asyncio.base_events.Server | None = None
        self.connections: set[RuntimeConnection] = set()
        self.ready = asyncio.Event()
        """Set on the first ``GET /next``: the runtime finished its init phase."""
        self.ready_at = 0.0
        self.init_error: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.address = ""

    async def start(self, listener: socket.socket | None = None) -> str:
        """Serve on ``listener`` (bound before the worker was spawned) or a fresh port."""
        loop = asyncio.get_running_loop()
        if listener is not None:
            self._server = await loop.create_server(lambda: RuntimeConnection(self), sock=listener)
        else:
            self._server = await loop.create_server(lambda: RuntimeConnection(self), "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = api_address(host, port, self.key)
        return self.address

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.abort()
        self._waiting.clear()
        if self._current is not None and not self._current.outcome.done():
            self._current.outcome.cancel()

    def submit(self, invocation: Invocation) -> None:
        """Hand an event to the worker's waiting ``GET /next``, or keep it for the next one."""
        while self._waiting:
            connection = self._waiting.popleft()
            if not connection.closed:
                connection.answer_next(invocation)
                return
        self._queue.append(invocation)

    # ---- requests --------------------------------------------------------------------

    def chunk_sink(self, method: str, route: str,
                    headers: dict[str, str]) -> Callable[[bytes], Awaitable[None]] | None:
        """Where a streamed response's chunks go while its body is still being read: the invocation's
        consumer, when it asked for them (Lambda response streaming, ``...-Response-Mode: streaming``)."""
        current = self._current
        if (current is None or current.on_chunk is None or method != "POST"
                or headers.get("lambda-runtime-function-response-mode", "").lower() != "streaming"
                or route != f"{PREFIX}/invocation/{current.request_id}/response"):
            return None
        sink, content_type = current.on_chunk, headers.get("content-type", "")

        async def chunk(data: bytes) -> None:
            await sink(content_type, data)

        return chunk

    def refusal(self, method: str, path: str, peer: object) -> bytes:
        """403 for a request without this environment's key (or, peer-checked, from another process);
        logged; the caller closes the connection without reading the body."""
        self.refused += 1
        where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "an unknown peer"
        why = "not a process of this environment" if self.peer_marker else "without this environment's key"
        message = f"svl: refused a Runtime API request from {where} {why}: {method[:16]!r} {path[:200]!r}"
        LOG.warning(message)
        if self.on_refused is not None:
            self.on_refused(message)
        status, extra, payload = _error(403, "AccessDeniedException",
                                        "this Runtime API serves one execution environment; its key is missing")
        extra["Connection"] = "close"
        return response(status, extra, payload)

    def route(self, connection: RuntimeConnection, method: str, path: str, headers: dict[str, str],
               body: bytes) -> bytes | None:
        """The answer to one request; None for a ``GET /next`` left waiting for an event."""
        if not path.startswith(PREFIX):
            return response(*_error(404, "NotFound", f"unknown path {path}"))
        route = path[len(PREFIX):]
        if method == "GET" and route == "/invocation/next":
            if not self.ready.is_set():
                self.ready_at = _ready_time(headers.get("svl-ready-at"))
                self.ready.set()
            if not self._queue:
                self._waiting.append(connection)
                return None
            return self.next_answer(self._queue.popleft())
        if method == "POST" and route == "/init/error":
            if not self.init_error.done():
                self.init_error.set_result(Outcome("error", body, time.perf_counter(),
                                                   headers.get("lambda-runtime-function-error-type", "")))
            return ACCEPTED
        if method == "POST" and route.startswith("/invocation/"):
            parts = route.split("/")
            if len(parts) == 4 and parts[3] in ("response", "error"):
                return self._finish(parts[2], parts[3], headers, body)
        return response(*_error(404, "NotFound", f"unknown route {method} {path}"))

    def next_answer(self, invocation: Invocation) -> bytes:
        """The answer to ``GET /next``: ``invocation``'s event, which becomes the one in progress."""
        self._current = invocation
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        if invocation.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
        if invocation.debug:
            headers["Svl-Debug"] = invocation.debug
        invocation.sent_at = time.perf_counter()
        return response(200, headers, invocation.payload)

    def _finish(self, request_id: str, kind: str, headers: dict[str, str], body: bytes) -> bytes:
        current = self._current
        if current is None or current.request_id != request_id or current.outcome.done():
            return response(*_error(400, "InvalidRequestID", f"{request_id} is not the invocation in progress"))
        content_type = ""
        if headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming":
            content_type = headers.get("content-type", "")
            if headers.get("lambda-runtime-function-error-type"):  # failed mid-stream: the error is in the trailers
                kind, body = "error", _trailer_error(headers)
        current.outcome.set_result(Outcome(kind, body, time.perf_counter(),
                                           headers.get("lambda-runtime-function-error-type", ""),
                                           _span(headers), _paused_ms(headers.get("svl-paused-ms")),
                                           content_type, exiting=headers.get("svl-exiting") == "1",
                                           unfenced=headers.get("svl-output") == "unfenced"))
        self._current = None
        return ACCEPTED


ACCEPTED = response(202, {}, b'{"status":"OK"}')


def _trailer_error(headers: dict[str, str]) -> bytes:
    """The error payload a streamed response carries in its ``Lambda-Runtime-Function-Error-Body`` trailer."""
    import base64
    import binascii

    try:
        return base64.b64decode(headers.get("lambda-runtime-function-error-body", ""), validate=True)
    except (binascii.Error, ValueError):
        return json.dumps({"errorType": headers["lambda-runtime-function-error-type"], "errorMessage": ""}).encode()


def _span(headers: dict[str, str]) -> tuple[float, float] | None:
    """The invoke's start and end as our bootstraps report them (CLOCK_MONOTONIC, like ours)."""
    try:
        start, end = float(headers["svl-started-at"]), float(headers["svl-ended-at"])
    except (KeyError, ValueError):
        return None
    return (start, end) if end >= start else None


def _paused_ms(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


def _ready_time(stamp: str | None) -> float:
    """When init ended: our bootstraps say so (CLOCK_MONOTONIC, shared by all processes), so a
    worker started before the engine's loop ran is not charged for the wait; else: now."""
    now = time.perf_counter()
    try:
        return min(float(stamp), now) if stamp else now
    except ValueError:
        return now


def _error(status: int, error_type: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {}, json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def decode_json(body: bytes) -> Any:
    """A worker's response body as a value; non-JSON bodies come back as text."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def streamed_response(outcome: Outcome) -> Any:
    """A streamed response, whole: with the HTTP prelude, ``{statusCode, headers, cookies..., body}``;
    without one, the body as JSON when it is JSON, else text."""
    if outcome.content_type != STREAM_PRELUDE_TYPE:
        return decode_json(outcome.body)
    metadata, body = split_prelude(outcome.body)
    return {**(metadata or {}), "body": body.decode("utf-8", "replace")}


PRELUDE_END = b"\0" * 8


def split_prelude(data: bytes) -> tuple[dict[str, Any] | None, bytes]:
    """``(prelude, body)`` of an HTTP-integration stream; ``(None, data)`` while its 8 NUL bytes have not come.

    A prelude that is not a JSON object counts as empty, as Lambda's function URLs then answer 200.
    """
    prelude, separator, body = data.partition(PRELUDE_END)
    if not separator:
        return None, data
    try:
        metadata = json.loads(prelude)
    except ValueError:
        metadata = {}
    return (metadata if isinstance(metadata, dict) else {}), body
