"""The engine: invoke local functions as a stream of log records ending in a Result.

``async for update in engine.invoke(spec, event)`` yields ``LogRecord``s as the
handler writes them, then exactly one ``Result``. The CLI prints the stream,
the TUI turns it into messages; neither knows about processes or pipes.
"""

from __future__ import annotations

import asyncio
import atexit
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, overload

from . import azure_logs
from .azure import refusal, to_azure_event
from .azure_inputs import with_inputs
from .build import BuildFailed, missing_layers, prepare_async
from .debug import DebugLink, DebugSession, port_command
from .environment import INITIALIZATION_TYPE, PROVISIONED
from .failure_notes import failure_note
from .ids import request_id as new_request_id
from .jsonout import encode_event
from .models import DebugStop, FunctionSpec, LogRecord, ResponseChunk, Result, Update
from .phases import discard, init_again, init_phase, run_phase
from .pool import Limits, Pool, Throttled
from .result_builder import PAYLOAD_LIMIT, ResultBuilder, platform_record
from .runtimes import RuntimeUnavailable, launch_for
from .spawn import Spawned, kill_all_workers
from .worker import LogBudget, Worker

if TYPE_CHECKING:
    from .aws.session import Aws
    from .history import History

DEFAULT_LOG_LIMIT = 16 * 1024 * 1024
QUEUE_SIZE = 4096  # back-pressure: a slow reader slows the writer, memory stays bounded

atexit.register(kill_all_workers)


class Engine:
    """Keeps warm execution environments of local functions (a pool each) and invokes them."""

    def __init__(self, *, log_limit_bytes: int = DEFAULT_LOG_LIMIT, aws: Aws | None = None,
                 worker_env: dict[str, str] | None = None, limits: Limits | None = None,
                 debug_port: int | None = None, history: History | None = None) -> None:
        self.log_limit_bytes = log_limit_bytes
        self.aws = aws
        """Deployed functions are invoked through this (created on first use)."""
        self.worker_env = dict(worker_env or {})
        """Extra variables for local workers, e.g. the embedded mock AWS endpoint."""
        self.limits = limits or Limits()
        """Account concurrency and idle time, shared by every function's pool."""
        self._pools: dict[str, Pool[Worker]] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._notes: dict[str, list[str]] = {}  # per function: what its launch differs in from Lambda
        self.debug_port = debug_port
        """Start workers under debugpy / ``node --inspect-brk`` on this port, timeouts suspended."""
        self._debug_links: dict[str, DebugLink] = {}
        self._warming: dict[str, tuple[FunctionSpec, asyncio.Future[None]]] = {}  # prewarms under way
        self.history = history
        """Where every invocation's Result is recorded (the project's ``.svl/history``); None: nowhere."""

    def adopt(self, spec: FunctionSpec, spawned: Spawned) -> None:
        """Use an environment started earlier with ``invokers.spawn.spawn`` for ``spec``'s next cold start."""
        worker = self._new_worker(spec)
        worker.prespawned = spawned
        self._pool(spec.name).add_idle(worker)

    def is_warm(self, name: str) -> bool:
        pool = self._pools.get(name)
        return pool is not None and pool.warm()

    def environments(self, name: str) -> tuple[int, int]:
        """(busy, idle) live environments of a function: what the UI and ``serve`` show."""
        pool = self._pools.get(name)
        if pool is None:
            return 0, 0
        return (sum(1 for w in pool.busy if w.alive or w.process is None),
                sum(1 for w in pool.idle if w.alive or w.process is None))

    async def recycle(self, name: str) -> bool:
        """Throw away all of a function's environments (new code, new config); True if one was running."""
        pool = self._pools.get(name)
        if pool is None:
            return False
        workers = pool.drain()
        running = any(worker.alive or worker.prespawned is not None for worker in workers)
        await asyncio.gather(*(discard(worker) for worker in workers))
        return running

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        for name in list(self._pools):
            await self.recycle(name)
        if self.history is not None:
            await asyncio.to_thread(self.history.flush)  # every run recorded is on disk when close returns

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @overload
    def invoke(self, spec: FunctionSpec, event: Any, *, request_id: str | None = None,
               invocation_type: str = "RequestResponse", qualifier: str | None = None,
               debug: Literal[False] = False, post_mortem: Literal[False] = False,
               chunks: Literal[False] = False) -> AsyncIterator[Update]: ...

    @overload
    def invoke(self, spec: FunctionSpec, event: Any, *, request_id: str | None = None,
               invocation_type: str = "RequestResponse", qualifier: str | None = None,
               debug: bool = False, post_mortem: bool = False,
               chunks: bool = False) -> AsyncIterator[Update | DebugStop | ResponseChunk]: ...

    async def invoke(self, spec: FunctionSpec, event: Any, *, request_id: str | None = None,
                     invocation_type: str = "RequestResponse", qualifier: str | None = None,
                     debug: bool = False, post_mortem: bool = False,
                     chunks: bool = False) -> AsyncIterator[Update | DebugStop | ResponseChunk]:
        """Run ``spec`` with ``event``: log records as they come, then one Result.

        ``event`` is any JSON value, or ``bytes`` sent as they are (to test a
        runtime's unmarshal errors). Stopping the iteration early cancels the
        invocation and discards the environment, as a timeout would. Deployed
        functions are invoked on AWS (``invocation_type`` applies to them only);
        a local function gets ``qualifier`` in its ``invoked_function_arn``, as
        Lambda gives it (``...:function:name:alias``).

        With ``debug`` a Python handler's ``breakpoint()`` stops and the stream
        yields a ``DebugStop``; answer it with ``debug_send``. Without, the
        breakpoint is skipped with a warning line. ``post_mortem`` also stops
        at the frame that raised when the handler fails.

        With ``chunks`` a streamed response (Lambda response streaming) also
        comes as ``ResponseChunk``s while the handler writes it, before the
        Result (which still holds the whole response).
        """
        if not spec.is_local:
            from .aws import deployed
            from .aws.session import Aws

            self.aws = self.aws or Aws()
            async for update in deployed.invoke(self.aws, spec, event, invocation_type=invocation_type,
                                                qualifier=qualifier):
                if isinstance(update, Result) and self.history is not None and invocation_type == "RequestResponse":
                    self.history.record_soon(update, event, spec)
                yield update
            return
        if spec.azure_retry:  # an Azure retry policy: attempts until one succeeds or the policy runs out
            from .azure_retry import policy_of, retried

            policy = policy_of(spec)
            if policy is not None:
                async with aclosing(retried(self, spec, policy, event, request_id=request_id, debug=debug,
                                            post_mortem=post_mortem, chunks=chunks)) as attempts:
                    async for attempt_update in attempts:
                        yield attempt_update
                return
        # aclosing: stopping this stream early must end the invocation now (its environment discarded), not
        # whenever the inner generator is collected
        async with aclosing(self.invoke_once(spec, event, request_id=request_id, debug=debug,
                                             post_mortem=post_mortem, chunks=chunks, qualifier=qualifier)) as once:
            async for local_update in once:
                yield local_update

    async def invoke_once(self, spec: FunctionSpec, event: Any, *, request_id: str | None = None,
                          debug: bool = False, post_mortem: bool = False, chunks: bool = False,
                          qualifier: str | None = None) -> AsyncGenerator[Update | DebugStop | ResponseChunk, None]:
        """One invocation of a local function (``invoke`` without retries)."""
        queue: asyncio.Queue[LogRecord | Result | DebugStop | ResponseChunk | None] = asyncio.Queue(QUEUE_SIZE)
        request_id = request_id or new_request_id()
        session = DebugSession(request_id, spec.name, queue, interactive=debug or post_mortem, post_mortem=post_mortem)
        driver = asyncio.create_task(self._drive(spec, event, request_id, queue, session, chunks, qualifier))
        try:
            while True:
                item = await queue.get()
                if item is None:
                    break
                if isinstance(item, Result) and self.history is not None:
                    self.history.record_soon(item, event, spec)
                yield item
            await driver
        finally:
            if not driver.done():
                driver.cancel()  # the driver discards the environment it borrowed
                try:
                    await driver
                except asyncio.CancelledError:
                    pass  # we cancelled it: the driver discarded the environment it borrowed

    def debug_send(self, request_id: str, line: str) -> None:
        """Answer the ``DebugStop`` of invocation ``request_id`` with a pdb command (``n``, ``s``, ``r``, ``c``,
        ``up``, ``p expr`` ...); raises RuntimeError when that invocation is not stopped."""
        link = self._debug_links.get(request_id)
        if link is None:
            raise RuntimeError(f"invocation {request_id} is not stopped in the debugger")
        link.send(line)

    async def prewarm(self, spec: FunctionSpec) -> Result | None:
        """Run ``spec``'s init phase now (after a reload), so the next invoke finds it ready.

        The next invoke still reports a cold start, with this Init Duration, as
        Lambda does for an environment initialised ahead of its first request.
        Returns None when init succeeded (or the function was already warm),
        else the init failure as a Result (e.g. ``Runtime.UserCodeSyntaxError``).
        """
        if spec.provisioned_concurrency:
            failures = await self.provision(spec)
            return failures[0] if failures else None
        pool = self._pool(spec.name)
        if any(worker.alive and worker.spec == spec for worker in pool.idle):
            return None
        warming = asyncio.get_running_loop().create_future()
        self._warming[spec.name] = (spec, warming)
        try:
            return await self._initialise(spec, provisioned=False)
        finally:
            if self._warming.get(spec.name, (None, None))[1] is warming:
                del self._warming[spec.name]
            warming.set_result(None)

    async def _prewarmed(self, spec: FunctionSpec) -> None:
        """Wait for the environment a prewarm is initialising for ``spec``, when none is idle: the request that
        follows a save takes it when it is ready instead of starting a second one beside it (two inits on a
        loaded machine only slow each other). A failed prewarm leaves this request its own cold start."""
        warming = self._warming.get(spec.name)
        if warming is not None and warming[0] == spec and not any(
                worker.alive and worker.spec == spec for worker in self._pool(spec.name).idle):
            await asyncio.shield(warming[1])

    async def provision(self, spec: FunctionSpec, count: int | None = None) -> list[Result]:
        """Initialise environments until ``count`` (default: the spec's provisioned concurrency) are ready.

        Provisioned environments are never reclaimed when idle, and their first
        invoke is warm, as on Lambda. Returns the init failures, if any.
        """
        pool = self._pool(spec.name)
        wanted = (spec.provisioned_concurrency if count is None else count) - pool.provisioned_count()
        results = await asyncio.gather(*(self._initialise(spec, provisioned=True) for _ in range(max(wanted, 0))))
        return [result for result in results if result is not None]

    async def _initialise(self, spec: FunctionSpec, *, provisioned: bool) -> Result | None:
        """Start one environment and run its init phase outside any invocation."""
        outcome = ResultBuilder(spec, "", time.time())
        outcome.cold = True
        try:
            await prepare_async(spec)  # build or extract a generated code folder (esbuild, zip) when stale
            worker = self._new_worker(spec)
        except (RuntimeUnavailable, BuildFailed) as exc:
            outcome.unavailable(exc)
            return outcome.build(LogBudget(self.log_limit_bytes))
        if provisioned:
            worker.extra_env[INITIALIZATION_TYPE] = PROVISIONED
        if not await init_phase(worker, outcome, debug_port=self.debug_port):
            await discard(worker)
            return outcome.build(LogBudget(self.log_limit_bytes))
        worker.fresh_init_ms = None if provisioned else outcome.init_ms
        self._pool(spec.name).add_idle(worker, provisioned=provisioned)
        return None

    async def invoke_collect(self, spec: FunctionSpec, event: Any) -> tuple[list[LogRecord], Result]:
        """The whole stream at once: for tests, scripts and the replay of a saved event."""
        records: list[LogRecord] = []
        async for update in self.invoke(spec, event):
            if isinstance(update, Result):
                return records, update
            records.append(update)
        raise RuntimeError("invocation stream ended without a result")  # pragma: no cover - engine invariant

    # ---- one invocation ------------------------------------------------------

    def _pool(self, name: str) -> Pool[Worker]:
        pool = self._pools.get(name)
        if pool is None:
            pool = self._pools[name] = Pool(self.limits, self._new_worker)
        if self._reaper is None:
            try:
                self._reaper = asyncio.get_running_loop().create_task(self._reap())
            except RuntimeError:
                pass  # adopt() before the loop runs: the first invoke starts the reaper
        return pool

    async def _reap(self) -> None:
        """Reclaim environments idle longer than the limit (provisioned ones stay)."""
        while True:
            await asyncio.sleep(min(max(self.limits.idle_s / 4, 0.05), 30.0))
            for pool in list(self._pools.values()):
                for worker in pool.expired():
                    await discard(worker)

    def _new_worker(self, spec: FunctionSpec) -> Worker:
        launch = launch_for(spec)
        self._notes[spec.name] = list(launch.notes)
        command = port_command(spec, launch, self.debug_port) if self.debug_port else launch.command
        return Worker(spec, command, speaks_fence=launch.speaks_fence, extra_env={**self.worker_env, **launch.env})

    async def _drive(self, spec: FunctionSpec, event: Any, request_id: str, queue: asyncio.Queue[Any],
                     session: DebugSession, chunks: bool = False, qualifier: str | None = None) -> None:
        started_at = time.time()
        budget = LogBudget(self.log_limit_bytes)
        result = ResultBuilder(spec, request_id, started_at)
        if spec.style == "azure" and not isinstance(event, bytes):
            event, missing = with_inputs(to_azure_event(event, spec), spec)
            for warning in missing:  # an input binding's file is missing: said before the invocation starts
                await queue.put(platform_record(request_id, f"svl: {warning}", level="WARN"))
        payload = event if isinstance(event, bytes) else encode_event(event)
        try:
            if len(payload) > PAYLOAD_LIMIT:
                result.fail("error", "RequestEntityTooLargeException",
                            f"Request must be smaller than {PAYLOAD_LIMIT} bytes for the InvokeFunction operation")
                return
            if spec.style == "azure" and (reason := refusal(spec)):
                result.fail("error", "Svl.DurableRuntimeRequired", reason)
                return
            pool = self._pool(spec.name)
            try:
                await prepare_async(spec)  # build or extract a generated code folder (esbuild, zip) when stale
                await self._prewarmed(spec)
                worker, fresh, stale = pool.acquire(spec)
            except (RuntimeUnavailable, BuildFailed) as exc:
                result.unavailable(exc)
                return
            except Throttled as exc:
                result.fail("error", "TooManyRequestsException", str(exc),
                            extra={"Reason": exc.reason, "Type": "User"})
                return
            for old in stale:
                await discard(old)
            result.cold = fresh or worker.fresh_init_ms is not None
            result.notes = list(self._notes.get(spec.name, ()))
            if fresh:
                result.notes += [f"layer {layer} is missing (not downloaded or not found): the function runs "
                                 "without it" for layer in missing_layers(spec)]
            if result.cold:
                for note in result.notes:
                    await queue.put(platform_record(request_id, f"svl: {note}", level="WARN"))
            worker.attach(queue, budget, request_id)
            try:
                if not fresh and worker.fresh_init_ms is not None:
                    result.init_ms, worker.fresh_init_ms = worker.fresh_init_ms, None
                elif fresh and not await init_phase(worker, result, debug_port=self.debug_port) and not (
                        result.init_timed_out and await init_again(worker, result, queue, budget, request_id,
                                                                   debug_port=self.debug_port)):
                    await queue.put(azure_logs.opening(spec, request_id))
                    result.started = True
                    return
                left = spec if not result.suppressed_init_ms else replace(
                    spec, timeout_s=max(spec.timeout_s - result.suppressed_init_ms / 1000, 0.001))
                await run_phase(worker, left, payload, request_id, result, queue, session,
                                debug_port=self.debug_port, debug_links=self._debug_links, chunks=chunks,
                                qualifier=qualifier)
                result.duration_ms += result.suppressed_init_ms
            except asyncio.CancelledError:
                result.discard = True
                raise
            finally:
                worker.detach()
                result.max_memory_mb = max(result.max_memory_mb, worker.peak_mb)
                if pool.release(worker, discard=result.discard):
                    await discard(worker)
        except asyncio.CancelledError:
            result.cancelled = True
            raise
        finally:
            if not result.cancelled:
                await self._finish(request_id, result, budget, queue)

    async def _finish(self, request_id: str, result: ResultBuilder, budget: LogBudget,
                      queue: asyncio.Queue[LogRecord | Result | DebugStop | None]) -> None:
        """END, REPORT and the Result close every stream, whatever happened."""
        final = result.build(budget)
        note = failure_note(result.spec, final)
        if note:
            final.notes.append(note)
            await queue.put(platform_record(request_id, f"svl: {note}", level="WARN"))
        if final.log_dropped_lines or final.log_dropped_bytes:
            await queue.put(platform_record(request_id, (
                f"svl: dropped {final.log_dropped_lines} lines ({final.log_dropped_bytes} bytes) of output: "
                f"over the {self.log_limit_bytes // (1024 * 1024)} MiB per-invocation log limit "
                "or the 256 KiB line limit"), level="WARN"))
        if result.started:
            for record in azure_logs.closing(final, result.spec):
                await queue.put(record)
        await queue.put(final)
        await queue.put(None)
