"""What an invocation's Result is made of while it runs, and Lambda's wording for each way it ends.

The engine's phases (``invokers/phases.py``) fill a ``ResultBuilder``; the
engine turns it into the one ``Result`` that closes every stream.
"""

from __future__ import annotations

import time
from typing import Any

from . import pricing
from .azure import unwrap_response
from .build import BuildFailed
from .environment import region
from .models import FunctionSpec, LogRecord, Result
from .runtime_api import Outcome, decode_json, streamed_response
from .runtimes import RuntimeUnavailable
from .worker import LogBudget

PAYLOAD_LIMIT = 6 * 1024 * 1024  # Lambda's synchronous request and response limit


class ResultBuilder:
    """Mutable builder for a Result while an invocation runs."""

    def __init__(self, spec: FunctionSpec, request_id: str, started_at: float) -> None:
        self.spec = spec
        self.request_id = request_id
        self.started_at = started_at
        self.status = "ok"
        self.cold = False
        self.started = False
        self.discard = False
        self.cancelled = False
        self.init_ms: float | None = None
        self.init_timed_out = False
        self.suppressed_init_ms = 0.0  # init run again inside this invoke (see phases.init_again)
        self.duration_ms = 0.0
        self.max_memory_mb = 0
        self.response: Any = None
        self.error: dict[str, Any] | None = None
        self.notes: list[str] = []
        self.paused_ms = 0.0
        self.error_locals: list[dict[str, Any]] | None = None
        self.outputs: dict[str, Any] = {}

    def fail(self, status: str, error_type: str, message: str, stack: Any = None,
             extra: dict[str, Any] | None = None) -> None:
        self.status = status
        error = dict(extra or {})
        error.update({"errorMessage": message, "errorType": error_type})
        if not isinstance(error.get("trace"), list):  # Node's payload has `trace`, never both (as on Lambda)
            error.pop("trace", None)
            error["stackTrace"] = stack if isinstance(stack, list) else []
        self.error = error

    def oom(self) -> None:
        self.discard = True
        self.max_memory_mb = max(self.max_memory_mb, self.spec.memory_mb)
        self.fail("crashed", "Runtime.OutOfMemory",
                  f"RequestId: {self.request_id} Error: Runtime exited with error: signal: killed "
                  f"(memory limit of {self.spec.memory_mb} MB exceeded)")

    def unavailable(self, exc: RuntimeUnavailable | BuildFailed) -> None:
        """A function that cannot start: its runtime is missing, or its code does not build (like a syntax error)."""
        if isinstance(exc, BuildFailed):
            self.fail("error", "Runtime.UserCodeSyntaxError", str(exc), exc.stack)
        else:
            self.fail("error", "Runtime.Unavailable", str(exc))

    def settle(self, outcome: Outcome) -> None:
        """The worker answered: its response (within Lambda's size limit) or its error payload."""
        if outcome.exiting:
            self.discard = True  # the next invocation must find a new environment, not this dying one
        if len(outcome.body) > PAYLOAD_LIMIT:
            self.fail("error", "Function.ResponseSizeTooLarge",
                      f"Response payload size ({len(outcome.body)} bytes) exceeded maximum allowed "
                      f"payload size ({PAYLOAD_LIMIT} bytes).")
            return
        if outcome.kind == "response":
            self.status = "ok"
            self.response = streamed_response(outcome) if outcome.content_type else decode_json(outcome.body)
            if self.spec.style == "azure":
                self.response, self.outputs = unwrap_response(self.response)
            return
        error = error_dict(outcome)
        self.fail("error", error.get("errorType") or outcome.error_type or "Unhandled",
                  error.get("errorMessage", ""), error.get("stackTrace", error.get("trace")), extra=error)

    def build(self, budget: LogBudget) -> Result:
        spec = self.spec
        if spec.style == "azure":  # refused before it ran (a Durable orchestrator, a throttle): not an execution
            billed = pricing.azure_billed_ms(self.duration_ms) if self.started else 0
            cost = pricing.azure_cost_usd(billed, self.max_memory_mb or spec.memory_mb) if self.started else 0.0
        else:
            billed = pricing.billed_ms(self.duration_ms, self.init_ms)
            cost = pricing.cost_usd(billed, spec.memory_mb, spec.region or region(), spec.architecture)
        return Result(
            request_id=self.request_id, function=spec.name, status=self.status,  # type: ignore[arg-type]
            cold=self.cold, duration_ms=round(self.duration_ms, 3),
            init_ms=round(self.init_ms, 3) if self.init_ms is not None else None,
            billed_ms=billed, memory_mb=spec.memory_mb, max_memory_mb=self.max_memory_mb,
            cost_usd=cost,
            response=self.response if self.status == "ok" else None, error=self.error,
            started_at=self.started_at, log_dropped_lines=budget.dropped_lines,
            log_dropped_bytes=budget.dropped_bytes, notes=list(self.notes), paused_ms=round(self.paused_ms, 3),
            error_locals=self.error_locals if self.status != "ok" else None,
            outputs=self.outputs if self.status == "ok" else {},
            billing=pricing.AZURE_LABEL if spec.style == "azure" else "")


def error_dict(outcome: Outcome) -> dict[str, Any]:
    """The worker's error payload as a dict (a runtime may post anything; Lambda wraps non-objects)."""
    value = decode_json(outcome.body)
    if isinstance(value, dict):
        return value
    return {"errorType": outcome.error_type or "Unhandled", "errorMessage": str(value or "")}


def platform_record(request_id: str, message: str, level: str = "INFO") -> LogRecord:
    """A line of the platform's own (START, END, REPORT, svl's warnings), not the handler's."""
    return LogRecord(timestamp=time.time(), message=message, request_id=request_id, level=level, stream="platform")
