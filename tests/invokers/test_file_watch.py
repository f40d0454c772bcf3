"""The save watcher: a finished save is given out at once, a write under way or a replaced file holds its batch.

The time limits that end a batch anyway are raised to a minute here, so a batch
that comes proves it did not wait for them (and a busy machine cannot end one early).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from invokers import file_watch
from invokers.file_watch import Watch, watch_folders
from tests.waiting import until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's; elsewhere "
                                "watchfiles' quiet time applies")


@pytest.fixture(autouse=True)
def patient(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(file_watch, "MAX_WAIT_S", 60.0)
    monkeypatch.setattr(file_watch, "REPLACE_GRACE_S", 60.0)
    yield


def watching(root: Path, skip: tuple[str, ...] = ()) -> Watch:
    return watch_folders([root], lambda path: not path.endswith((".swp", "~")), lambda name: name in skip)


def inotify_descriptors() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:inotify"
        except OSError:
            pass  # closed meanwhile
    return count


def seen(watch: Watch, path: Path) -> bool:
    return str(path) in watch.changed  # type: ignore[attr-defined]


async def test_a_finished_save_is_given_out_without_waiting_for_a_time_limit(tmp_path: Path) -> None:
    watch = watching(tmp_path)
    try:
        (tmp_path / "app.py").write_text("X = 1\n")
        assert await asyncio.wait_for(watch.next_batch(), 30) == [str(tmp_path / "app.py")]
        assert not watch.has_changes()
    finally:
        watch.close()


async def test_a_file_being_written_holds_its_batch_until_it_is_closed(tmp_path: Path) -> None:
    watch = watching(tmp_path)
    try:
        with open(tmp_path / "app.py", "w") as writing:
            writing.write("def handler(event, context):\n")
            writing.flush()
            (tmp_path / "other.py").write_text("Y = 2\n")  # finished: alone it would be given out at once
            batch = asyncio.ensure_future(watch.next_batch())
            await until(lambda: seen(watch, tmp_path / "other.py"), what="the finished file seen")
            await asyncio.sleep(0.2)  # many times the quiet time: only the open file can hold the batch now
            assert not batch.done()
            writing.write("    return 1\n")
        assert sorted(await asyncio.wait_for(batch, 30)) == [str(tmp_path / "app.py"), str(tmp_path / "other.py")]
    finally:
        watch.close()


async def test_a_file_renamed_away_and_written_again_is_one_change(tmp_path: Path) -> None:
    """vim's save: the old file is renamed to a backup, a new one written in its place, the backup deleted."""
    handler = tmp_path / "app.py"
    handler.write_text("X = 1\n")
    watch = watching(tmp_path)
    try:
        batch = asyncio.ensure_future(watch.next_batch())
        os.rename(handler, tmp_path / "app.py~")
        await until(lambda: seen(watch, handler), what="the rename seen")
        assert not batch.done()  # the file is gone: maybe being replaced, so not given out yet
        handler.write_text("X = 2\n")
        (tmp_path / "app.py~").unlink()
        assert await asyncio.wait_for(batch, 30) == [str(handler)]
        assert handler.read_text() == "X = 2\n"
    finally:
        watch.close()


async def test_opening_for_writing_without_writing_is_no_change(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("X = 1\n")
    watch = watching(tmp_path)
    try:
        open(tmp_path / "app.py", "a").close()  # opened for writing and closed, nothing written
        (tmp_path / "marker.py").write_text("")
        assert await asyncio.wait_for(watch.next_batch(), 30) == [str(tmp_path / "marker.py")]
    finally:
        watch.close()


async def test_new_folders_are_watched_and_skipped_ones_are_not(tmp_path: Path) -> None:
    watch = watching(tmp_path, skip=("node_modules",))
    try:
        (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
        (tmp_path / "node_modules" / "pkg" / "index.js").write_text("")
        (tmp_path / "lib" / "deep").mkdir(parents=True)
        (tmp_path / "lib" / "deep" / "x.py").write_text("")  # maybe before the new folder's watch: still seen
        first = await asyncio.wait_for(watch.next_batch(), 30)
        (tmp_path / "lib" / "deep" / "y.py").write_text("")  # after: seen through the folder's own watch
        second = await asyncio.wait_for(watch.next_batch(), 30)
        (tmp_path / "a.swp").write_text("")  # not accepted: no batch of its own
        (tmp_path / "z.py").write_text("")
        third = await asyncio.wait_for(watch.next_batch(), 30)
    finally:
        watch.close()
    assert first == [str(tmp_path / "lib" / "deep" / "x.py")]
    assert second == [str(tmp_path / "lib" / "deep" / "y.py")] and third == [str(tmp_path / "z.py")]


async def test_stop_ends_the_batches(tmp_path: Path) -> None:
    stop = asyncio.Event()
    watch = watch_folders([tmp_path], lambda path: True, lambda name: False, stop)
    try:
        batch = asyncio.ensure_future(watch.next_batch())
        await asyncio.sleep(0)
        stop.set()
        assert await asyncio.wait_for(batch, 30) is None
    finally:
        watch.close()


async def test_without_inotify_watchfiles_gives_the_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*_args: object) -> None:
        raise OSError("no inotify here")

    monkeypatch.setattr(file_watch._Inotify, "__init__", unavailable)
    stop = asyncio.Event()
    watch = watch_folders([tmp_path], lambda path: path.endswith(".py"), lambda name: False, stop)
    try:
        assert not isinstance(watch, file_watch._Inotify)
        batch = asyncio.ensure_future(watch.next_batch())
        for attempt in range(60):  # watchfiles arms its watcher in a thread once iterated: save until it sees one
            (tmp_path / "app.py").write_text(f"X = {attempt}\n")
            (tmp_path / "notes.txt").write_text("")
            done, _ = await asyncio.wait({batch}, timeout=0.5)
            if done:
                break
        assert batch.result() == [str(tmp_path / "app.py")]
        stop.set()
        assert await asyncio.wait_for(watch.next_batch(), 30) is None
    finally:
        watch.close()


async def test_out_of_inotify_watches_the_folders_are_polled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fs.inotify.max_user_watches reached at start: no half-watched project, watchfiles polls it instead."""
    import ctypes
    import errno

    real = ctypes.CDLL(None, use_errno=True)

    class Exhausted:
        def inotify_init1(self, flags: int) -> int:
            return int(real.inotify_init1(flags))

        def inotify_add_watch(self, *_args: object) -> int:
            ctypes.set_errno(errno.ENOSPC)
            return -1

    monkeypatch.setattr(ctypes, "CDLL", lambda *_args, **_kwargs: Exhausted())
    open_before = inotify_descriptors()
    stop = asyncio.Event()
    watch = watch_folders([tmp_path], lambda path: path.endswith(".py"), lambda name: False, stop)
    try:
        assert not isinstance(watch, file_watch._Inotify)
        assert inotify_descriptors() == open_before  # the one opened was closed again
        batch = asyncio.ensure_future(watch.next_batch())
        for attempt in range(60):
            (tmp_path / "app.py").write_text(f"X = {attempt}\n")
            done, _ = await asyncio.wait({batch}, timeout=0.5)
            if done:
                break
        assert batch.result() == [str(tmp_path / "app.py")]
    finally:
        stop.set()
        watch.close()
