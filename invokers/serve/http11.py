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
another HTTP version (505).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

MAX_HEAD = 64 * 1024
"""Request line and headers together; a longer head is refused with 431."""
MAX_HEADERS = 200
DEFAULT_MAX_BODY = 8 * 1024 * 1024

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

    def __init__(self, method: str, target: str, version: str, headers: list[tuple[str, str]]) -> None:
        self.method = method
        self.target = target
        raw_path, _, self.query_string = target.partition("?")
        self.path = unquote(raw_path) if "%" in raw_path else raw_path
        self.version = version
        self.headers = headers
        self.body = b""
        connection = (self.header("connection") or "").lower()
        self.keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
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
    """

    def __init__(self, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.max_body = max_body
        self._buffer = bytearray()
        self._pending: HttpRequest | None = None
        self._length = 0  # bytes of body still expected (Content-Length), or -1: chunked
        self._chunks = bytearray()
        self._chunk_left = -1  # chunked: bytes left in the current chunk (+ its CRLF), -1: at a size line

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def waiting_for_body(self) -> HttpRequest | None:
        """The request whose head is read and whose body is still coming (to answer ``Expect: 100-continue``)."""
        return self._pending

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next(self) -> HttpRequest | None:
        """The next whole request, or None until more bytes come. Raises ``HttpError`` on a bad one."""
        if self._pending is None:
            buffer = self._buffer
            while buffer[:2] == b"\r\n":  # a stray CRLF before a request line is ignored (RFC 9112 2.2)
                del buffer[:2]
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD:
                    raise HttpError(431, "Request Header Fields Too Large: the request line and headers must "
                                         f"fit in {MAX_HEAD} bytes")
                return None
            if end > MAX_HEAD:
                raise HttpError(431, f"Request Header Fields Too Large: the request line and headers must fit in "
                                     f"{MAX_HEAD} bytes")
            request, self._length = _parse_head(bytes(buffer[:end]), self.max_body)
            del buffer[:end + 4]
            if self._length == 0:
                return request
            self._pending = request
            self._chunks.clear()
            self._chunk_left = -1
        request = self._pending
        if self._length > 0:
            if len(self._buffer) < self._length:
                return None
            request.body = bytes(self._buffer[:self._length])
            del self._buffer[:self._length]
        elif not self._dechunk():
            return None
        else:
            request.body = bytes(self._chunks)
        self._pending = None
        return request

    def _dechunk(self) -> bool:
        """Move whole chunks from the buffer to the body; True once the last chunk and trailers are read."""
        buffer = self._buffer
        while True:
            if self._chunk_left < 0:
                end = buffer.find(b"\r\n")
                if end < 0:
                    if len(buffer) > 1024:
                        raise HttpError(400, "Bad Request: a chunk-size line is longer than 1024 bytes")
                    return False
                size_text = bytes(buffer[:end]).split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise HttpError(400, f"Bad Request: invalid chunk size {size_text[:20]!r}") from None
                if size < 0 or size_text[:1] in (b"+", b"-"):
                    raise HttpError(400, f"Bad Request: invalid chunk size {size_text[:20]!r}")
                if size == 0:
                    trailers = buffer.find(b"\r\n", end + 2)
                    if trailers < 0:
                        if len(buffer) > MAX_HEAD:
                            raise HttpError(431, "Request Header Fields Too Large: chunked trailers too long")
                        return False
                    if trailers != end + 2:  # trailers present: read up to the blank line that ends them
                        trailers = buffer.find(b"\r\n\r\n", end)
                        if trailers < 0:
                            return False
                        trailers += 2
                    del buffer[:trailers + 2]
                    return True
                if len(self._chunks) + size > self.max_body:
                    raise HttpError(413, f"Request Entity Too Large: the body must be at most {self.max_body} bytes")
                del buffer[:end + 2]
                self._chunk_left = size + 2
            if len(buffer) < self._chunk_left:
                return False
            if buffer[self._chunk_left - 2:self._chunk_left] != b"\r\n":
                raise HttpError(400, "Bad Request: a chunk does not end with CRLF where its size says")
            self._chunks += buffer[:self._chunk_left - 2]
            del buffer[:self._chunk_left]
            self._chunk_left = -1


def _parse_head(head: bytes, max_body: int) -> tuple[HttpRequest, int]:
    """The request of ``head`` (without the blank line) and its body length (0: none, -1: chunked)."""
    lines = head.decode("latin-1").split("\r\n")
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
    headers: list[tuple[str, str]] = []
    length: str | None = None
    coding: str | None = None
    expect = ""
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HttpError(400, f"Bad Request: malformed header line {line[:100]!r}"
                            + (" (obsolete line folding is not accepted)" if line[:1] in (" ", "\t") else ""))
        value = value.strip(" \t")
        if "\n" in value or "\r" in value or "\x00" in value:
            raise HttpError(400, f"Bad Request: control character in header {name!r}")
        lower = name.lower()
        if lower == "content-length":
            if length is not None and length != value:
                raise HttpError(400, "Bad Request: conflicting Content-Length headers")
            length = value
        elif lower == "transfer-encoding":
            coding = value.lower() if coding is None else f"{coding}, {value.lower()}"
        elif lower == "expect":
            expect = value.lower()
        headers.append((name, value))
    request = HttpRequest(method, target, version, headers)
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


_date_second = -1
_date_text = ""


def http_date() -> str:
    """The ``Date`` header's value, formatted once per second."""
    global _date_second, _date_text
    now = int(time.time())
    if now != _date_second:
        _date_second, _date_text = now, time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now))
    return _date_text


def _head(status: int, headers: list[tuple[str, str]], extra: str) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"]
    for key, value in headers:
        key, value = str(key), str(value)
        if "\r" in key or "\n" in key or "\r" in value or "\n" in value or ":" in key or not key:
            raise ValueError(f"header {key[:40]!r} cannot be sent: it holds a line break or is not a header name")
        lines.append(f"{key}: {value}\r\n")
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
        extra = (f"Content-Length: {len(body)}\r\nDate: {http_date()}\r\n"
                 + ("" if keep else "Connection: close\r\n")
                 + ("Connection: keep-alive\r\n" if keep and request.version == "HTTP/1.0" else "") + "\r\n")
        if body and not any(key.lower() == "content-type" for key, _ in headers):
            headers = [*headers, ("Content-Type", "application/octet-stream")]
        head = _head(status, headers, extra)
        self.started, self.status = True, status
        connection.write(head if request.method == "HEAD" else head + body)
        self.finished = True
        connection.answered(keep)

    async def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        """Send the status and headers of a streamed answer (chunked on HTTP/1.1, until close on 1.0)."""
        if self.started:
            raise RuntimeError("this request has already been answered")
        self._chunked = self.request.version == "HTTP/1.1"
        extra = (f"Date: {http_date()}\r\n"
                 + ("Transfer-Encoding: chunked\r\n" if self._chunked else "Connection: close\r\n") + "\r\n")
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

    def __init__(self, handler: Handler, connections: set[HttpConnection], max_body: int) -> None:
        self._handler = handler
        self._connections = connections
        self.parser = RequestParser(max_body)
        self.transport: asyncio.Transport | None = None
        self.peer = "127.0.0.1"
        self.closing = False
        self._busy = False
        self._paused_reading = False
        self._drain: asyncio.Future[None] | None = None
        self._writable = True
        self._eof = False
        self._tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
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
        if self.closing:
            return
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
                         f"Content-Length: {len(body)}\r\nDate: {http_date()}\r\nConnection: close\r\n\r\n") + body)
        self.close()

    def close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Server shutdown: drop the connection and the requests running on it."""
        for task in list(self._tasks):
            task.cancel()
        self.closing = True
        if self.transport is not None:
            self.transport.abort()


class HttpServer:
    """Listens on ``host:port`` and serves each connection with ``HttpConnection``."""

    def __init__(self, handler: Handler, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        self._handler = handler
        self._max_body = max_body
        self._server: asyncio.Server | None = None
        self.connections: set[HttpConnection] = set()

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (``port`` 0 picks a free one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpConnection(self._handler, self.connections, self._max_body), host, port,
            backlog=1024, reuse_address=True)
        sockets: Any = self._server.sockets
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        tasks = [task for connection in list(self.connections) for task in connection._tasks]
        for connection in list(self.connections):
            connection.abort()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None
