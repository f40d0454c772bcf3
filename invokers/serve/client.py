"""The CLI's side of a running session: send one invocation there and relay what it prints.

The session runs the invocation *and renders it* with the CLI's own output code
(``cli_output.print_updates``), for this client's terminal (colours, ``--json``,
``-q``); what comes back is the bytes for our stdout and stderr, in frames, as
they are produced (a streamed response's chunks too), then the exit code. So this
side imports nothing but ``os``, ``socket`` and ``json`` (no models, no
dataclasses, no output code), which is what keeps a reused ``svl-tui invoke``
close to Python's own start.

The wire: ``POST /_svl/invoke/{function}`` over HTTP/1.0 on a plain socket
(``http.client`` alone would import the ``email`` package), a JSON body (see
``cli_reuse.request_for``), the session key in ``x-svl-session-key``; the answer
is a stream of frames, each ``b"<fd> <length>\\n"`` and that many bytes: fd 1
stdout, 2 stderr, 0 the exit code (its digits), which ends the stream.
"""

from __future__ import annotations

import json
import os
import socket

TYPE_CHECKING = False  # not `typing`'s: importing typing would cost this path ~2 ms
if TYPE_CHECKING:
    from typing import Any, BinaryIO

    from .session import Session

CONNECT_TIMEOUT_S = 2.0  # connect and status line; generous: a loaded machine must not make a live session look gone
MAX_HEAD = 64 * 1024
EXIT_FRAME = 0
EXIT_USAGE = 2


class SessionGone(Exception):
    """The session did not answer (stopped, restarted, or not ours): run in-process instead."""


def run(session: Session, function: str, request: dict[str, Any]) -> int:
    """Run ``function`` in ``session``, copying its output to our stdout and stderr as it comes; the exit code.

    Raises ``SessionGone`` before anything was written when the session cannot
    run it (unreachable, wrong key, unknown function), so the caller can run it
    in-process having printed nothing. A session that stops half-way is reported
    on stderr (exit code 2): what it printed cannot be taken back.
    """
    connection, stream = _open(session, function, request)
    try:
        return _relay(stream)
    finally:
        stream.close()
        connection.close()


def _open(session: Session, function: str, request: dict[str, Any]) -> tuple[socket.socket, BinaryIO]:
    """Connect, send the request and read the answer's head; raises SessionGone unless it is a 200."""
    host, port = _address(session.url)
    body = json.dumps(request).encode()
    head = (f"POST /_svl/invoke/{_quoted(function)} HTTP/1.0\r\nHost: {host}:{port}\r\n"
            f"x-svl-session-key: {session.key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    try:
        # bytes: a str host goes through the "idna" codec, whose import (stringprep, unicodedata) costs ~1.5 ms
        connection = socket.create_connection((host.encode() if host.isascii() else host, port),  # type: ignore[arg-type]
                                              timeout=CONNECT_TIMEOUT_S)
    except OSError as exc:
        raise SessionGone(str(exc)) from None
    try:
        connection.sendall(head + body)
        stream = connection.makefile("rb")
        status = _status(stream)
    except (OSError, ValueError) as exc:
        connection.close()
        raise SessionGone(str(exc)) from None
    if status != 200:
        connection.close()
        raise SessionGone(f"session answered {status}")
    connection.settimeout(None)  # the invocation takes as long as the function's timeout allows
    return connection, stream


def _address(url: str) -> tuple[str, int]:
    """Host and port of ``http://host:port`` (``urllib.parse`` would cost this path a millisecond)."""
    netloc = url.split("//", 1)[-1].split("/", 1)[0]
    host, _, port = netloc.rpartition(":")
    if not port.isdigit():
        host, port = netloc, "80"
    return host.strip("[]") or "127.0.0.1", int(port)


def _quoted(name: str) -> str:
    if all(c.isascii() and (c.isalnum() or c in "-_.~") for c in name):
        return name
    from urllib.parse import quote

    return quote(name, safe="")


def _status(stream: BinaryIO) -> int:
    """The status code, after reading the response head up to its blank line."""
    line = stream.readline(MAX_HEAD)
    fields = line.split()
    if len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
        raise ValueError(f"not an HTTP answer: {line[:80]!r}")
    read = len(line)
    while (header := stream.readline(MAX_HEAD)) not in (b"\r\n", b"\n", b""):
        read += len(header)
        if read > MAX_HEAD:
            raise ValueError("response head too large")
    return int(fields[1])


def _relay(stream: BinaryIO) -> int:
    """Copy frames to file descriptors 1 and 2 until the exit frame."""
    try:
        while True:
            head = stream.readline(64).split()
            if len(head) != 2 or not head[0].isdigit() or not head[1].isdigit():
                return _stopped("the stream ended before the invocation did" if not head else "a malformed frame")
            fd, length = int(head[0]), int(head[1])
            data = stream.read(length)
            if len(data) != length:
                return _stopped("the stream ended before the invocation did")
            if fd == EXIT_FRAME:
                return int(data)
            _write_all(fd if fd in (1, 2) else 2, data)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise  # our own stdout's reader left (`| head`): the entry point says so
        return _stopped(str(exc))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _stopped(why: str) -> int:
    _write_all(2, f"svl-tui: error: the running session stopped during the invocation ({why})\n".encode())
    return EXIT_USAGE
