"""The history's writer thread (``History.record_soon``): the engine's loop hands runs over and goes on.

One thread for the whole process takes queued runs in order and appends whatever has gathered, each
file's lines in groups (one locked append each). ``flush`` waits for it; an ``atexit`` hook flushes at
a normal interpreter exit (the UI's), since the daemon thread would otherwise take queued runs with it.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .history_files import append
from .models import FunctionSpec, Result

if TYPE_CHECKING:
    from .history import History

log = logging.getLogger("svl.history")

PENDING_LIMIT = 10_000
"""Runs queued by ``record_soon`` at most; beyond, the caller waits for the writer (memory stays bounded)."""
GATHER_S = 0.01
"""The writer's pause after each batch, so a busy engine hands it runs in batches (flush does not wait for it)."""
GROUP_FRACTION = 8
"""Lines appended to a file at once stay under its limit / this, so rotation keeps files near their limits."""


class _Writer:
    """One thread for the whole process: takes queued runs in order and appends whatever has gathered."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[History, Result, Any, FunctionSpec]] = queue.Queue(PENDING_LIMIT)
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def put(self, history: History, result: Result, event: Any, spec: FunctionSpec) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="svl-history", daemon=True)
                    self._thread.start()
                    atexit.register(self.flush)  # a normal exit (the UI's) writes what is queued first
        self._queue.put((history, result, event, spec))

    def flush(self) -> None:
        if self._thread is not None:
            self._queue.join()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 512:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                _write(batch)
            except Exception:  # the writer must outlive any one bad run
                log.exception("could not record %d runs", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()
            time.sleep(GATHER_S)  # let the next runs gather: one wake-up per batch, not one per run


def _write(batch: list[tuple[History, Result, Any, FunctionSpec]]) -> None:
    """Append a batch of runs: every payload line first, then the figures (a run is loaded only once its
    figures are in), each file's lines in groups (one locked append each)."""
    payloads: dict[Path, tuple[int, list[bytes]]] = {}
    figures: dict[Path, tuple[int, list[bytes]]] = {}
    folders: dict[Path, str] = {}
    for history, result, event, spec in batch:
        run = history.encoded(result, event, spec)
        if run is None:
            continue
        folders.setdefault(history.folder, result.request_id)
        payloads.setdefault(run[0], (history.payloads_limit, []))[1].append(run[2])
        figures.setdefault(run[1], (history.figures_limit, []))[1].append(run[3])
    for folder, request_id in folders.items():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("could not record %s in %s: %s", request_id, folder, exc)
    for files in (payloads, figures):
        for path, (limit, lines) in files.items():
            try:
                for group in _groups(lines, max(limit // GROUP_FRACTION, 1)):
                    append(path, group, limit)
            except OSError as exc:
                log.warning("could not record %d runs in %s: %s", len(lines), path, exc)


def _groups(lines: list[bytes], size: int) -> list[bytes]:
    """``lines`` joined into as few pieces as keep each under ``size`` bytes (a longer line is its own)."""
    groups: list[bytes] = []
    current: list[bytes] = []
    length = 0
    for line in lines:
        if current and length + len(line) > size:
            groups.append(b"".join(current))
            current, length = [], 0
        current.append(line)
        length += len(line)
    if current:
        groups.append(b"".join(current))
    return groups


WRITER = _Writer()
"""The process's one writer (every History of the process queues here, so ``flush`` covers them all)."""
