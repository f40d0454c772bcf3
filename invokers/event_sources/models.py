"""What the event sources report: one delivery per invocation, and notices about the sources themselves.

Plain data for every face: ``serve`` prints them, the UI lists them beside the
requests it served, tests read them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..models import LogRecord, Result


@dataclass
class Delivery:
    """One invocation an event source made, and how it ended.

    ``source`` names what triggered it as a person reads it: ``sqs:OrdersQueue``,
    ``dynamodb:Orders``, ``schedule:Nightly``. ``outcome`` is ``ok``, ``partial``
    (some records reported in ``batchItemFailures``), ``error``, ``timeout``,
    ``crashed`` or ``throttled``; ``failed`` lists the ids of the records that
    go back to the source (all of them on an error).
    """

    function: str
    source: str
    kind: str
    records: int
    outcome: str
    event: Any = None
    result: Result | None = None
    logs: list[LogRecord] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    duration_ms: float = 0.0

    @property
    def request_id(self) -> str:
        return self.result.request_id if self.result is not None else ""

    def line(self) -> str:
        """One line for a terminal or a list: when, from where, to whom, how it ended."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.started_at))
        plural = "s" if self.records != 1 else ""
        notes = f" ({', '.join(self.notes)})" if self.notes else ""
        return (f"{stamp} {self.source} -> {self.function} {self.records} record{plural} {self.outcome} "
                f"{self.duration_ms:.1f} ms{notes}")


@dataclass
class Notice:
    """Something about a source rather than one invocation: a message dead-lettered, a poller error."""

    source: str
    message: str
    level: str = "info"
    """``info``, ``warning`` or ``error``."""
    function: str = ""
    at: float = field(default_factory=time.time)

    def line(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.at))
        return f"{stamp} {self.source}: {self.message}"


@dataclass
class MappingInfo:
    """One mapping as configured: what it reads, for which function, with which settings, and its state.

    ``state`` is ``running``, ``waiting`` (its queue, stream... does not exist yet;
    it starts when it does), ``disabled`` (``Enabled: false``) or ``skipped``
    (``reason`` says why: the table has no stream, the schedule cannot be read...).
    """

    function: str
    trigger: str
    kind: str
    source: str
    settings: dict[str, Any] = field(default_factory=dict)
    state: str = "running"
    reason: str = ""
