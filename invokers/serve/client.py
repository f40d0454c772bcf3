"""The CLI's side of a running session: send one invocation there and read its stream back.

A plain socket and HTTP/1.0 (the session answers by streaming NDJSON lines and
closing, so there is nothing to parse but a status line): ``http.client`` alone
would import the ``email`` package and cost more than the rest of a reused
``svl-tui invoke``, whose whole point is to cost little more than Python's start.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from ..models import LogRecord, Result, Update
from .session import Session

CONNECT_TIMEOUT_S = 2.0  # connect and status line; generous: a loaded machine must not make a live session look gone
MAX_HEAD = 64 * 1024


class SessionGone(Exception):
    """The session did not answer (stopped, restarted, or not ours): run in-process instead."""


def invoke(session: Session, function: str, event: Any = None, *, use_default: bool = False) -> Iterator[Update]:
    """Stream one invocation run by ``session``: log records, then the Result.

    Raises ``SessionGone`` before anything was yielded when the session cannot
    run it (unreachable, wrong key, unknown function), so the caller can fall
    back to an in-process run without having printed anything.
    """
    parts = urlsplit(session.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    body = json.dumps({} if use_default else {"event": event}).encode()
    head = (f"POST /_svl/invoke/{quote(function, safe='')} HTTP/1.0\r\nHost: {host}:{port}\r\n"
            f"x-svl-session-key: {session.key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    try:
        connection = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
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
    return _updates(connection, stream)


def _status(stream: Any) -> int:
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


def _updates(connection: socket.socket, stream: Any) -> Iterator[Update]:
    try:
        for line in stream:
            if not line.strip():
                continue
            item = json.loads(line)
            if "log" in item:
                yield LogRecord(**item["log"])
            elif "result" in item:
                yield Result(**item["result"])
                return
        raise SessionGone("the session closed the stream before the result")
    except OSError as exc:
        raise SessionGone(str(exc)) from None
    finally:
        stream.close()
        connection.close()
