"""Local against deployed: the same event to a local handler and its deployed twin, side by side.

Both invocations run at once on one engine; what comes back is plain data
(the two Results with their logs, the structural diff of their responses, the
configuration drift), so ``svl-tui compare`` and the UI's compare screen only
format it. Asking before invoking the deployed side is the caller's job (the
CLI's ``confirm``, the UI's confirmation screen): this module just runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .drift import Drift, compare_configuration
from .jsondiff import Diff, diff
from .models import FunctionSpec, LogRecord, Result

if TYPE_CHECKING:
    from .engine import Engine


@dataclass
class Side:
    spec: FunctionSpec
    result: Result
    records: list[LogRecord]

    @property
    def outcome(self) -> Any:
        """What the caller got back: the response, or the error without its stack (paths and line numbers
        differ between a laptop and /var/task by nature)."""
        if self.result.ok:
            return self.result.response
        error = self.result.error or {}
        return {"errorType": error.get("errorType"), "errorMessage": error.get("errorMessage")}

    def to_dict(self) -> dict[str, Any]:
        return {"function": self.spec.name, "result": self.result.to_dict(),
                "logs": [record.to_dict() for record in self.records]}


@dataclass
class SideBySide:
    """One event, two runs: ``local`` and ``deployed``, the diff from local to deployed, and the drift."""

    event: Any
    local: Side
    deployed: Side
    diff: Diff
    drift: Drift | None

    @property
    def same(self) -> bool:
        return self.diff.same and self.local.result.status == self.deployed.result.status

    @property
    def duration_delta_ms(self) -> float:
        return round(self.deployed.result.duration_ms - self.local.result.duration_ms, 3)

    def to_dict(self) -> dict[str, Any]:
        return {"same": self.same, "status": {"local": self.local.result.status,
                                              "deployed": self.deployed.result.status},
                "duration_delta_ms": self.duration_delta_ms, "diff": self.diff.to_dict(),
                "drift": self.drift.to_dict() if self.drift is not None else None,
                "local": self.local.to_dict(), "deployed": self.deployed.to_dict()}


async def run(engine: Engine, local: FunctionSpec, deployed: FunctionSpec, event: Any,
              configuration: dict[str, Any] | None = None, *, ignore: tuple[str, ...] = ()) -> SideBySide:
    """Invoke both with ``event`` at once; ``configuration`` (the twin's raw one) adds the drift."""
    (local_records, local_result), (remote_records, remote_result) = await asyncio.gather(
        engine.invoke_collect(local, event), engine.invoke_collect(deployed, event))
    left, right = Side(local, local_result, local_records), Side(deployed, remote_result, remote_records)
    drift = compare_configuration(local, configuration) if configuration is not None else None
    return SideBySide(event, left, right, diff(left.outcome, right.outcome, ignore=ignore), drift)
