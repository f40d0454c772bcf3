"""The Lambda Runtime API, served on 127.0.0.1 to one execution environment.

Workers (our Python and Node bootstraps, AWS's runtime interface clients, or a
custom ``bootstrap`` executable) find it through ``AWS_LAMBDA_RUNTIME_API`` and
poll it exactly as they would on Lambda. Speaking the documented protocol means
any runtime that already works on Lambda works here unchanged, and timing is
taken at the protocol edges the same way for every language.

A deliberately small HTTP/1.1 server (keep-alive, pipelining, Content-Length and chunked
bodies, ``Expect: 100-continue``; the parsing is ``http_wire.py``), an ``asyncio.Protocol``: the
protocol has four routes and the worker is the only client, so a framework would cost start-up
time and buy nothing, and a stream and a task per connection cost CPU on every request.

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
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

from .api_key import api_address, new_key, strip_key
from .http_wire import CONTINUE, Body, parse_head, response, wants_continue

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
        self._waiting: deque[_Connection] = deque()  # connections whose ``GET /next`` waits for an event
        self._current: Invocation | None = None
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[_Connection] = set()
        self.ready = asyncio.Event()
        """Set on the first ``GET /next``: the runtime finished its init phase."""
        self.ready_at = 0.0
        self.init_error: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.address = ""

    async def start(self, listener: socket.socket | None = None) -> str:
        """Serve on ``listener`` (bound before the worker was spawned) or a fresh port."""
        loop = asyncio.get_running_loop()
        if listener is not None:
            self._server = await loop.create_server(lambda: _Connection(self), sock=listener)
        else:
            self._server = await loop.create_server(lambda: _Connection(self), "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = api_address(host, port, self.key)
        return self.address

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self._connections):
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

    def _chunk_sink(self, method: str, route: str,
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

    def _refusal(self, method: str, path: str, peer: object) -> bytes:
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

    def _route(self, connection: _Connection, method: str, path: str, headers: dict[str, str],
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
            return self._next(self._queue.popleft())
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

    def _next(self, invocation: Invocation) -> bytes:
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


class _Connection(asyncio.Protocol):
    """One keep-alive connection of the worker: requests parsed as their bytes arrive, answered in order.

    A protocol rather than a stream and a task per connection: a request costs no task wake-up,
    future or stream read. Work that must wait (the connection's peer check, a streamed chunk's
    consumer) pauses reading; a ``GET /next`` waits for ``RuntimeAPI.submit``. Bytes that arrive
    meanwhile wait in the buffer, so pipelined requests are answered in order.
    """

    def __init__(self, api: RuntimeAPI) -> None:
        self.api = api
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.request: tuple[str, str, Body, Callable[[bytes], Awaitable[None]] | None] | None = None
        """The request whose body is being read: method, route, body, the streamed chunks' consumer."""
        self.busy = False  # a GET /next, a peer check or a chunk's consumer is pending: input waits
        self.closed = False
        self.ended = False  # the client sent all it will (end of file): close once it is answered
        self.held: tuple[str, str, dict[str, str]] | None = None  # a request head waiting for the peer check
        self.peer_ok: bool | None = None  # the connection's peer, checked once (clients keep connections alive)
        self.waiting_next = False  # busy with a GET /next: what is written waits to go with the event
        self._out: list[bytes] = []
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport subclasses
        self.api._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.api._connections.discard(self)
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self._process()

    def eof_received(self) -> bool:
        self.ended = True
        return self.busy  # a request being answered keeps its half of the connection open until it is

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def answer_next(self, invocation: Invocation) -> None:
        """The event this connection's ``GET /next`` waited for."""
        self._send(self.api._next(invocation))
        self.busy = self.waiting_next = False
        self._process()

    def _send(self, data: bytes) -> None:
        self._out.append(data)

    def _flush(self) -> None:
        """Write the answers gathered, in one write."""
        if self._out and self.transport is not None:
            self.transport.write(self._out[0] if len(self._out) == 1 else b"".join(self._out))
        self._out.clear()

    def _process(self) -> None:
        """Parse and answer every complete request in the buffer, until one has to wait.

        The answers go out together when it stops, except while a ``GET /next`` that came right behind
        them waits: a client that sent its answer and its next request at once (our bootstraps do) reads
        both answers in order anyway, so they go with the event, in one write and one wake-up of the
        worker instead of two. A client that waits for each answer sends nothing behind it: it gets it at once.
        """
        try:
            self._serve()
        finally:
            if not self.waiting_next:
                self._flush()

    def _serve(self) -> None:
        api = self.api
        try:
            while not self.busy and not self.closed:
                if self.request is None:
                    head, self.held = self.held or parse_head(self.buffer), None
                    if head is None:
                        if self.ended:
                            self._close()
                        return
                    method, path, headers = head
                    route = strip_key(path, api.key)
                    if route is None and api.peer_marker:
                        if self.peer_ok is None:
                            self.held = head  # served once the peer is known
                            self._wait(self._check_peer())
                            return
                        route = path if self.peer_ok else None
                    if route is None:
                        assert self.transport is not None
                        self._send(api._refusal(method, path, self.transport.get_extra_info("peername")))
                        self._close()
                        return
                    body = Body(headers)
                    self.request = (method, route, body, api._chunk_sink(method, route, headers))
                    if wants_continue(headers) and not body.done:
                        self._send(CONTINUE)
                method, route, body, sink = self.request
                chunks = body.feed(self.buffer)
                if chunks and sink is not None:
                    self._wait(_deliver(sink, chunks))
                    return
                if not body.done:
                    return
                self.request = None
                answer = api._route(self, method, route, body.headers, bytes(body.data))
                if answer is None:
                    self.busy = self.waiting_next = True  # answered by answer_next
                    return
                self._send(answer)
        except ValueError:  # malformed: the connection is dropped
            self._close()

    def _close(self) -> None:
        """Close after what was written (a refusal) has gone."""
        self._flush()
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _wait(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` with reading paused (back-pressure), then go on with the buffer."""
        assert self.transport is not None
        self.busy = True
        self.transport.pause_reading()
        self._task = asyncio.get_running_loop().create_task(work)
        self._task.add_done_callback(self._resume)

    def _resume(self, task: asyncio.Task[None]) -> None:
        self._task = None
        if task.cancelled() or self.closed:
            return
        if task.exception() is not None:
            self.abort()
            return
        assert self.transport is not None
        self.busy = False
        self.transport.resume_reading()
        self._process()

    async def _check_peer(self) -> None:
        from .peer import is_environment_peer

        assert self.transport is not None
        client, server = self.transport.get_extra_info("peername"), self.transport.get_extra_info("sockname")
        if not isinstance(client, tuple) or not isinstance(server, tuple):
            self.peer_ok = False
            return
        self.peer_ok = await asyncio.to_thread(is_environment_peer, client[:2], server[:2], self.api.worker_pid,
                                               self.api.peer_marker)


async def _deliver(sink: Callable[[bytes], Awaitable[None]], chunks: list[bytes]) -> None:
    for chunk in chunks:
        await sink(chunk)


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
