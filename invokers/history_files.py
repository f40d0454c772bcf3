"""The history's files on disk (``invokers/history.py``): locked appends, rotation, reading lines back.

Appends are atomic: one ``write`` of a whole line on a file opened ``O_APPEND``,
under an advisory lock (``flock``, where the OS has it) that also covers rotation,
so a UI, a ``serve`` and a CLI of the same project can record at once. A line
left half-written by a crash is skipped when loading; the next append starts on a
fresh line. Past its limit a file becomes ``<file>.1`` (replacing the previous one).
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: appends stay atomic, rotation is not locked
    fcntl = None  # type: ignore[assignment]


def append(path: Path, line: bytes, limit: int) -> None:
    """Append ``line`` in one write; past ``limit`` the file is rotated to ``<path>.1`` first (under the lock)."""
    descriptor = _open_locked(path)
    try:
        size = os.fstat(descriptor).st_size
        if size and size + len(line) > limit:
            os.replace(path, path.with_name(path.name + ".1"))
            os.close(descriptor)
            descriptor = _open_locked(path)
            size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            line = b"\n" + line  # a crash left half a line: it stays alone (skipped when read), ours starts clean
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def _open_locked(path: Path) -> int:
    """``path`` opened for appending and locked; opened again when another process rotated it meanwhile
    (our descriptor would then append to the rotated file, past its limit)."""
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        if fcntl is None:
            return descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            found = path.stat()
        except FileNotFoundError:
            found = None
        held = os.fstat(descriptor)
        if found is not None and (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino):
            return descriptor
        os.close(descriptor)


def read_lines(path: Path) -> list[tuple[Path, int, str]]:
    """(file, line number, text) of each non-empty line of ``<path>.1`` then ``path``: oldest first."""
    found: list[tuple[Path, int, str]] = []
    for part in (path.with_name(path.name + ".1"), path):
        try:
            data = part.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            continue
        found.extend((part, index, line) for index, line in enumerate(data.split("\n"), start=1) if line)
    return found
