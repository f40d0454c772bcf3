"""What the server did with one request: a plain record for the access log, the UI and tests."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..models import LogRecord, Result
from .clock import per_second


@dataclass
class Answer:
    """An HTTP answer as the server writes it, and the invocation behind it (if one ran)."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    function: str = ""
    route: str = ""
    result: Result | None = None
    logs: list[LogRecord] | None = None
    error_type: str = ""
    multi_headers: dict[str, list[str]] = field(default_factory=dict)
    """Headers sent once per value (``Set-Cookie``)."""
    streamed: Any = None
    """The ``http_connection.Responder`` that already streamed the answer (``serve.streaming``); None: send this."""


@dataclass
class Traffic:
    """One HTTP request to ``serve`` and how it ended.

    ``face`` is ``lambda`` (the Invoke API), ``api`` (an API Gateway route,
    REST or HTTP API), ``url`` (a function URL) or ``azure`` (an Azure HTTP
    route); ``route`` is the matched route as the template spells it
    (``GET /orders/{id}``), empty when nothing matched.
    """

    face: str
    method: str
    path: str
    status: int
    function: str = ""
    route: str = ""
    duration_ms: float = 0.0
    request_id: str = ""
    cold: bool = False
    throttled: bool = False
    error_type: str = ""
    started_at: float = field(default_factory=time.time)
    result: Result | None = None
    logs: list[LogRecord] = field(default_factory=list)

    def access_line(self) -> str:
        """One line in the style of a web server's access log, with what Lambda adds."""
        stamp = _clock(self.started_at)
        target = f" -> {self.function}" if self.function else ""
        notes = self.notes()
        extra = f" ({', '.join(notes)})" if notes else ""
        return (f"{stamp} {self.method} {self.path} {self.status} {self.duration_ms:.1f} ms"
                f"{target}{extra}")

    def notes(self) -> list[str]:
        """What to flag about the request: a cold start, a throttle, the error type."""
        notes = [note for note, on in (("cold", self.cold), ("throttled", self.throttled)) if on]
        if self.error_type and not self.throttled:
            notes.append(self.error_type)
        return notes


_clock = per_second("%H:%M:%S", time.localtime)
"""``HH:MM:SS`` local time of a moment: the traffic line's stamp."""
