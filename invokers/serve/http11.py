"""The HTTP/1.1 server under ``serve``: a small parser and an ``asyncio.Protocol``, nothing per request it can avoid.

Why not aiohttp (used before): ``serve`` answers every request through the
engine and a worker on two shared cores, so the front's CPU per request bounds
throughput. aiohttp spent about 100 µs of CPU on each (its request and
response objects, multidicts, yarl URLs, a writer per answer); this server
parses the head with ``bytes.find`` and ``str.split``, hands the gateway a
plain ``HttpRequest`` and writes each answer as one ``transport.write``.

What it speaks: keep-alive (HTTP/1.1 by default, HTTP/1.0 when asked),
pipelined requests (answered in order, one at a time), ``Content-Length`` and
``chunked`` request bodies, ``Expect: 100-continue``, ``HEAD``, and chunked
(HTTP/1.1) or close-delimited (HTTP/1.0) streamed answers with back-pressure.
What it refuses, each with a clear 4xx/5xx answer and the connection closed: a
malformed request line or header (400), a head over ``MAX_HEAD`` bytes (431), a
body over ``max_body`` (413), a transfer coding other than chunked (501), both
``Content-Length`` and ``Transfer-Encoding`` (400: the request-smuggling shape),
another HTTP version (505), an incomplete request left idle for ``IDLE_S`` (408).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import unquote

MAX_HEAD = 64 * 1024
"""Request line and headers together; a longer head is refused with 431."""
MAX_HEADERS = 200
DEFAULT_MAX_BODY = 8 * 1024 * 1024
IDLE_S = 75.0
"""A connection with no request running and no byte for this long is closed (aiohttp's keep-alive time);
an incomplete request left that long gets 408 first."""

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_log = logging.getLogger("svl.serve")


class HttpError(Exception):
    """A request this server refuses: answered with ``status`` and ``message``, then the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HttpRequest:
    """One parsed request: the raw target, the decoded path, the headers as sent (case and order kept)."""

    __slots__ = ("method", "target", "path", "query_string", "version", "headers", "body", "keep_alive",
                 "expects_continue")

    def __init__(self, method: str, target: str, version: str, headers: list[tuple[str, str]],
                 keep_alive: bool = True) -> None:
        self.method = method
        self.target = target
        raw_path, _, self.query_string = target.partition("?")
        self.path = unquote(raw_path) if "%" in raw_path else raw_path
        self.version = version
        self.headers = headers
        self.body = b""
        self.keep_alive = keep_alive
        self.expects_continue = False

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` (any case), or None."""
        name = name.lower()
        for key, value in reversed(self.headers):
            if key.lower() == name:
                return value
        return None

    @property
    def host(self) -> str:
        return self.header("host") or ""


class RequestParser:
    """Turns the bytes of one connection into ``HttpRequest``s: ``feed`` what arrives, then ``next`` until None.

    Pure (no I/O), so it is tested on its own: any split of a valid stream
    gives the same requests, and any bytes either parse or raise ``HttpError``.
    Bytes are kept as they came (a list of pieces, joined only when a whole
    head or body may be there) and read at an offset, so a request that
    arrives in one piece is parsed without copying the buffer around.
    """

    def __init__(self, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.max_body = max_body
        self._buffer = b""
        self._at = 0  # where the unread bytes of _buffer start
        self._more: list[bytes] = []  # pieces that came after _buffer, not joined yet
        self._size = 0  # unread bytes in all
        self._pending: HttpRequest | None = None
        self._length = 0  # body bytes expected (Content-Length), or -1: chunked
        self._chunks: list[bytes] = []
        self._chunked_size = 0
        self._chunk_left = -1  # chunked: bytes left in the current chunk (+ its CRLF), -1: at a size line

    @property
    def buffered(self) -> int:
        return self._size

    @property
    def waiting_for_body(self) -> HttpRequest | None:
        """The request whose head is read and whose body is still coming (to answer ``Expect: 100-continue``)."""
        return self._pending

    def feed(self, data: bytes) -> None:
        if self._size:
            self._more.append(data)
        else:
            self._buffer, self._at = data, 0
        self._size += len(data)

    def _joined(self) -> bytes:
        if self._more:
            self._buffer = b"".join([self._buffer[self._at:], *self._more])
            self._at = 0
            self._more.clear()
        return self._buffer

    def _consume(self, count: int) -> None:
        self._at += count
        self._size -= count
        if not self._size:
            self._buffer, self._at = b"", 0

    def next(self) -> HttpRequest | None:
        """The next whole request, or None until more bytes come. Raises ``HttpError`` on a bad one."""
        if self._pending is None:
            if not self._size:
                return None
            buffer = self._joined()
            while buffer.startswith(b"\r\n", self._at):  # a stray CRLF before a request line (RFC 9112 2.2)
                self._consume(2)
            at = self._at
            end = buffer.find(b"\r\n\r\n", at)
            if end < 0 or end - at > MAX_HEAD:
                if self._size > MAX_HEAD:
                    raise HttpError(431, "Request Header Fields Too Large: the request line and headers must "
                                         f"fit in {MAX_HEAD} bytes")
                return None
            request, self._length = _parse_head(buffer[at:end], self.max_body)
            self._consume(end + 4 - at)
            if self._length == 0:
                return request
            self._pending = request
            self._chunks, self._chunked_size, self._chunk_left = [], 0, -1
        request = self._pending
        if self._length > 0:
            if self._size < self._length:
                return None
            buffer, at = self._joined(), self._at
            request.body = buffer[at:at + self._length]
            self._consume(self._length)
        elif not self._dechunk():
            return None
        else:
            request.body = b"".join(self._chunks)
        self._pending = None
        return request

    def _dechunk(self) -> bool:
        """Move whole chunks from the buffer to the body; True once the last chunk and trailers are read."""
        while self._size:
            buffer, at = self._joined(), self._at
            if self._chunk_left < 0:
                end = buffer.find(b"\r\n", at)
                if end < 0:
                    if self._size > 1024:
                        raise HttpError(400, "Bad Request: a chunk-size line is longer than 1024 bytes")
                    return False
                size_text = buffer[at:end].split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise HttpError(400, f"Bad Request: invalid chunk size {size_text[:20]!r}") from None
                if size < 0 or size_text[:1] in (b"+", b"-"):
                    raise HttpError(400, f"Bad Request: invalid chunk size {size_text[:20]!r}")
                if size == 0:
                    trailers = buffer.find(b"\r\n", end + 2)
                    if trailers < 0:
                        if self._size > MAX_HEAD:
                            raise HttpError(431, "Request Header Fields Too Large: chunked trailers too long")
                        return False
                    if trailers != end + 2:  # trailers present: read up to the blank line that ends them
                        trailers = buffer.find(b"\r\n\r\n", end)
                        if trailers < 0:
                            return False
                        trailers += 2
                    self._consume(trailers + 2 - at)
                    return True
                if self._chunked_size + size > self.max_body:
                    raise HttpError(413, f"Request Entity Too Large: the body must be at most {self.max_body} bytes")
                self._consume(end + 2 - at)
                self._chunk_left = size + 2
                continue
            if self._size < self._chunk_left:
                return False
            left = self._chunk_left
            if buffer[at + left - 2:at + left] != b"\r\n":
                raise HttpError(400, "Bad Request: a chunk does not end with CRLF where its size says")
            self._chunks.append(buffer[at:at + left - 2])
            self._chunked_size += left - 2
            self._consume(left)
            self._chunk_left = -1
        return False


_HEAD = re.compile(r"[^\r\n\x00]*(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n\x00]*)*")
"""A head without a bad header line or a stray CR, LF or NUL: checked in one pass before splitting."""
_FRAMING = frozenset(("content-length", "transfer-encoding", "expect", "connection"))


def _parse_head(head: bytes, max_body: int) -> tuple[HttpRequest, int]:
    """The request of ``head`` (without the blank line) and its body length (0: none, -1: chunked)."""
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[1] or not _TOKEN.fullmatch(parts[0]):
        raise HttpError(400, f"Bad Request: malformed request line {lines[0][:100]!r} "
                             "(expected: METHOD /path HTTP/1.1)")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        if not version.startswith("HTTP/"):
            raise HttpError(400, f"Bad Request: malformed request line {lines[0][:100]!r}")
        raise HttpError(505, f"HTTP Version Not Supported: {version[:20]}; use HTTP/1.1 or HTTP/1.0")
    if len(lines) > MAX_HEADERS + 1:
        raise HttpError(431, f"Request Header Fields Too Large: more than {MAX_HEADERS} headers")
    if _HEAD.fullmatch(text) is None:
        _refuse_header(lines)
    headers: list[tuple[str, str]] = []
    framing: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        value = value.strip(" \t")
        headers.append((name, value))
        lower = name.lower()
        if lower in _FRAMING:
            if lower == "content-length" and framing.get(lower, value) != value:
                raise HttpError(400, "Bad Request: conflicting Content-Length headers")
            if lower == "transfer-encoding" and lower in framing:
                value = f"{framing[lower]}, {value}"
            framing[lower] = value.lower()
    if not framing:
        return HttpRequest(method, target, version, headers, version == "HTTP/1.1"), 0
    connection = framing.get("connection", "")
    request = HttpRequest(method, target, version, headers,
                          "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection)
    length, coding, expect = framing.get("content-length"), framing.get("transfer-encoding"), framing.get("expect")
    if coding is not None:
        if length is not None:
            raise HttpError(400, "Bad Request: both Content-Length and Transfer-Encoding were sent")
        if coding != "chunked":
            raise HttpError(501, f"Not Implemented: Transfer-Encoding {coding!r} (only chunked is accepted)")
        size = -1
    elif length is not None:
        if not length.isdigit() or not length.isascii():
            raise HttpError(400, f"Bad Request: invalid Content-Length {length[:20]!r}")
        size = int(length)
        if size > max_body:
            raise HttpError(413, f"Request Entity Too Large: the body must be at most {max_body} bytes")
    else:
        size = 0
    if expect:
        if expect != "100-continue":
            raise HttpError(417, f"Expectation Failed: {expect[:40]!r} (only 100-continue is understood)")
        request.expects_continue = size != 0
    return request, size


def _refuse_header(lines: list[str]) -> None:
    """The 400 for the first bad line of a head that ``_HEAD`` refused."""
    if any(char in lines[0] for char in "\r\n\x00"):
        raise HttpError(400, f"Bad Request: control character in the request line {lines[0][:100]!r}")
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HttpError(400, f"Bad Request: malformed header line {line[:100]!r}"
                            + (" (obsolete line folding is not accepted)" if line[:1] in (" ", "\t") else ""))
        if any(char in value for char in "\r\n\x00"):
            raise HttpError(400, f"Bad Request: control character in header {name!r}")
    raise HttpError(400, "Bad Request: malformed head")  # pragma: no cover - _HEAD refuses only the cases above


_date_second = -1
_date_text = ""


def http_date() -> str:
    """The ``Date`` header's value, formatted once per second."""
    global _date_second, _date_text
    now = int(time.time())
    if now != _date_second:
        _date_second, _date_text = now, time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now))
    return _date_text


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
                self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
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


class HttpServer:
    """Listens on ``host:port`` and serves each connection with ``HttpConnection``."""

    def __init__(self, handler: Handler, *, max_body: int = DEFAULT_MAX_BODY, idle_s: float = IDLE_S) -> None:
        self._handler = handler
        self._max_body = max_body
        self.idle_s = idle_s
        self._sweeper: asyncio.TimerHandle | None = None
        self._server: asyncio.Server | None = None
        self.connections: set[HttpConnection] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (``port`` 0 picks a free one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpConnection(self._handler, self.connections, self.tasks, self._max_body), host, port,
            backlog=1024, reuse_address=True)
        sockets: Any = self._server.sockets
        self._sweep()
        return int(sockets[0].getsockname()[1]) if sockets else port

    def _sweep(self) -> None:
        """Every few seconds, not per request: close the connections idle for ``idle_s``."""
        now = time.monotonic()
        for connection in list(self.connections):
            connection.expire(now, self.idle_s)
        self._sweeper = asyncio.get_running_loop().call_later(min(self.idle_s / 2, 15.0), self._sweep)

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        for connection in list(self.connections):
            connection.abort()
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()  # requests in flight, and functions still running after an early answer
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None
