"""Azure Functions retry policies: a failed invocation runs again, as the host retries it.

A policy comes from a function's ``function.json`` ``retry``, Python v2's
``@app.retry``, Node v4's ``retry`` option, or ``host.json`` ``retry`` for the
whole app (the function's own wins). ``fixedDelay`` waits ``delayInterval``
between attempts; ``exponentialBackoff`` waits the host's randomised
exponential delay (``RandomizedExponentialBackoffStrategy`` in
Azure/azure-webjobs-sdk: ``minimumInterval + rand(0.8, 1.2) * 2^(n-1) *
minimumInterval``, at most ``maximumInterval``). ``maxRetryCount`` -1 retries
until success, as the host does. HTTP functions are never retried (the host
does not apply retry policies to HTTP triggers).

Each attempt is its own invocation with its own id, its ``Executing`` /
``Executed`` lines, and the host's ``RetryContext`` (``context.retryContext``
in Node, ``context.retry_context`` in Python); between attempts the host's
``Waiting for ... before retrying`` line. The stream ends with the last
attempt's Result, which counts the attempts and summarises the earlier ones.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .azure_logs import timespan
from .models import DebugStop, FunctionSpec, LogRecord, ResponseChunk, Result

if TYPE_CHECKING:
    from .engine import Engine

STRATEGIES = {"fixeddelay": "fixedDelay", "exponentialbackoff": "exponentialBackoff"}
RANDOMIZATION = 0.2  # RandomizedExponentialBackoffStrategy.RandomizationFactor


@dataclass(frozen=True)
class RetryPolicy:
    strategy: str  # fixedDelay | exponentialBackoff
    max_retry_count: int  # -1: until it succeeds
    delay_s: float = 0.0
    minimum_s: float = 0.0
    maximum_s: float = 0.0


def parse(raw: Any) -> tuple[dict[str, Any] | None, str]:
    """A retry policy in any of its spellings as the one shape kept on ``FunctionSpec.azure_retry``
    (``{strategy, maxRetryCount, delayInterval | minimumInterval, maximumInterval}``, times in seconds),
    or None and what is wrong with it."""
    if not isinstance(raw, dict):
        return None, "expected an object with 'strategy' and 'maxRetryCount'"
    value = {_key(k): v for k, v in raw.items()}
    strategy = STRATEGIES.get(str(value.get("retrystrategy") or value.get("strategy") or "").replace("_", "").lower())
    if strategy is None:
        return None, f"'strategy' must be fixedDelay or exponentialBackoff, got {raw.get('strategy')!r}"
    try:
        count = int(value.get("maxretrycount"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, f"'maxRetryCount' must be a whole number (-1: no limit), got {value.get('maxretrycount')!r}"
    if count < -1:
        return None, f"'maxRetryCount' must be -1 or more, got {count}"
    policy: dict[str, Any] = {"strategy": strategy, "maxRetryCount": count}
    names = ("delayInterval",) if strategy == "fixedDelay" else ("minimumInterval", "maximumInterval")
    for name in names:
        seconds = _seconds(value.get(name.lower()))
        if seconds is None:
            return None, f"{strategy} needs '{name}' as a time span like \"00:00:05\", got {value.get(name.lower())!r}"
        policy[name] = seconds
    if strategy == "exponentialBackoff" and policy["minimumInterval"] > policy["maximumInterval"]:
        return None, "'minimumInterval' must not be greater than 'maximumInterval'"
    return policy, ""


def _key(name: Any) -> str:
    return str(name).replace("_", "").lower()


def _seconds(value: Any) -> float | None:
    """``"00:00:05"`` (function.json, Python), ``{"seconds": 5}`` (Node v4's RPC duration) or a number of ms."""
    from .discovery.azure_apps import parse_timespan

    if isinstance(value, dict):
        return float(value.get("seconds") or 0) + float(value.get("nanos") or 0) / 1e9
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / 1000
    seconds = parse_timespan(value)
    return None if seconds is None or seconds < 0 else seconds


def policy_of(spec: FunctionSpec) -> RetryPolicy | None:
    """The policy that applies to ``spec``'s invocations (None for HTTP functions and without one)."""
    raw = spec.azure_retry
    if not raw or spec.style != "azure" or spec.is_local is False:
        return None
    from .azure import trigger_of

    if trigger_of(spec).get("type") == "httpTrigger":
        return None
    return RetryPolicy(raw["strategy"], int(raw["maxRetryCount"]), float(raw.get("delayInterval", 0.0)),
                       float(raw.get("minimumInterval", 0.0)), float(raw.get("maximumInterval", 0.0)))


def delays(policy: RetryPolicy, rng: random.Random | None = None) -> Iterator[float]:
    """The wait before each retry, in seconds, as the host computes it."""
    rng = rng or random.Random()
    current = policy.minimum_s
    exponent = 1
    while True:
        if policy.strategy == "fixedDelay":
            yield policy.delay_s
            continue
        if current != policy.maximum_s:
            increment = rng.uniform(1 - RANDOMIZATION, 1 + RANDOMIZATION) * 2 ** (exponent - 1) * policy.minimum_s
            backoff = policy.minimum_s + increment
            if backoff < policy.maximum_s:
                current = backoff
                exponent += 1
            else:
                current = policy.maximum_s
        yield current


async def retried(engine: Engine, spec: FunctionSpec, policy: RetryPolicy, event: Any, request_id: str | None = None,
                  **options: Any) -> AsyncGenerator[LogRecord | Result | DebugStop | ResponseChunk, None]:
    """Invoke ``spec`` until it succeeds or ``policy`` runs out: every attempt's records, then one Result."""
    from .azure import with_retry_context

    waits = delays(policy)
    earlier: list[dict[str, Any]] = []
    attempt = 0
    while True:
        result: Result | None = None
        once = engine.invoke_once(spec, with_retry_context(event, spec, attempt, policy.max_retry_count),
                                  request_id=None if attempt else request_id, **options)  # each attempt its own id
        async with aclosing(once):  # stopping early ends the attempt at once (see Engine.invoke)
            async for update in once:
                if isinstance(update, Result):
                    result = update
                else:
                    yield update
        assert result is not None  # every stream ends with a Result
        result.attempts = attempt + 1
        throttled = (result.error or {}).get("errorType") == "TooManyRequestsException"  # it never ran
        if result.ok or throttled or 0 <= policy.max_retry_count <= attempt:
            if not result.ok and attempt:
                yield _line(result.request_id, f"Function execution failed after '{attempt}' retries.", "ERROR")
            result.retries = earlier
            yield result
            return
        attempt += 1
        delay = next(waits)
        earlier.append({"request_id": result.request_id, "status": result.status,
                        "duration_ms": result.duration_ms, "error": result.error})
        yield _line(result.request_id, f"Waiting for `{timespan(delay)}` before retrying function execution. "
                                       f"Next attempt: '{attempt}'. Max retry count: '{policy.max_retry_count}'.")
        await asyncio.sleep(delay)


def _line(request_id: str, message: str, level: str = "INFO") -> LogRecord:
    import time

    return LogRecord(timestamp=time.time(), message=message, request_id=request_id, level=level, stream="platform")
