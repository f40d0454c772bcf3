"""An execution environment's processes: their memory, and ending every one of them.

Memory: Linux answers from ``/proc/<pid>/status`` (cheap enough to poll every
20 ms, no import); macOS and Windows through psutil, which the engine only
imports there. The peak is the largest of the OS's own high-water mark (Linux
VmHWM, Windows peak working set) and every sample taken, so the memory limit
and Max Memory Used work everywhere.

Ending an environment: a handler may start children, put them in process
groups or sessions of their own, or double-fork a ``setsid`` daemon, none of
which killing the worker's process group reaches. Every process of an
environment carries its Runtime API key in its environment block (as
``AWS_LAMBDA_RUNTIME_API``), which it inherits and cannot shed short of
exec'ing with a scrubbed environment: the engine kills every process whose
environment holds the key, and the worker's descendants found by parentage.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

ROUNDS = 5  # kill, look again: a process forking while we scan is caught next round


def memory_kb(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of ``pid`` in KiB; zeros when it is gone. The peak is 0 where the OS keeps none."""
    if sys.platform.startswith("linux"):
        return _proc_status(pid)
    try:
        import psutil

        info = psutil.Process(pid).memory_info()
    except Exception:  # noqa: BLE001 - gone, denied, or psutil unusable: no figure rather than no invoke
        return 0, 0
    return info.rss // 1024, getattr(info, "peak_wset", 0) // 1024


def _proc_status(pid: int) -> tuple[int, int]:
    """One ``read`` of ``/proc/<pid>/status`` (no file object, no line loop: sampled on every invoke)."""
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
    except OSError:
        return 0, 0
    try:
        text = os.read(fd, 8192)
    except OSError:
        return 0, 0
    finally:
        os.close(fd)
    return _field_kb(text, b"\nVmRSS:"), _field_kb(text, b"\nVmHWM:")


def _field_kb(text: bytes, name: bytes) -> int:
    start = text.find(name)
    if start < 0:
        return 0
    try:
        return int(text[start + len(name):text.index(b"kB", start)])
    except ValueError:
        return 0


def end_environment(pid: int, key: str) -> int:
    """Kill the worker ``pid``, its process group, its descendants and every process marked with ``key``
    (``pid`` 0: only the marked ones, for a worker already reaped).

    Returns how many processes were signalled (the group counts as one).
    """
    killed = 0
    victims = set(_descendants(pid)) if pid > 0 else set()
    if pid > 0:
        try:
            os.killpg(pid, signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, PermissionError, OSError):
            pass
    for _ in range(ROUNDS):
        victims |= set(marked(key)) if key else set()
        victims.discard(os.getpid())
        if not victims:
            break
        for victim in victims:
            try:
                os.kill(victim, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError, OSError):
                pass
        victims = set()
    return killed


def marked(key: str) -> Iterator[int]:
    """Processes whose environment holds ``key`` (only the user's own can be read, which is what we started)."""
    needle = key.encode() + b"\0"  # a marker ends its environment entry: port 4000's is not port 40001's
    if sys.platform.startswith("linux"):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as environ:
                    if needle in environ.read():
                        yield int(entry.name)
            except OSError:
                continue
        return
    try:
        import psutil
    except ImportError:
        return
    for process in psutil.process_iter():
        try:
            if any(key in value for value in process.environ().values()):
                yield process.pid
        except (psutil.Error, OSError):
            continue


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren ... of ``pid`` while it still lives (they may have left its group)."""
    if sys.platform.startswith("linux"):
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
        found, todo = [], [pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found
    try:
        import psutil

        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except Exception:  # noqa: BLE001 - gone or psutil unusable: the marker scan still runs
        return []
