"""HTTP/1.1 requests for ``serve``, parsed from a connection's bytes: ``RequestParser`` and what it yields.

The parsing half of serve's HTTP server (``http_connection.py`` answers, ``http_server.py`` listens). Pure:
no I/O, so it is tested on its own, and any bytes either give requests or raise ``HttpError`` with the 4xx/5xx
to answer: a malformed request line or header (400), a head over ``MAX_HEAD`` bytes (431), a body over
``max_body`` (413), a transfer coding other than chunked (501), both ``Content-Length`` and
``Transfer-Encoding`` (400: the request-smuggling shape), another HTTP version (505), an ``Expect`` other
than ``100-continue`` (417). Heads are read with ``bytes.find`` and ``str.split``, one regex pass checks them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from ..http_wire import MAX_HEAD  # the Runtime API's limit too; a longer head is refused with 431

MAX_HEADERS = 200
DEFAULT_MAX_BODY = 8 * 1024 * 1024

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


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
