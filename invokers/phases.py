"""An environment's phases: init (and Lambda's retry of a slow init), one invocation, and its end.

Each phase drives a ``Worker`` and records what happened in a ``ResultBuilder``
with Lambda's wording; the engine (``invokers/engine.py``) picks the worker
from its pool and decides which phases run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from . import azure_logs
from .debug import DebugLink, DebugSession, wait_running
from .environment import function_arn
from .ids import trace_id
from .models import FunctionSpec
from .result_builder import ResultBuilder, error_dict, platform_record
from .runtime_api import Invocation
from .spawn import LIVE_PIDS, kill_group
from .worker import LogBudget, Worker

INIT_TIMEOUT_S = 10.0  # Lambda's init phase limit
MEMORY_POLL_S = 0.02


async def init_phase(worker: Worker, result: ResultBuilder, *, debug_port: int | None,
                     limit_s: float | None = None) -> bool:
    """Start the environment and wait for its init phase (``limit_s``, else Lambda's 10 s); False if it failed."""
    try:
        await worker.start(worker.prespawned)
    except OSError as exc:
        result.fail("error", "Runtime.InvalidEntrypoint", f"could not start {worker.command[0]}: {exc}")
        result.discard = True
        return False
    assert worker.api is not None and worker.exited is not None
    ready = asyncio.create_task(worker.api.ready.wait())
    memory = MemoryWatch(worker, worker.spec.memory_mb)
    watcher = memory.over
    try:  # an editor attaching through the debug port takes its time: no init timeout then
        waits: set[asyncio.Future[Any]] = {ready, worker.api.init_error, worker.exited, watcher}
        done, _ = await asyncio.wait(waits, timeout=None if debug_port else limit_s or INIT_TIMEOUT_S,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        memory.cancel()
        if not ready.done():
            ready.cancel()
    result.init_ms = (time.perf_counter() - worker.spawned_at) * 1000
    worker.sample_memory()
    if ready in done:
        result.init_ms = (worker.api.ready_at - worker.spawned_at) * 1000
        await worker.wait_for_output()
        return True
    result.discard = True
    if worker.api.init_error in done:
        await worker.wait_for_output()
        error = error_dict(worker.api.init_error.result())
        result.fail("error", error.get("errorType", "Runtime.Unknown"), error.get("errorMessage", ""),
                    error.get("stackTrace"), extra=error)
    elif watcher in done or worker.exited in done:
        await lost(worker, result, out_of_memory=watcher in done)
    else:
        await worker.kill()
        await worker.drain()
        result.init_timed_out = True
        result.fail("timeout", "Runtime.InitTimeout",
                    f"Init phase did not finish within {limit_s or INIT_TIMEOUT_S:.0f} seconds")
    return False


async def init_again(worker: Worker, result: ResultBuilder, queue: asyncio.Queue[Any], budget: LogBudget,
                     request_id: str, *, debug_port: int | None) -> bool:
    """Lambda's answer to an init phase over 10 s: run init again inside the first invoke ("suppressed
    init"), against the function's own timeout; the REPORT then has no Init Duration and the Duration
    includes init. True when the environment became ready in time."""
    worker.prespawned = None
    worker.attach(queue, budget, request_id)  # killing the first attempt detached it
    result.status, result.error, result.discard, result.init_timed_out = "ok", None, False, False
    started = time.perf_counter()
    ready = await init_phase(worker, result, debug_port=debug_port, limit_s=worker.spec.timeout_s)
    result.suppressed_init_ms = (time.perf_counter() - started) * 1000
    result.init_ms = None
    if not ready and result.init_timed_out:
        result.duration_ms = result.suppressed_init_ms
        result.fail("timeout", "Sandbox.Timedout", timed_out_message(request_id, result.duration_ms))
    return ready


async def run_phase(worker: Worker, spec: FunctionSpec, payload: bytes, request_id: str, result: ResultBuilder,
                    queue: asyncio.Queue[Any], session: DebugSession, *, debug_port: int | None,
                    debug_links: dict[str, DebugLink], chunks: bool = False, qualifier: str | None = None) -> None:
    """One invocation on a ready environment: START, the event, then its answer, crash or timeout.

    ``qualifier`` (an alias or version the caller named) ends the invoked function ARN, as on Lambda.

    With ``chunks`` a streamed response's pieces go to ``queue`` as ``ResponseChunk``s as they arrive."""
    assert worker.api is not None and worker.exited is not None
    deadline = time.time() + spec.timeout_s
    invocation = Invocation(request_id=request_id, payload=payload, deadline_ms=int(deadline * 1000),
                            function_arn=function_arn(spec, qualifier), trace_id=trace_id(),
                            debug="post-mortem" if session.post_mortem else "")
    if chunks:  # the consumer takes a streamed response's pieces as they come
        from .streaming import ChunkStream

        invocation.on_chunk = ChunkStream(request_id, queue.put).feed
    if worker.debug is not None:
        worker.debug.session = session
        debug_links[request_id] = worker.debug
    await queue.put(azure_logs.opening(spec, request_id))
    result.started = True
    worker.api.submit(invocation)
    memory = MemoryWatch(worker, spec.memory_mb)
    stoppable = session if session.interactive else None  # only an interactive session ever pauses
    waits = (invocation.outcome, worker.exited)
    try:  # time stopped in the debugger does not count; with an editor attached nothing does
        ended = await _first(waits, memory, None if debug_port else spec.timeout_s, stoppable)
        while not ended and invocation.sent_at:  # the clock runs from when the worker got the event
            left = spec.timeout_s - (time.perf_counter() - invocation.sent_at) + session.paused_s
            if left <= 0:
                break
            ended = await _first(waits, memory, left, stoppable)
    finally:
        memory.cancel()
        if worker.debug is not None:
            worker.debug.session = None
            debug_links.pop(request_id, None)
        session.resume()
    now = time.perf_counter()
    sent = invocation.sent_at or now
    result.error_locals = session.error_locals
    result.paused_ms = session.paused_s * 1000
    if invocation.outcome.done():
        outcome = invocation.outcome.result()
        start, end = outcome.span or (sent, outcome.received_at)
        if outcome.span is not None:
            result.paused_ms = outcome.paused_ms  # the worker's own clock: exact
        result.duration_ms = max(0.0, (end - start) * 1000 - result.paused_ms)
        worker.sample_memory()
        await worker.wait_for_output(unfenced=outcome.unfenced)
        if worker.peak_mb > spec.memory_mb:
            await worker.kill()
            result.oom()
            return
        result.settle(outcome)
        return
    result.duration_ms = max(0.0, (now - sent) * 1000 - result.paused_ms)
    result.discard = True
    if memory.exceeded or worker.exited.done():
        await lost(worker, result, out_of_memory=memory.exceeded)
    else:
        await worker.kill()
        await worker.drain()
        # The loop above only gives up once the handler has run for its whole timeout, so that is
        # the least a timeout reports (as Lambda does); one 999.8 ms reading of a 1 s timeout was
        # seen under heavy load, cause not pinned down, and this keeps the report truthful.
        result.duration_ms = max(result.duration_ms, spec.timeout_s * 1000)
        if spec.style == "azure":
            line, message = azure_logs.timed_out(spec, request_id)
            await queue.put(platform_record(request_id, line, level="ERROR"))
            result.fail("timeout", azure_logs.TIMEOUT_ERROR, message)
            return
        message = timed_out_message(request_id, result.duration_ms)
        await queue.put(platform_record(request_id, message, level="ERROR"))
        result.fail("timeout", "Sandbox.Timedout", message)


async def _first(waits: tuple[asyncio.Future[Any], ...], memory: MemoryWatch, timeout: float | None,
                 session: DebugSession | None) -> bool:
    """Wait until one of ``waits`` is done or ``memory`` is exceeded (True), or ``timeout`` passes (False).

    Without a debugging session this is one future woken by callbacks: ``asyncio.wait`` would wrap,
    register and sort every awaitable on each invocation (a tenth of ``serve``'s CPU per request).
    """
    if session is not None:  # the debugger may stop the clock: its own wait
        return bool(await wait_running({*waits, memory.over}, timeout, session))
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: object = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    for future in waits:
        future.add_done_callback(wake)
    memory.wake = wake
    timer = loop.call_later(timeout, wake) if timeout is not None else None
    try:
        await waiter
    finally:
        for future in waits:
            future.remove_done_callback(wake)
        memory.wake = None
        if timer is not None:
            timer.cancel()
    return memory.exceeded or any(future.done() for future in waits)


def timed_out_message(request_id: str, duration_ms: float) -> str:
    """Lambda's timeout line: its own timestamp, the request id and the seconds the handler ran."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return f"{stamp} {request_id} Task timed out after {duration_ms / 1000:.2f} seconds"


async def discard(worker: Worker) -> None:
    """Kill an environment the pool gave up; one never started only closes its prespawned process."""
    spawned = worker.prespawned
    if worker.process is None and spawned is not None:
        worker.prespawned = None
        kill_group(spawned.process.pid)
        spawned.listener.close()
        await asyncio.to_thread(spawned.process.wait)
        LIVE_PIDS.discard(spawned.process.pid)
        return
    await worker.kill()


async def lost(worker: Worker, result: ResultBuilder, *, out_of_memory: bool) -> None:
    """The environment died (or was killed for its memory) before it answered: Lambda's wording."""
    if out_of_memory:
        await worker.kill()
    await worker.drain()
    if out_of_memory:
        result.oom()
        return
    description = worker.exit_description()
    message = ("Runtime exited without providing a reason" if description == "exit status 0"
               else f"Runtime exited with error: {description}")
    result.fail("crashed", "Runtime.ExitError", f"RequestId: {result.request_id} Error: {message}")


class MemoryWatch:
    """Whether the worker's RSS passed its memory size (``exceeded``), sampled every ``MEMORY_POLL_S``; it
    then calls ``wake`` and resolves ``over`` (a future made only for those who ask for one).

    A timer rather than a task, and no sample at once: an invocation shorter than
    one interval costs nothing here (its peak is read once when it ends, from the
    OS's high-water mark), and a long one is checked as before.
    """

    def __init__(self, worker: Worker, limit_mb: int) -> None:
        loop = asyncio.get_running_loop()
        self.exceeded = False
        self.wake: Callable[[], None] | None = None
        self._over: asyncio.Future[None] | None = None
        self._worker = worker
        self._limit_kb = limit_mb * 1024
        self._loop = loop
        self._timer = loop.call_later(MEMORY_POLL_S, self._sample)

    @property
    def over(self) -> asyncio.Future[None]:
        if self._over is None:
            self._over = self._loop.create_future()
            if self.exceeded:
                self._over.set_result(None)
        return self._over

    def _sample(self) -> None:
        if self._worker.sample_memory() > self._limit_kb:
            self.exceeded = True
            if self._over is not None and not self._over.done():
                self._over.set_result(None)
            if self.wake is not None:
                self.wake()
            return
        self._timer = self._loop.call_later(MEMORY_POLL_S, self._sample)

    def cancel(self) -> None:
        self._timer.cancel()
        if self._over is not None and not self._over.done():
            self._over.cancel()
