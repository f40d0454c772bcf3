"""Messages the widgets and the main screen exchange (widgets never reach into each other)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from invokers.models import FunctionSpec, LogRecord, Result
from invokers.reload import Comparison, ReloadEvent


class FunctionSelected(Message):
    """The user picked a function in the list."""

    def __init__(self, spec: FunctionSpec) -> None:
        super().__init__()
        self.spec = spec


class LogBatch(Message):
    """Log records of the running invocation, batched (one message per few milliseconds, not per line)."""

    def __init__(self, records: list[LogRecord]) -> None:
        super().__init__()
        self.records = records


class InvocationStarted(Message):
    def __init__(self, spec: FunctionSpec, event: Any) -> None:
        super().__init__()
        self.spec = spec
        self.event = event


class InvocationFinished(Message):
    """An invocation ended: its Result, and the comparison with the previous run after an auto-rerun."""

    def __init__(self, spec: FunctionSpec, result: Result, records: list[LogRecord],
                 comparison: Comparison | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.result = result
        self.records = records
        self.comparison = comparison


class Reloaded(Message):
    def __init__(self, event: ReloadEvent) -> None:
        super().__init__()
        self.event = event


class RunSelected(Message):
    """A past run was picked in the history: show its logs and result again."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class DeployedPage(Message):
    """One more page of deployed functions arrived."""

    def __init__(self, specs: list[FunctionSpec]) -> None:
        super().__init__()
        self.specs = specs


class DeployedFailed(Message):
    def __init__(self, reason: str, kind: str) -> None:
        super().__init__()
        self.reason = reason
        self.kind = kind


class DetailsLoaded(Message):
    """Configuration, aliases and versions of a deployed function (secrets masked)."""

    def __init__(self, details: Any) -> None:
        super().__init__()
        self.details = details
