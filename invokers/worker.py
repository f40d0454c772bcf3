"""One execution environment: a worker process, its Runtime API, its log pipes.

A worker lives across invocations (warm starts keep module state) and is
thrown away after a timeout, a crash, an init error or a cancelled invoke, so
the next invoke is a cold start, as on Lambda.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from .debug import DebugLink
from .logs import parse_line
from .models import DebugStop, FunctionSpec, LogRecord, Result
from .output import OutputReader
from .processes import memory_kb
from .runtime_api import RuntimeAPI
from .spawn import LIVE_PIDS, Spawned, kill_group, kill_marked, spawn

STRAY_LINES = 1000  # output written between invocations, kept for the next one
STRAY_BYTES = 1024 * 1024  # ... and at most this much of it
DELIVERY_TIMEOUT_S = 60.0  # a fence was read: wait this long at most for a slow reader to take the lines before it
_KB_PER_MB = 1024


@dataclass
class LogBudget:
    """How much output one invocation may stream before lines are dropped."""

    limit_bytes: int
    used_bytes: int = 0
    dropped_lines: int = 0
    dropped_bytes: int = 0

    def admit(self, size: int) -> bool:
        if self.used_bytes + size > self.limit_bytes:
            self.dropped_lines += 1
            self.dropped_bytes += size
            return False
        self.used_bytes += size
        return True


class Worker:
    """A long-lived process running one function behind the Runtime API."""

    def __init__(self, spec: FunctionSpec, command: list[str], *, speaks_fence: bool,
                 extra_env: dict[str, str] | None = None) -> None:
        self.spec = spec
        self.command = command
        self.speaks_fence = speaks_fence
        self.extra_env = extra_env or {}
        self.api: RuntimeAPI | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.exited: asyncio.Future[int] | None = None
        self.spawned_at = 0.0
        self.prespawned: Spawned | None = None
        self.fresh_init_ms: float | None = None  # initialised ahead of its first invoke (prewarm)
        self.peak_rss_kb = 0
        self._fence = ""
        self._fence_read = {"stdout": asyncio.Event(), "stderr": asyncio.Event()}
        self._fence_delivered = {"stdout": asyncio.Event(), "stderr": asyncio.Event()}
        self._fences_counted = {"stdout": 0, "stderr": 0}
        self._pumps: list[asyncio.Task[None]] = []
        self._reader: OutputReader | None = None
        self._wake_pump: asyncio.Event | None = None
        self._pumping = False  # the pump holds lines it took and has not delivered yet
        self._queue: asyncio.Queue[LogRecord | Result | DebugStop | None] | None = None
        self._budget: LogBudget | None = None
        self._request_id = ""
        self._stray: deque[LogRecord] = deque(maxlen=STRAY_LINES)
        self.debug: DebugLink | None = None
        self._stray_budget = LogBudget(STRAY_BYTES)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, spawned: Spawned | None = None) -> None:
        """Adopt (or spawn now) the process; its init phase runs until its first ``GET /next``."""
        spawned = spawned or spawn(self.spec, self.command, self.speaks_fence, self.extra_env)
        self.prespawned = None
        self.process = spawned.process
        self.spawned_at = spawned.spawned_at
        self._fence = spawned.fence
        self.api = RuntimeAPI(spawned.key, on_refused=self._refused, peer_marker=spawned.peer_marker,
                              worker_pid=spawned.process.pid)
        await self.api.start(spawned.listener)
        if spawned.debug_socket is not None:
            self.debug = DebugLink(spawned.debug_socket)
            await self.debug.start()
        loop = asyncio.get_running_loop()
        assert self.process.stdout is not None and self.process.stderr is not None
        woken = asyncio.Event()
        self._fences_counted = {"stdout": 0, "stderr": 0}  # a new process (an init run again) counts afresh
        reader = OutputReader({"stdout": self.process.stdout, "stderr": self.process.stderr}, self._fence.encode())
        reader.start(_waker(loop, partial(self._woken, reader, woken)))
        self._reader, self._wake_pump = reader, woken
        self._pumps.append(asyncio.create_task(self._pump(reader, woken)))
        self.exited = _exit_future(loop, self.process)

    def attach(self, queue: asyncio.Queue[LogRecord | Result | DebugStop | None], budget: LogBudget,
               request_id: str) -> None:
        """Route the worker's output to one invocation's stream."""
        self._queue = queue
        self._budget = budget
        self._request_id = request_id
        while self._stray:
            queue.put_nowait(self._stray.popleft())
        stray = self._stray_budget
        if stray.dropped_lines or stray.dropped_bytes:
            queue.put_nowait(LogRecord(
                timestamp=time.time(), request_id=request_id, level="WARN", stream="platform",
                message=f"svl: dropped {stray.dropped_lines} lines ({stray.dropped_bytes} bytes) of output written "
                        f"between invocations: over {STRAY_LINES} lines or {STRAY_BYTES // 1024} KiB"))
        self._stray_budget = LogBudget(STRAY_BYTES)

    def _refused(self, message: str) -> None:
        """Another process tried this environment's Runtime API: say so in its log."""
        record = LogRecord(timestamp=time.time(), message=message, request_id=self._request_id, level="WARN",
                           stream="platform")
        if self._queue is None:
            self._stray.append(record)
        elif not self._queue.full():
            self._queue.put_nowait(record)

    def detach(self) -> None:
        self._queue = None
        self._budget = None
        self._request_id = ""

    # ---- output ------------------------------------------------------------

    async def wait_for_output(self, timeout: float = 1.0, *, unfenced: bool = False) -> None:
        """Wait until every line written so far has been routed.

        Runtimes that write no fence before answering (custom bootstraps; ours on
        Linux, which say ``unfenced``) have written all of it into the pipes by
        then: what is in them (FIONREAD) is read first, within ``timeout``, then
        what was read is delivered (``OutputReader.cut``): usually nothing, and no
        thread wakes for an invocation that printed nothing. Otherwise our
        bootstraps write a fence mark on both pipes before reporting: the pipe
        thread reads it (within ``timeout``), then the lines before it reach the
        stream as fast as its reader takes them. Where the OS cannot count
        (custom bootstraps elsewhere), a short quiet period has to do.
        """
        reader = self._reader
        if reader is not None and self.alive and (unfenced or not self.speaks_fence):
            target = reader.read_target()
            if target is not None:
                deadline = time.monotonic() + timeout
                while reader.read_total < target and time.monotonic() < deadline:
                    await asyncio.sleep(0.001)
            if target is not None or unfenced:
                for event in self._fence_delivered.values():
                    event.clear()
                if reader.cut(self._pumping):
                    assert self._wake_pump is not None
                    self._wake_pump.set()
                    await _wait_all(self._fence_delivered.values(), DELIVERY_TIMEOUT_S)
                self._clear_fences()
                return
        if self.speaks_fence and self.alive:
            await _wait_all(self._fence_read.values(), timeout)
            read = [self._fence_delivered[name] for name, event in self._fence_read.items() if event.is_set()]
            await _wait_all(read, DELIVERY_TIMEOUT_S)
        else:
            await asyncio.sleep(0.005)
        self._clear_fences()

    def _clear_fences(self) -> None:
        for event in (*self._fence_read.values(), *self._fence_delivered.values()):
            event.clear()

    async def drain(self, timeout: float = 1.0) -> None:
        """After the process died: read what it wrote before dying."""
        if self._pumps:
            await asyncio.wait(self._pumps, timeout=timeout)

    async def _pump(self, reader: OutputReader, woken: asyncio.Event) -> None:
        """Take lines from the pipes' thread as fast as the stream's reader allows."""
        while True:
            await woken.wait()
            woken.clear()
            closed = reader.closed
            blocks, dropped_lines, dropped_bytes = reader.take()
            self._pumping = bool(blocks)
            self._count_dropped(dropped_lines, dropped_bytes)
            for stream, block in blocks:
                if not block:  # a fence mark
                    self._fence_delivered[stream].set()
                    continue
                for index, line in enumerate(block.split(b"\n")[:-1]):
                    await self._emit(line, stream)
                    if index % 256 == 255:
                        await asyncio.sleep(0)  # a block can hold thousands of lines: let the UI breathe
            self._pumping = False
            if closed:
                return

    def _woken(self, reader: OutputReader, woken: asyncio.Event) -> None:
        """On the loop, when the pipes' thread read more: wake the pump; note a fence read even while the pump
        waits for a slow reader."""
        woken.set()
        for stream, count in reader.fences_read.items():
            if count > self._fences_counted[stream]:
                self._fences_counted[stream] = count
                self._fence_read[stream].set()

    def _count_dropped(self, lines: int, size: int) -> None:
        budget = self._budget if self._queue is not None else self._stray_budget
        if budget is not None:
            budget.dropped_lines += lines
            budget.dropped_bytes += size

    async def _emit(self, raw: bytes, stream: str) -> None:
        queue, budget = self._queue, self._budget
        if queue is None:
            queue, budget = None, self._stray_budget
            if len(self._stray) == STRAY_LINES:
                budget.dropped_lines += 1
                budget.dropped_bytes += len(raw) + 1
                return
        if budget is not None and not budget.admit(len(raw) + 1):
            return  # over the limit: counted, and not even parsed
        text = raw.decode("utf-8", "replace").rstrip("\r").replace("\r", "\n")
        record = parse_line(text, request_id=self._request_id, stream=stream)
        if queue is None:
            self._stray.append(record)
        else:
            await queue.put(record)

    # ---- resources -----------------------------------------------------------

    def sample_memory(self) -> int:
        """Current RSS in KiB (any OS, see ``processes.memory_kb``); also tracks the peak."""
        if self.process is None:
            return 0
        rss, hwm = memory_kb(self.process.pid)
        self.peak_rss_kb = max(self.peak_rss_kb, rss, hwm)
        return rss

    @property
    def peak_mb(self) -> int:
        return -(-self.peak_rss_kb // _KB_PER_MB)

    async def kill(self) -> None:
        """End the environment (every process the handler started, see ``processes``) and reap the worker."""
        if self.process is not None:
            if self.process.returncode is None:
                kill_group(self.process.pid)
            else:
                kill_marked(self.process.pid)
            if self.exited is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(self.exited), 5)
                except asyncio.TimeoutError:
                    pass
            LIVE_PIDS.discard(self.process.pid)
        for task in self._pumps:
            task.cancel()  # the pipe threads end by themselves at end of file
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
        if self.api is not None:
            await self.api.close()
        if self.debug is not None:
            await self.debug.close()
        self.detach()

    def exit_description(self) -> str:
        """Lambda's wording for how the runtime ended (``exit status 1``, ``signal: killed``)."""
        code = self.process.returncode if self.process else None
        if code is None:
            return "unknown"
        if code < 0:
            return "signal: " + _SIGNAL_WORDS.get(signal.Signals(-code), signal.Signals(-code).name.lower())
        return f"exit status {code}"


_SIGNAL_WORDS = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
                 signal.SIGTERM: "terminated", signal.SIGBUS: "bus error", signal.SIGINT: "interrupt"}


def _settle(future: asyncio.Future[int], code: int) -> None:
    if not future.done():
        future.set_result(code)


def _waker(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> Callable[[], None]:
    """What a pipe thread calls when it has read something: ``callback`` on the loop's thread."""
    def wake() -> None:
        try:
            loop.call_soon_threadsafe(callback)
        except RuntimeError:
            pass  # the loop is closed: nobody is listening any more

    return wake


async def _wait_all(events: Iterable[asyncio.Event], timeout: float) -> None:
    waits = [asyncio.create_task(event.wait()) for event in events if not event.is_set()]
    if not waits:
        return
    _done, pending = await asyncio.wait(waits, timeout=timeout)
    for task in pending:
        task.cancel()


def _exit_future(loop: asyncio.AbstractEventLoop, process: subprocess.Popen[bytes]) -> asyncio.Future[int]:
    """A future for the process's exit code, resolved from a waiter thread.

    A thread per worker (as asyncio's own ThreadedChildWatcher does) works for
    processes spawned before the loop existed, which asyncio's subprocess API
    cannot adopt.
    """
    future: asyncio.Future[int] = loop.create_future()

    def wait() -> None:
        code = process.wait()
        LIVE_PIDS.discard(process.pid)
        if not loop.is_closed():
            loop.call_soon_threadsafe(_settle, future, code)

    threading.Thread(target=wait, name=f"svl-wait-{process.pid}", daemon=True).start()
    return future
