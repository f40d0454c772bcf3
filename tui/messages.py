"""Messages the widgets and controllers send; the main screen routes them (widgets never reach into each other).

Each message carries what its handlers need, so a handler never has to ask
another widget for the rest of the story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from invokers.catalogue import CatalogueChange
from invokers.models import Comparison, FunctionSpec, LogRecord, Result
from invokers.reload import ReloadEvent

if TYPE_CHECKING:
    from invokers.aws.deployed import FunctionDetails
    from invokers.drift import Drift
    from invokers.event_sources import Delivery


class FunctionSelected(Message):
    """The user picked a function in the list."""

    def __init__(self, spec: FunctionSpec) -> None:
        super().__init__()
        self.spec = spec


class CatalogueChanged(Message):
    """The app's catalogue of functions changed (reload, a page of deployed functions, AWS status)."""

    def __init__(self, change: CatalogueChange) -> None:
        super().__init__()
        self.change = change


class FunctionStateChanged(Message):
    """A function's marker in the list: running, warm, cold, error, reloaded, remote."""

    def __init__(self, key: str, state: str) -> None:
        super().__init__()
        self.key = key
        self.state = state


class InvocationFinished(Message):
    """An invocation ended: what was sent, what was written, what came back (and how it compares)."""

    def __init__(self, spec: FunctionSpec, event: Any, result: Result, records: list[LogRecord],
                 comparison: Comparison | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.event = event
        self.result = result
        self.records = records
        self.comparison = comparison


class RunSelected(Message):
    """A past run was picked in the history (index into the selected function's runs)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class RunShown(Message):
    """A past run is on show again: the editor shows the event it was sent, under ``title``."""

    def __init__(self, event: Any, title: str) -> None:
        super().__init__()
        self.event = event
        self.title = title


class Reloaded(Message):
    def __init__(self, event: ReloadEvent) -> None:
        super().__init__()
        self.event = event


class DetailsLoaded(Message):
    """Configuration, aliases and versions of a deployed function (secrets masked)."""

    def __init__(self, details: FunctionDetails) -> None:
        super().__init__()
        self.details = details


class DriftLoaded(Message):
    """Template against deployed for the function ``key`` (local, or a deployed one with a local twin)."""

    def __init__(self, key: str, drift: Drift) -> None:
        super().__init__()
        self.key = key
        self.drift = drift


class LogsOpened(Message):
    """The log panel's title changes to ``title``; ``clear``: CloudWatch logs are about to fill it."""

    def __init__(self, title: str, clear: bool = True) -> None:
        super().__init__()
        self.title = title
        self.clear = clear


class LogsArrived(Message):
    """Records read from CloudWatch (a time range, or new lines while following)."""

    def __init__(self, records: list[LogRecord]) -> None:
        super().__init__()
        self.records = records


class DeliveryArrived(Message):
    """An event source (a queue, a stream, a rule...) invoked a local function: a run like any other."""

    def __init__(self, delivery: Delivery) -> None:
        super().__init__()
        self.delivery = delivery
