"""Serve's HTTP/1.1 connections: an ``asyncio.Protocol`` per client and the ``Responder`` that writes answers.

Why not aiohttp (used before): ``serve`` answers every request through the
engine and a worker on two shared cores, so the front's CPU per request bounds
throughput. aiohttp spent about 100 µs of CPU on each (its request and
response objects, multidicts, yarl URLs, a writer per answer); this parses with
``http_parser.RequestParser``, hands the gateway a plain ``HttpRequest`` and
writes each answer as one ``transport.write``.

What it speaks: keep-alive (HTTP/1.1 by default, HTTP/1.0 when asked),
pipelined requests (answered in order, one at a time), ``Content-Length`` and
``chunked`` request bodies, ``Expect: 100-continue``, ``HEAD``, and chunked
(HTTP/1.1) or close-delimited (HTTP/1.0) streamed answers with back-pressure.
A request the parser refuses is answered with its ``HttpError`` and the connection closed; an incomplete
request left idle gets 408 (see ``HttpConnection.expire``, swept by ``http_server.HttpServer``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import cast

from ..http_wire import CONTINUE, MAX_HEAD
from .clock import per_second
from .http_parser import HttpError, HttpRequest, RequestParser

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_log = logging.getLogger("svl.serve")


_date_stamp = per_second("%a, %d %b %Y %H:%M:%S GMT", time.gmtime)


def http_date() -> str:
    """The ``Date`` header's value, formatted once per second."""
    return _date_stamp(time.time())


_FRAMED_BY_US = frozenset(("content-length", "transfer-encoding", "connection"))
"""Headers this server sets from how it sends the body; a face's own values for them are dropped."""


def _head(status: int, headers: list[tuple[str, str]], extra: str, *, typed: bool = True) -> bytes:
    """Status line, ``headers`` (checked: no line breaks), ``Date`` unless given, then ``extra`` (framing).

    ``typed`` False: add ``Content-Type: application/octet-stream`` when ``headers`` have none.
    """
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"]
    dated = False
    for key, value in headers:
        key, value = str(key), str(value)
        if "\r" in key or "\n" in key or "\r" in value or "\n" in value or ":" in key or not key:
            raise ValueError(f"header {key[:40]!r} cannot be sent: it holds a line break or is not a header name")
        lower = key.lower()
        if lower in _FRAMED_BY_US:
            continue
        typed = typed or lower == "content-type"
        dated = dated or lower == "date"
        lines.append(f"{key}: {value}\r\n")
    if not typed:
        lines.append("Content-Type: application/octet-stream\r\n")
    if not dated:
        lines.append(f"Date: {http_date()}\r\n")
    lines.append(extra)
    return "".join(lines).encode("utf-8")


class Responder:
    """Writes the answer to one request: whole (``send``) or as a stream (``start``, ``write``, ``end``)."""

    __slots__ = ("_connection", "request", "started", "finished", "status", "_chunked")

    def __init__(self, connection: HttpConnection, request: HttpRequest) -> None:
        self._connection = connection
        self.request = request
        self.started = False
        self.finished = False
        self.status = 0
        self._chunked = False

    @property
    def peer(self) -> str:
        """The client's address."""
        return self._connection.peer

    @property
    def local_host(self) -> str:
        """``address:port`` the client connected to (the host of a request without a ``Host`` header)."""
        transport = self._connection.transport
        local = transport.get_extra_info("sockname") if transport is not None else None
        return f"{local[0]}:{local[1]}" if local else "127.0.0.1"

    def send(self, status: int, headers: list[tuple[str, str]], body: bytes = b"") -> None:
        """The whole answer in one write (``Content-Length``; no body for ``HEAD``)."""
        if self.started:
            raise RuntimeError("this request has already been answered")
        connection, request = self._connection, self.request
        keep = request.keep_alive and not connection.closing
        if status in (204, 304) or status < 200:
            body = b""  # these answers have no body (RFC 9110 6.4.1), nor a Content-Length for 1xx and 204
        extra = (("" if status == 204 or status < 200 else f"Content-Length: {len(body)}\r\n")
                 + ("" if keep else "Connection: close\r\n")
                 + ("Connection: keep-alive\r\n" if keep and request.version == "HTTP/1.0" else "") + "\r\n")
        head = _head(status, headers, extra, typed=not body)
        self.started, self.status = True, status
        connection.write(head if request.method == "HEAD" else head + body)
        self.finished = True
        connection.answered(keep)

    async def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        """Send the status and headers of a streamed answer (chunked on HTTP/1.1, until close on 1.0)."""
        if self.started:
            raise RuntimeError("this request has already been answered")
        self._chunked = self.request.version == "HTTP/1.1"
        extra = ("Transfer-Encoding: chunked\r\n" if self._chunked else "Connection: close\r\n") + "\r\n"
        self.started, self.status = True, status
        self._connection.write(_head(status, headers, extra))
        await self._connection.drain()

    async def write(self, data: bytes) -> None:
        """One piece of a streamed body, sent at once; waits while the client reads slower than we write."""
        if not data or self.request.method == "HEAD":
            return
        self._connection.write(b"%x\r\n%b\r\n" % (len(data), data) if self._chunked else data)
        await self._connection.drain()

    async def end(self) -> None:
        """End a streamed body."""
        if self.finished:
            return
        if self._chunked and self.request.method != "HEAD":
            self._connection.write(b"0\r\n\r\n")
        self.finished = True
        self._connection.answered(self._chunked and self.request.keep_alive and not self._connection.closing)


Handler = Callable[[HttpRequest, Responder], Awaitable[None]]


class HttpConnection(asyncio.Protocol):
    """One client connection: parses requests and runs the handler on them one at a time, in order."""

    def __init__(self, handler: Handler, connections: set[HttpConnection], tasks: set[asyncio.Task[None]],
                 max_body: int) -> None:
        self._handler = handler
        self._connections = connections
        self._tasks = tasks
        """The server's requests in flight (a request may outlive its connection: the function runs on)."""
        self.parser = RequestParser(max_body)
        self.transport: asyncio.Transport | None = None
        self.peer = "127.0.0.1"
        self.closing = False
        self._busy = False
        self._paused_reading = False
        self._drain: asyncio.Future[None] | None = None
        self._writable = True
        self._eof = False
        self.active_at = time.monotonic()
        """When a byte last came or an answer was last finished (see ``expire``)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        peer = transport.get_extra_info("peername")
        if peer:
            self.peer = peer[0]
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self._connections.discard(self)
        self._wake_writer()

    def pause_writing(self) -> None:
        self._writable = False

    def resume_writing(self) -> None:
        self._writable = True
        self._wake_writer()

    def _wake_writer(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        self._drain = None

    async def drain(self) -> None:
        if self._writable or self.closing:
            return
        self._drain = asyncio.get_running_loop().create_future()
        await self._drain

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.active_at = time.monotonic()
        self.parser.feed(data)
        if not self._busy:
            self._next()
        elif self.parser.buffered > MAX_HEAD and not self._paused_reading and self.transport is not None:
            self.transport.pause_reading()  # a client pipelining far ahead waits for our answers
            self._paused_reading = True

    def eof_received(self) -> bool | None:
        self._eof = True
        if not self._busy:
            self._next()
        return True  # half-closed: answer what was sent (in flight or pipelined), then close

    def _next(self) -> None:
        if self.closing or self._busy:
            return  # one request at a time: the next is read once this one is answered
        try:
            request = self.parser.next()
        except HttpError as error:
            self._refuse(error)
            return
        if request is None:
            waiting = self.parser.waiting_for_body
            if waiting is not None and waiting.expects_continue:
                waiting.expects_continue = False
                self.write(CONTINUE)
            if self._eof:
                self.close()
            return
        self._busy = True
        task = asyncio.get_running_loop().create_task(self._serve(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, request: HttpRequest) -> None:
        responder = Responder(self, request)
        try:
            await self._handler(request, responder)
        except Exception:  # noqa: BLE001 - any bug in a face is a 500 for this request, not a dead connection
            _log.exception("serve: %s %s failed", request.method, request.target)
            if not responder.started:
                responder.send(500, [("Content-Type", "application/json")],
                               b'{"message":"Internal Server Error"}')
            else:
                self.close()  # a stream cut short: the client sees the body end early
        if not responder.finished:
            _log.error("serve: %s %s ended without an answer", request.method, request.target)
            self.close()

    def answered(self, keep_alive: bool) -> None:
        """The answer is written: go on with the next request on this connection, or close it."""
        self._busy = False
        self.active_at = time.monotonic()
        if not keep_alive:
            self.close()
            return
        if self._paused_reading and self.transport is not None:
            self.transport.resume_reading()
            self._paused_reading = False
        if self.parser.buffered or self._eof:
            asyncio.get_running_loop().call_soon(self._next)  # pipelined: after this answer's bookkeeping

    def _refuse(self, error: HttpError) -> None:
        body = error.message.encode()
        self.write(_head(error.status, [("Content-Type", "text/plain; charset=utf-8")],
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n") + body)
        self.close()

    def expire(self, now: float, idle_s: float) -> None:
        """Close the connection if it has been idle ``idle_s`` (never while a request runs on it)."""
        if self._busy or self.closing or now - self.active_at < idle_s:
            return
        if self.parser.buffered or self.parser.waiting_for_body is not None:
            self._refuse(HttpError(408, f"Request Timeout: the request was still incomplete after {idle_s:g} s "
                                        "without a byte"))
        else:
            self.close()

    def close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Server shutdown: drop the connection."""
        self.closing = True
        if self.transport is not None:
            self.transport.abort()
