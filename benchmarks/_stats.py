"""Small helpers shared by the benchmark scripts: timing and reporting."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from invokers.reload import Reloader, ReloadEvent


def precompile() -> None:
    """Write svl-tui's bytecode first, so whole-process figures are those of a normal install.

    With PYTHONDONTWRITEBYTECODE set (as on CI machines) an editable install
    would otherwise recompile every module on every start.
    """
    import compileall
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for package in ("invokers", "tui", "event_samples"):
        compileall.compile_dir(str(root / package), quiet=1)


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def time_command(command: Sequence[str], runs: int, *, warm: bool = True, **kwargs: object) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of a whole process (after one warm-up run unless ``warm`` is off)."""
    if warm:
        subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
        samples.append(time.perf_counter() - start)
    return samples


def time_calls(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def row(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def compare_processes(ours: Sequence[str], peer: Sequence[str] | None, peer_name: str, missing_hint: str,
                      runs: int, cwd: object) -> None:
    """Time ``svl-tui`` and a peer on the same handler and event, alternating A, B, A, B (a load that
    comes and goes on a shared machine hits both alike), and print the ratio."""
    if peer is None:
        mine = time_command(ours, runs, cwd=cwd)
        row("`svl-tui invoke` median", f"{median_ms(mine):.1f} ms")
        row(peer_name, f"not installed: {missing_hint}")
        return
    for command in (ours, peer):  # one warm-up run each (bytecode, page cache)
        subprocess.run(command, check=True, capture_output=True, cwd=cwd)  # type: ignore[call-overload]
    mine, theirs = [], []
    for _ in range(runs):
        mine += time_command(ours, 1, cwd=cwd, warm=False)
        theirs += time_command(peer, 1, cwd=cwd, warm=False)
    row("`svl-tui invoke` median", f"{median_ms(mine):.1f} ms")
    row(f"`{peer_name}` median", f"{median_ms(theirs):.1f} ms")
    row(f"ratio ({peer_name} / svl-tui, > 1 means faster)", f"{median_ms(theirs) / median_ms(mine):.2f}x")


@contextlib.asynccontextmanager
async def reload_events(reloader: Reloader) -> AsyncIterator[asyncio.Queue[ReloadEvent]]:
    """Run ``reloader.watch`` in the background (up and watching on entry); its events arrive on the queue."""
    stop = asyncio.Event()
    queue: asyncio.Queue[ReloadEvent] = asyncio.Queue()

    async def pump() -> None:
        async for event in reloader.watch(stop):
            queue.put_nowait(event)

    watcher = asyncio.create_task(pump())
    await asyncio.sleep(1.0)  # the watcher is up
    try:
        yield queue
    finally:
        stop.set()
        await watcher
