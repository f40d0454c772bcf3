"""HTTP/1.1 on the wire, as the Runtime API needs it: requests parsed from the bytes of a keep-alive
connection (Content-Length or chunked bodies, trailers) and plain answers.

Kept apart from the Runtime API's routes (``runtime_api.py``): parsing bytes is one job, what the four
routes mean is another. The parser does no I/O (the server's protocol feeds it what arrived), so a request
costs no task, stream or future, and bytes after a request stay buffered for the next (pipelining).
Malformed input raises ``ValueError``; the caller drops the connection.
"""

from __future__ import annotations

MAX_BODY = 64 * 1024 * 1024  # reject absurd bodies; the engine enforces Lambda's 6 MB limit itself
MAX_HEAD = 64 * 1024  # a request line and headers longer than this are refused
MAX_LINE = 64 * 1024  # a chunk-size or trailer line

REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           413: "Payload Too Large"}
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_HEX = frozenset(b"0123456789abcdefABCDEF")


def response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    """A whole answer: status line, JSON content type, length, ``headers``, then ``body``."""
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}", "Content-Type: application/json",
             f"Content-Length: {len(body)}"]
    lines.extend(f"{key}: {value}" for key, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def parse_head(buffer: bytearray) -> tuple[str, str, dict[str, str]] | None:
    """Request line and headers (names lower-cased) taken off the front of ``buffer``; None while incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEAD:
            raise ValueError("request head too large")
        return None
    if end > MAX_HEAD:
        raise ValueError("request head too large")
    lines = buffer[:end].decode("latin-1").split("\r\n")
    del buffer[:end + 4]
    method, path, _version = lines[0].split(" ", 2)
    if not method or not path.startswith("/"):
        raise ValueError(f"malformed request line {lines[0][:100]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return method, path, headers


def wants_continue(headers: dict[str, str]) -> bool:
    """The client waits for ``100 Continue`` before its body (curl does for bodies over 1 MB, for a second)."""
    return headers.get("expect", "").lower() == "100-continue"


_SIZE, _DATA, _CRLF, _TRAILERS = range(4)


class Body:
    """One request's body, read from the connection's buffer as it arrives.

    ``feed`` takes what it can off the front of the buffer and returns the chunks of a chunked
    body completed by it (a streamed response is handed over piece by piece); ``done`` once the
    whole body is in ``data``. A chunked body's trailers join ``headers``.
    """

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self.data = bytearray()
        self._left = 0
        self._state = _SIZE
        self._chunk = bytearray()
        self.done = False
        if not self.chunked:
            text = headers.get("content-length", "0") or "0"
            if not text.isdigit() or not text.isascii():
                raise ValueError(f"invalid Content-Length {text[:40]!r}")
            self._left = int(text)
            if self._left > MAX_BODY:
                raise ValueError("body too large")
            self.done = self._left == 0

    def feed(self, buffer: bytearray) -> list[bytes]:
        if self.done:
            return []
        if not self.chunked:
            take = min(self._left, len(buffer))
            self.data += buffer[:take]
            del buffer[:take]
            self._left -= take
            self.done = self._left == 0
            return []
        chunks: list[bytes] = []
        while not self.done:
            if self._state == _DATA:
                if not buffer:
                    break
                take = min(self._left, len(buffer))
                self._chunk += buffer[:take]
                del buffer[:take]
                self._left -= take
                if self._left:
                    break
                self.data += self._chunk
                if len(self.data) > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(bytes(self._chunk))
                self._chunk.clear()
                self._state = _CRLF
            elif self._state == _CRLF:
                if len(buffer) < 2:
                    break
                del buffer[:2]
                self._state = _SIZE
            else:
                line = _line(buffer)
                if line is None:
                    break
                if self._state == _TRAILERS:
                    if not line:
                        self.done = True
                        break
                    key, _, value = line.decode("latin-1").partition(":")
                    self.headers[key.strip().lower()] = value.strip()
                    continue
                digits = line.split(b";")[0].strip()
                if not digits or not _HEX.issuperset(digits):
                    raise ValueError(f"invalid chunk size {digits[:40]!r}")
                size = int(digits, 16)
                if size > MAX_BODY:
                    raise ValueError("body too large")
                self._left = size
                self._state = _DATA if size else _TRAILERS
        return chunks


def _line(buffer: bytearray) -> bytes | None:
    """One CRLF-ended line taken off ``buffer`` (without its CRLF); None while incomplete."""
    end = buffer.find(b"\r\n")
    if end < 0:
        if len(buffer) > MAX_LINE:
            raise ValueError("chunk size line too long")
        return None
    line = bytes(buffer[:end])
    del buffer[:end + 2]
    return line
