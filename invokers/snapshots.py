"""Snapshot tests for handlers: replay every saved event of a function and say what changed.

The first replay of a saved event records what came back (the response, or
the error's type and message) under ``<project>/.svl/snapshots/<function>/<event>.json``;
later replays diff against it with ``jsondiff`` (volatile values ignored, by its
documented rule). ``update`` accepts the new outcomes as the snapshots.
Snapshot files are written atomically; they are small JSON documents meant to
be committed beside the saved events, so a team shares them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from event_samples import SavedEventError, SavedEvents
from event_samples.files import write_json_atomic

from .jsondiff import Diff, diff
from .models import FunctionSpec, Result

if TYPE_CHECKING:
    from .engine import Engine

State = Literal["recorded", "same", "changed", "updated", "failed"]


def outcome(result: Result) -> dict[str, Any]:
    """What a snapshot keeps of a run: the status and the response, or the error without its stack
    (which names files and lines and changes with any edit above the raise)."""
    if result.ok:
        return {"status": "ok", "response": result.response}
    error = result.error or {}
    return {"status": result.status,
            "error": {"errorType": error.get("errorType"), "errorMessage": error.get("errorMessage")}}


@dataclass
class Replay:
    """One saved event replayed: ``recorded`` (first time), ``same``, ``changed``, ``updated`` or ``failed``
    (it could not be replayed: the saved event or its snapshot is unreadable; ``note`` says why)."""

    event: str
    state: State
    diff: Diff = field(default_factory=Diff)
    note: str = ""
    duration_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event, "state": self.state, "duration_ms": self.duration_ms,
                **({"note": self.note} if self.note else {}),
                **({"diff": self.diff.to_dict()} if self.state in ("changed", "updated") else {})}


@dataclass
class FunctionReplay:
    function: str
    replays: list[Replay] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(replay.state in ("changed", "failed") for replay in self.replays)

    def to_dict(self) -> dict[str, Any]:
        return {"function": self.function, "changed": self.changed,
                "replays": [replay.to_dict() for replay in self.replays]}


class Snapshots:
    """The snapshots of one project (beside its saved events, under ``.svl/``)."""

    def __init__(self, project: Path | str) -> None:
        self.events = SavedEvents(project)
        self.root = Path(project) / ".svl" / "snapshots"

    def path(self, function: str, event: str) -> Path:
        return self.root / self.events.folder(function).name / f"{self.events.path(function, event).stem}.json"

    def load(self, function: str, event: str) -> dict[str, Any] | None:
        path = self.path(function, event)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise SavedEventError(f"{path} is not a readable snapshot ({exc}): delete it or replay with --update "
                                  "to record it again") from None
        if not isinstance(data, dict) or "outcome" not in data:
            raise SavedEventError(f"{path} is not a snapshot (no 'outcome'): delete it or replay with --update")
        return data

    def save(self, function: str, event_name: str, event: Any, result: Result) -> None:
        write_json_atomic(self.path(function, event_name),
                          {"event": event, "outcome": outcome(result),
                           "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "duration_ms": result.duration_ms})


async def replay(engine: Engine, spec: FunctionSpec, project: Path | str, *, update: bool = False) -> FunctionReplay:
    """Replay every saved event of ``spec`` in name order, one after another (as a user would)."""
    store = Snapshots(project)
    report = FunctionReplay(spec.name)
    for name in store.events.list(spec.name):
        try:
            event = store.events.load(spec.name, name)
            recorded = store.load(spec.name, name)
        except SavedEventError as exc:
            if not update:
                report.replays.append(Replay(name, "failed", note=str(exc)))
                continue
            event, recorded = store.events.load(spec.name, name), None
        _, result = await engine.invoke_collect(spec, event)
        now = outcome(result)
        if recorded is None:
            store.save(spec.name, name, event, result)
            report.replays.append(Replay(name, "recorded", duration_ms=result.duration_ms))
            continue
        found = diff(recorded["outcome"], now)
        note = "the saved event changed since its snapshot" if recorded.get("event") != event else ""
        if found.same and not note:
            report.replays.append(Replay(name, "same", found, duration_ms=result.duration_ms))
        elif update:
            store.save(spec.name, name, event, result)
            report.replays.append(Replay(name, "updated", found, note, result.duration_ms))
        else:
            report.replays.append(Replay(name, "changed", found, note, result.duration_ms))
    return report
