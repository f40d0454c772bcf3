"""Execution environments as Lambda scales them: a pool per function, limits per function and account.

An invocation borrows an idle environment (most recently used first, so a
steady trickle keeps one environment warm and the others age out) or, when
every one is busy, starts a new one: a cold start. Starting one is refused
beyond the function's reserved concurrency or the account's concurrency,
which is how Lambda throttles (``TooManyRequestsException``). Environments
idle longer than ``Limits.idle_s`` are reclaimed, except the function's
provisioned ones.

Only bookkeeping lives here, synchronous and free of I/O: the engine starts,
initialises and kills the workers this module hands out or takes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from .models import FunctionSpec

DEFAULT_ACCOUNT_CONCURRENCY = 10
DEFAULT_IDLE_S = 300.0

RESERVED_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_REASON = "ConcurrentInvocationLimitExceeded"


class Environment(Protocol):
    """What the pool needs of a worker: its spec, whether it lives, whether it has been started."""

    spec: FunctionSpec

    @property
    def alive(self) -> bool: ...


W = TypeVar("W", bound=Environment)


@dataclass
class Limits:
    """Concurrency settings shared by every pool of one engine.

    ``account`` caps the invocations in flight across functions without
    reserved concurrency (a function's reserved concurrency is its own,
    guaranteed share, as on Lambda). ``idle_s`` is how long an unused
    environment is kept warm.
    """

    account: int = DEFAULT_ACCOUNT_CONCURRENCY
    idle_s: float = DEFAULT_IDLE_S
    in_flight: int = 0
    """Invocations running now in functions without reserved concurrency."""

    def __post_init__(self) -> None:
        if self.account < 1:
            raise ValueError(f"account concurrency must be at least 1, not {self.account}")
        if self.idle_s <= 0:
            raise ValueError(f"idle time must be positive, not {self.idle_s} s")


class Throttled(Exception):
    """No environment may be started for this invocation: Lambda's ``TooManyRequestsException``."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__("Rate Exceeded.")
        self.reason = reason
        self.limit = limit


class Pool(Generic[W]):
    """The execution environments of one function."""

    def __init__(self, limits: Limits, make: Callable[[FunctionSpec], W]) -> None:
        self.limits = limits
        self._make = make
        self.idle: list[W] = []
        """Free environments; the last one is the most recently used (borrowed first)."""
        self.busy: list[W] = []
        self._idle_since: dict[int, float] = {}
        self._provisioned: set[int] = set()
        self._counted: set[int] = set()

    @property
    def environments(self) -> list[W]:
        return self.idle + self.busy

    def warm(self) -> bool:
        return any(worker.alive for worker in self.environments)

    def add_idle(self, worker: W, *, provisioned: bool = False) -> None:
        """Take in an environment started elsewhere (a prespawned one, a provisioned one)."""
        self.idle.append(worker)
        self._idle_since[id(worker)] = time.monotonic()
        if provisioned:
            self._provisioned.add(id(worker))

    def acquire(self, spec: FunctionSpec) -> tuple[W, bool, list[W]]:
        """Borrow an environment for one invocation of ``spec``.

        Returns the environment, whether it is new (not yet started: a cold
        start), and the stale ones found on the way (dead, or running an older
        ``spec``) that the caller must kill. Raises ``Throttled`` when a new
        one would exceed the function's reserved or the account's concurrency.
        """
        reserved = spec.reserved_concurrency
        if reserved is not None and len(self.busy) >= reserved:
            raise Throttled(RESERVED_REASON, reserved)
        if reserved is None and self.limits.in_flight >= self.limits.account:
            raise Throttled(ACCOUNT_REASON, self.limits.account)
        stale: list[W] = []
        chosen: W | None = None
        fresh = False
        while self.idle:
            worker = self.idle.pop()
            self._idle_since.pop(id(worker), None)
            if (worker.spec is spec or worker.spec == spec) and (worker.alive or not _started(worker)):
                chosen, fresh = worker, not _started(worker)
                break
            self._provisioned.discard(id(worker))
            stale.append(worker)
        if chosen is None:
            try:
                chosen, fresh = self._make(spec), True
            except BaseException:
                self.idle.extend(stale)  # nothing borrowed: leave the pool as it was
                raise
        self.busy.append(chosen)
        if reserved is None:
            self.limits.in_flight += 1
            self._counted.add(id(chosen))
        return chosen, fresh, stale

    def release(self, worker: W, *, discard: bool = False) -> bool:
        """Give an environment back after its invocation; True when the caller must kill it."""
        if id(worker) in self._counted:
            self._counted.discard(id(worker))
            self.limits.in_flight -= 1
        if worker not in self.busy:
            return True  # drained while it ran (a reload): it must not come back
        self.busy.remove(worker)
        if discard or not worker.alive:
            self._provisioned.discard(id(worker))
            return True
        self.idle.append(worker)
        self._idle_since[id(worker)] = time.monotonic()
        return False

    def drain(self) -> list[W]:
        """Take every environment out of the pool (reload, close): the caller kills them all."""
        everything = self.environments
        for worker in self.busy:
            if id(worker) in self._counted:
                self.limits.in_flight -= 1
        self.idle, self.busy = [], []
        self._idle_since.clear()
        self._provisioned.clear()
        self._counted.clear()
        return everything

    def expired(self, now: float | None = None) -> list[W]:
        """Take out the environments idle longer than ``idle_s`` (never provisioned ones) to be killed."""
        now = time.monotonic() if now is None else now
        keep: list[W] = []
        gone: list[W] = []
        for worker in self.idle:
            since = self._idle_since.get(id(worker), now)
            if id(worker) not in self._provisioned and now - since >= self.limits.idle_s:
                gone.append(worker)
                self._idle_since.pop(id(worker), None)
            else:
                keep.append(worker)
        self.idle = keep
        return gone

    def provisioned_count(self) -> int:
        return sum(1 for worker in self.environments if id(worker) in self._provisioned and worker.alive)


def _started(worker: Environment) -> bool:
    """A worker that was never started (a prespawned one waits for adoption) is still usable."""
    return getattr(worker, "process", None) is not None
