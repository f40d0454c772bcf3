"""HTTP/1.1 on the wire, as the Runtime API needs it: one request at a time from a keep-alive
connection (Content-Length or chunked bodies, trailers, ``Expect: 100-continue``) and plain answers.

Kept apart from the Runtime API's routes (``runtime_api.py``): parsing bytes from a socket is one job,
what the four routes mean is another. Malformed input raises ``ValueError``; the caller drops the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

MAX_BODY = 64 * 1024 * 1024  # reject absurd bodies; the engine enforces Lambda's 6 MB limit itself


REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            413: "Payload Too Large"}


def write_response(writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes) -> None:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}", "Content-Type: application/json",
             f"Content-Length: {len(body)}"]
    lines.extend(f"{key}: {value}" for key, value in headers.items())
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


async def read_request(reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter | None = None) -> tuple[str, str, dict[str, str], bytes] | None:
    """One request from a keep-alive connection, or None when the peer closed it.

    Malformed requests raise ``ValueError`` (the connection is then dropped).
    """
    head = await read_head(reader)
    if head is None:
        return None
    method, path, headers = head
    return method, path, headers, await read_body(reader, headers, writer)


async def read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]] | None:
    """Request line and headers; None when the peer closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError as exc:
        raise ValueError("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    if not method or not path.startswith("/"):
        raise ValueError(f"malformed request line {lines[0][:100]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return method, path, headers


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str], writer: asyncio.StreamWriter | None,
                     on_chunk: Callable[[bytes], Awaitable[None]] | None = None) -> bytes:
    """The body: chunked or Content-Length; a client that asked ``Expect: 100-continue`` is told to go on
    (curl waits a second for that before sending a body over 1 MB). ``on_chunk`` sees each piece of a
    chunked body as it arrives (a streamed response), and the whole is returned as well."""
    chunked = headers.get("transfer-encoding", "").lower() == "chunked"
    length = 0
    if not chunked:
        text = headers.get("content-length", "0") or "0"
        if not text.isdigit() or not text.isascii():
            raise ValueError(f"invalid Content-Length {text[:40]!r}")
        length = int(text)
        if length > MAX_BODY:
            raise ValueError("body too large")
    if writer is not None and headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if chunked:
        return await read_chunked(reader, headers, on_chunk)
    return await reader.readexactly(length) if length else b""


async def read_chunked(reader: asyncio.StreamReader, headers: dict[str, str],
                        on_chunk: Callable[[bytes], Awaitable[None]] | None = None) -> bytes:
    """Chunked bodies: curl-based custom runtimes and streamed responses send them.

    Trailers (a streamed response's error, our bootstraps' timing) join ``headers``.
    """
    body = bytearray()
    while True:
        try:
            line = await reader.readuntil(b"\r\n")
        except asyncio.LimitOverrunError as exc:
            raise ValueError("chunk size line too long") from exc
        digits = line.split(b";")[0].strip()
        if not digits or any(c not in b"0123456789abcdefABCDEF" for c in digits):
            raise ValueError(f"invalid chunk size {digits[:40]!r}")
        size = int(digits, 16)
        if size > MAX_BODY:
            raise ValueError("body too large")
        if size == 0:
            while trailer := (await reader.readuntil(b"\r\n")).decode("latin-1").rstrip("\r\n"):
                key, _, value = trailer.partition(":")
                headers[key.strip().lower()] = value.strip()
            return bytes(body)
        chunk = await reader.readexactly(size)
        body += chunk
        await reader.readexactly(2)
        if len(body) > MAX_BODY:
            raise ValueError("body too large")
        if on_chunk is not None and chunk:
            await on_chunk(chunk)
