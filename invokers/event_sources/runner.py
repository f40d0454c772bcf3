"""Event source mappings for local handlers while the embedded AWS runs.

``EventSources`` reads each local function's triggers, connects one mapping per
trigger to the embedded AWS (moto on 127.0.0.1), and invokes the function
through the same ``Engine`` the UI, the CLI and ``serve`` use. Every invocation
is a ``Delivery`` for the listeners (the terminal, the UI); everything else a
source has to say (a message dead-lettered, a poller error) is a ``Notice``.

Blocking boto3 calls run on the session's own thread pool, so a long poll never
holds the event loop or the default executor. A poller that fails is reported
and started again after a pause: an event source never takes the app down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ..models import FunctionSpec, LogRecord, Result
from .base import Mapping, SourceMissing, SourceNotFound
from .clients import Clients
from .models import Delivery, MappingInfo, Notice

if TYPE_CHECKING:
    from ..aws.resources import Provisioned
    from ..engine import Engine

log = logging.getLogger("svl.event_sources")
T = TypeVar("T")
Listener = Callable[[Delivery | Notice], None]
RESTART_S = 2.0
"""Pause before a failed poller starts again."""
THREADS = 48
WAIT_FOR_SOURCE_S = 1.0
"""How often a mapping whose source does not exist yet looks again."""


def _mapping_types() -> dict[str, type[Mapping]]:
    from .bridges import EventBridgeMapping, S3Mapping, SnsMapping
    from .schedules import ScheduleMapping
    from .sqs import SqsMapping
    from .streams import DynamoDbMapping, KinesisMapping

    return {"sqs": SqsMapping, "kinesis": KinesisMapping, "dynamodb": DynamoDbMapping, "sns": SnsMapping,
            "s3": S3Mapping, "eventbridge": EventBridgeMapping, "schedule": ScheduleMapping}


def supported(kind: str) -> bool:
    return kind in _mapping_types()


class EventSources:
    """The mappings of a project's local functions against one embedded AWS."""

    def __init__(self, engine: Engine, functions: list[FunctionSpec], endpoint: str, region: str, *,
                 provisioned: Provisioned | None = None, schedules: bool = True) -> None:
        self.engine = engine
        self.functions = {spec.name: spec for spec in functions if spec.is_local}
        self.clients = Clients(endpoint, region)
        self.provisioned = provisioned
        self.schedules = schedules
        """Run schedules on their rate/cron (they can always be fired on demand)."""
        self.listeners: list[Listener] = []
        self.mappings: list[Mapping] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._executor = ThreadPoolExecutor(THREADS, thread_name_prefix="svl-sources")
        self._closed = False

    @property
    def infos(self) -> list[MappingInfo]:
        return [mapping.info for mapping in self.mappings]

    async def start(self) -> list[MappingInfo]:
        """Connect every trigger that can run here; returns them all, skipped ones with their reason."""
        from .declared import declared_triggers

        types = _mapping_types()
        declared = declared_triggers(self.provisioned, list(self.functions.values()))
        for spec in self.functions.values():
            for trigger in [*spec.triggers, *declared.get(spec.name, [])]:
                mapping_type = types.get(trigger.kind)
                if mapping_type is not None:
                    await self._add(mapping_type(self, spec.name, trigger))
        return self.infos

    async def _add(self, mapping: Mapping) -> None:
        self.mappings.append(mapping)
        if not mapping.settings.enabled:
            mapping.info.state, mapping.info.reason = "disabled", "Enabled: false in the configuration"
            return
        try:
            await mapping.setup()
        except SourceNotFound as exc:
            mapping.info.state, mapping.info.reason = "waiting", f"{exc}; polling starts when it does"
        except SourceMissing as exc:
            mapping.info.state, mapping.info.reason = "skipped", str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - a source that cannot be read is skipped, not fatal
            mapping.info.state, mapping.info.reason = "skipped", f"{type(exc).__name__}: {exc}"
            return
        self._tasks.append(asyncio.create_task(self._guard(mapping), name=f"svl-source {mapping.info.source}"))

    async def _wait_for_source(self, mapping: Mapping) -> None:
        """A source created after the session started (by a handler, a script, ``aws``) is picked up."""
        while mapping.info.state == "waiting":
            await asyncio.sleep(WAIT_FOR_SOURCE_S)
            try:
                await mapping.setup()
            except SourceNotFound:
                continue
            except Exception as exc:  # noqa: BLE001 - reported below, as a setup at the start would be
                mapping.info.state, mapping.info.reason = "skipped", f"{type(exc).__name__}: {exc}"
                self.tell(Notice(mapping.info.source, f"cannot poll: {mapping.info.reason}", "error",
                                 mapping.function))
                return
            mapping.info.state, mapping.info.reason = "running", ""
            self.tell(Notice(mapping.info.source, "the source exists now; polling", "info", mapping.function))

    async def _guard(self, mapping: Mapping) -> None:
        await self._wait_for_source(mapping)
        if mapping.info.state != "running":
            return
        while not self._closed:
            try:
                await mapping.run()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reported; the poller starts again
                if self._closed:
                    return
                log.debug("poller %s failed", mapping.info.source, exc_info=True)
                self.tell(Notice(mapping.info.source, f"poller error: {type(exc).__name__}: {exc}; "
                                 f"polling again in {RESTART_S:g} s", "error", mapping.function))
                await asyncio.sleep(RESTART_S)

    async def close(self) -> None:
        """Stop every poller and undo what the mappings connected."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for mapping in self.mappings:
            try:
                await asyncio.wait_for(mapping.close(), 5)
            except Exception:  # the embedded AWS may already be gone
                log.debug("closing %s failed", mapping.info.source, exc_info=True)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def update(self, functions: list[FunctionSpec]) -> None:
        """New discovery results (a reload): deliveries from now on run the new code and settings."""
        self.functions = {spec.name: spec for spec in functions if spec.is_local}

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A blocking AWS call on the session's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    def tell(self, item: Delivery | Notice) -> None:
        for listener in list(self.listeners):
            try:
                listener(item)
            except Exception:  # a broken listener must not stop the deliveries
                log.exception("event source listener failed")

    async def invoke(self, function: str, event: Any, *, source: str, kind: str, records: int) -> Delivery:
        """Run ``function`` with ``event`` on the engine; the Delivery is told by the caller once settled."""
        started, clock = time.time(), time.perf_counter()
        spec = self.functions.get(function)
        if spec is None:
            return Delivery(function, source, kind, records, "error", event, started_at=started,
                            notes=["the function is no longer in the project"])
        logs: list[LogRecord] = []
        result: Result | None = None
        async for update in self.engine.invoke(spec, event):
            if isinstance(update, Result):
                result = update
            else:
                logs.append(update)
        assert result is not None  # the engine's stream always ends with a Result
        error_type = (result.error or {}).get("errorType", "")
        outcome = "throttled" if error_type == "TooManyRequestsException" else result.status
        return Delivery(function, source, kind, records, outcome, event, result, logs, started_at=started,
                        duration_ms=(time.perf_counter() - clock) * 1000)

    def mapping(self, function: str, trigger: str) -> Mapping | None:
        return next((m for m in self.mappings if m.function == function and m.trigger.name == trigger), None)

    async def fire(self, function: str, trigger: str) -> Delivery:
        """Run a schedule now (on demand), as its rule would."""
        from .schedules import ScheduleMapping

        mapping = self.mapping(function, trigger)
        if not isinstance(mapping, ScheduleMapping):
            known = [f"{m.function}/{m.trigger.name}" for m in self.mappings if isinstance(m, ScheduleMapping)]
            raise KeyError(f"no schedule {trigger!r} on {function!r} (schedules: {', '.join(known) or 'none'})")
        return await mapping.fire()

