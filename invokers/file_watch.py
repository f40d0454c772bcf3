"""Saves in a project, as batches of changed paths: a single save at once, a burst as one batch.

A fixed quiet time (wait until nothing changed for N ms) makes every save pay N
and still splits a writer that pauses longer than N half-way through a file. On
Linux this watches with inotify itself, which says when a writer *closes* a file
(``IN_CLOSE_WRITE``) or moves a finished one into place (``IN_MOVED_TO``), so:

- a file being written (created or modified, not yet closed) holds its batch
  until it is closed: half-written code is never given out (for up to
  ``MAX_WAIT_S``, for a writer that keeps a file open);
- a deleted file holds its batch for ``REPLACE_GRACE_S``: editors save by
  renaming the old file away and writing a new one (vim), or replace it (git);
- otherwise a batch is given out ``QUIET_S`` after its last event, which is
  enough to take the rest of a burst already in the kernel's queue (an editor's
  temporary files, ``git checkout`` writing many files) into the same batch.

The watches are added when ``watch_folders`` returns, and the events are read
on the event loop, so idling costs nothing. Folders that cannot hold a function's code (``SKIPPED_DIRS``:
``.git``, ``node_modules``, caches) are not descended into. Elsewhere (macOS,
Windows, or no inotify) ``watchfiles`` watches with its quiet time.
"""

from __future__ import annotations

import asyncio
import errno
import os
import struct
import sys
import time
from collections.abc import Callable, Iterable

QUIET_S = 0.005
REPLACE_GRACE_S = 0.05
MAX_WAIT_S = 0.8
FALLBACK_STEP_MS = 80  # watchfiles' quiet time, where inotify is not available

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
IN_ONLYDIR, IN_EXCL_UNLINK, IN_ISDIR = 0x1000000, 0x4000000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, 0o2000000
WATCHED = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
           | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)
EVENT = struct.Struct("iIII")

Accept = Callable[[str], bool]


class Watch:
    """A source of batches of changed paths, armed from creation; ``close`` it when done."""

    async def next_batch(self) -> list[str] | None:
        """The next batch, or None once the ``stop`` event given at creation is set."""
        raise NotImplementedError

    def has_changes(self) -> bool:
        """Whether changes came that the next batch will give (while the caller applied the last one)."""
        return False

    def close(self) -> None:
        """Stop watching."""


def watch_folders(roots: Iterable[str | os.PathLike[str]], accept: Accept, skip_dir: Callable[[str], bool],
                  stop: asyncio.Event | None = None) -> Watch:
    """Watch ``roots`` (their folders, but not those ``skip_dir(name)`` names) for changes to paths ``accept``
    takes, until ``stop`` is set. Must be called with the event loop running."""
    folders = [os.path.abspath(root) for root in roots]
    try:
        return _Inotify(folders, accept, skip_dir, stop)
    except OSError as exc:  # not Linux, or no inotify; out of watches: watchfiles polls the folders instead
        return _Watchfiles(folders, accept, stop, polling=exc.errno in (errno.ENOSPC, errno.ENOMEM))


class _Watchfiles(Watch):
    """``watchfiles``, which cannot tell a finished write from one under way: it waits for a quiet time."""

    def __init__(self, folders: list[str], accept: Accept, stop: asyncio.Event | None, *, polling: bool) -> None:
        from watchfiles import awatch

        self._changes = awatch(*folders, watch_filter=lambda _change, path: accept(path), step=FALLBACK_STEP_MS,
                               debounce=int(MAX_WAIT_S * 1000), stop_event=stop, recursive=True,
                               force_polling=polling)

    async def next_batch(self) -> list[str] | None:
        try:
            changes = await self._changes.__anext__()
        except StopAsyncIteration:
            return None
        return [path for _change, path in changes]


class _Inotify(Watch):
    """One inotify instance over every folder of the roots, and the batch being gathered."""

    def __init__(self, roots: list[str], accept: Accept, skip_dir: Callable[[str], bool],
                 stop: asyncio.Event | None) -> None:
        if not sys.platform.startswith("linux"):
            raise OSError("inotify is Linux's")
        import ctypes

        self._libc = ctypes.CDLL(None, use_errno=True)
        self._fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.accept, self.skip_dir, self.stop = accept, skip_dir, stop
        self.folders: dict[int, str] = {}
        self.roots = roots
        self.changed: dict[str, None] = {}  # in order of first change
        self.writing: dict[str, float] = {}  # created or modified, not closed yet: when last touched
        self.gone: dict[str, float] = {}  # deleted or moved away, not back yet: when
        self.first = self.last = 0.0
        self._ready: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        try:
            for root in roots:
                self._add_tree(root, report=False, strict=True)
        except OSError:
            os.close(self._fd)
            raise
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._fd, self._read)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._loop.remove_reader(self._fd)
        os.close(self._fd)

    def has_changes(self) -> bool:
        return bool(self.changed)

    async def next_batch(self) -> list[str] | None:
        stop = self.stop
        if stop is not None and stop.is_set():
            return None
        self._ready = self._loop.create_future()
        self._schedule()
        waits: list[asyncio.Future[object]] = [self._ready]  # type: ignore[list-item]
        stopper = asyncio.ensure_future(stop.wait()) if stop is not None else None
        if stopper is not None:
            waits.append(stopper)  # type: ignore[arg-type]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if stopper is not None:
                stopper.cancel()
        if not self._ready.done():
            self._ready.cancel()
            return None
        batch = list(self.changed)
        self.changed.clear()
        self.writing.clear()
        self.gone.clear()
        return batch

    # ---- gathering -----------------------------------------------------------

    def _add_tree(self, folder: str, *, report: bool, strict: bool = False) -> None:
        """Watch ``folder`` and the folders under it; with ``report``, what is already in them counts as changed
        (a folder created or moved in: its files may have been written before its watch was added). ``strict``
        (at start): running out of the user's inotify watches raises, so the caller can poll instead."""
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), WATCHED)
        if wd < 0:
            import ctypes

            failure = ctypes.get_errno()
            if strict and failure in (errno.ENOSPC, errno.ENOMEM):
                raise OSError(failure, f"cannot watch {folder}: the user's inotify watches are used up "
                                       "(fs.inotify.max_user_watches)")
            return  # gone already, or not a folder
        self.folders[wd] = folder
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not self.skip_dir(entry.name):
                    self._add_tree(entry.path, report=report, strict=strict)
            elif report and self.accept(entry.path):
                self._touch(entry.path)

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size:offset + EVENT.size + length].rstrip(b"\0")
                offset += EVENT.size + length
                self._event(wd, mask, os.fsdecode(name))
        self._schedule()

    def _event(self, wd: int, mask: int, name: str) -> None:
        if mask & IN_Q_OVERFLOW:  # the kernel dropped events: everything may have changed
            for root in self.roots:
                self._add_tree(root, report=True)  # a folder already watched keeps its watch
            return
        folder = self.folders.get(wd)
        if mask & IN_IGNORED or folder is None:
            self.folders.pop(wd, None)
            return
        if not name:
            return  # the watched folder itself (deleted or moved): its parent reports it
        path = os.path.join(folder, name)
        if mask & IN_ISDIR:
            if mask & (IN_CREATE | IN_MOVED_TO) and not self.skip_dir(name):
                self._add_tree(path, report=True)
            return
        if not self.accept(path):
            return
        if mask & IN_CLOSE_WRITE:  # a write finished; a file opened for writing and left unchanged is no change
            self.writing.pop(path, None)
            return
        now = time.monotonic()
        self._touch(path, now)
        if mask & (IN_CREATE | IN_MODIFY):
            self.writing[path] = now
        else:
            self.writing.pop(path, None)
        if mask & (IN_DELETE | IN_MOVED_FROM):
            self.gone[path] = now
        else:
            self.gone.pop(path, None)

    def _touch(self, path: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if not self.changed:
            self.first = now
        self.changed[path] = None
        self.last = now

    # ---- giving out -----------------------------------------------------------

    def _ready_at(self) -> float:
        """When the batch gathered so far may be given out (see the module's rules)."""
        at = self.last + QUIET_S
        if self.gone:
            at = max(at, max(self.gone.values()) + REPLACE_GRACE_S)
        if self.writing:
            at = max(at, max(self.writing.values()) + MAX_WAIT_S)
        return min(at, self.first + MAX_WAIT_S)

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._ready is None or self._ready.done() or not self.changed:
            return
        delay = self._ready_at() - time.monotonic()
        if delay <= 0:
            self._ready.set_result(None)
        else:
            self._timer = self._loop.call_later(delay, self._schedule)
