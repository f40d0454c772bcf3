"""The CLI's side of a running session: send one invocation there and read its stream back.

Standard library only (``http.client``), so ``svl-tui invoke`` against a warm
session costs little more than Python's own start.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from ..models import LogRecord, Result, Update
from .session import Session

CONNECT_TIMEOUT_S = 0.5


class SessionGone(Exception):
    """The session did not answer (stopped, restarted, or not ours): run in-process instead."""


def invoke(session: Session, function: str, event: Any = None, *, use_default: bool = False) -> Iterator[Update]:
    """Stream one invocation run by ``session``: log records, then the Result.

    Raises ``SessionGone`` before anything was yielded when the session cannot
    run it (unreachable, wrong key, unknown function), so the caller can fall
    back to an in-process run without having printed anything.
    """
    parts = urlsplit(session.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                            timeout=CONNECT_TIMEOUT_S)
    body = json.dumps({} if use_default else {"event": event}).encode()
    try:
        connection.request("POST", "/_svl/invoke/" + quote(function, safe=""), body=body,
                           headers={"x-svl-session-key": session.key, "Content-Type": "application/json"})
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise SessionGone(str(exc)) from None
    if response.status != 200:
        connection.close()
        raise SessionGone(f"session answered {response.status}")
    if connection.sock is not None:
        connection.sock.settimeout(None)  # the invocation takes as long as the function's timeout allows
    return _updates(connection, response)


def _updates(connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> Iterator[Update]:
    try:
        for line in response:
            item = json.loads(line)
            if "log" in item:
                yield LogRecord(**item["log"])
            elif "result" in item:
                yield Result(**item["result"])
                return
        raise SessionGone("the session closed the stream before the result")
    finally:
        connection.close()
