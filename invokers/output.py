"""A worker's stdout and stderr, read at full speed whatever the reader downstream does.

A handler that prints blocks as soon as its pipe is full. If the pipes were
read only as fast as the CLI or the UI can show lines, a slow terminal would
slow the handler (600,000 prints with a 3 s timeout timed out here, not on
Lambda). So one thread drains both pipes as fast as the handler writes, into a
bounded buffer of complete lines; what does not fit is dropped and counted,
never waited for. The engine takes lines from the buffer at its own pace.

One thread for both pipes, polling them together, keeps lines written to
stdout and stderr in the order they were read, as the event loop did.

Our bootstraps write a fence mark after an invocation's output; the buffer
keeps its place among the lines (never dropped), so the engine knows when
everything before it has been delivered. A runtime that writes no fence (a custom
bootstrap, or ours on Linux) has written everything into the pipes when it answers:
the engine waits until this thread has read what was in them then (``read_target``,
FIONREAD) and asks ``cut`` whether any of it is still on its way, which costs no
wake-up of this thread when nothing was written.
"""

from __future__ import annotations

import os
import re
import selectors
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import IO

MAX_LINE_BYTES = 256 * 1024  # CloudWatch's event size: longer lines are cut there too
BUFFER_BYTES = 4 * 1024 * 1024  # output the engine has not taken yet, both pipes together
READ_BYTES = 1 << 20
PIPE_BYTES = 1 << 20  # Linux lets a pipe grow to 1 MiB: fewer wake-ups, bigger bursts absorbed

_LONG_LINE = re.compile(rb"[^\n]{%d,}" % (MAX_LINE_BYTES + 1))

FENCE = b""
"""Stands in the buffer where a fence mark was read (no line is empty: each ends with a newline)."""


class OutputReader:
    """The pipes of one worker, drained by a thread into one bounded buffer of line blocks.

    ``start(wake)`` starts the thread; ``wake`` is called from it whenever
    there is something new. ``take()`` hands over what has been read so far:
    ``(stream, block)`` pairs where a block is complete lines, or ``FENCE``
    where a fence was, with the lines and bytes dropped since the last call.
    The thread closes each pipe at its end of file.
    """

    def __init__(self, pipes: dict[str, IO[bytes]], fence: bytes, *, limit_bytes: int | None = None) -> None:
        self.pipes = pipes
        self.fence = fence
        self.limit_bytes = BUFFER_BYTES if limit_bytes is None else limit_bytes
        self.closed = False
        """Every pipe reached its end and everything read is in the buffer."""
        self.fences_read = dict.fromkeys(pipes, 0)
        self._wake: Callable[[], None] = lambda: None
        self._lock = threading.Lock()
        self._reading = threading.Lock()
        """Held from a read to its lines being buffered: ``cut`` then sees all that was read."""
        self._lines = {name: _Lines(name, self) for name in pipes}
        self.read_total = 0
        """Bytes read from the pipes so far (both together)."""
        self._blocks: deque[tuple[str, bytes]] = deque()
        self._size = 0
        self._dropped_lines = 0
        self._dropped_bytes = 0

    def start(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        for pipe in self.pipes.values():
            _grow_pipe(pipe.fileno())
        threading.Thread(target=self._run, name="svl-output", daemon=True).start()

    def take(self) -> tuple[list[tuple[str, bytes]], int, int]:
        """Everything buffered, and the (lines, bytes) dropped since the last call."""
        with self._lock:
            blocks = list(self._blocks)
            self._blocks.clear()
            self._size = 0
            dropped = (self._dropped_lines, self._dropped_bytes)
            self._dropped_lines = self._dropped_bytes = 0
        return blocks, dropped[0], dropped[1]

    def cut(self, pumping: bool) -> bool:
        """Fence marks for everything read so far, when some of it is still on its way: True when marks were
        put (the caller waits for their delivery), False when everything read has been taken already and
        nothing is being delivered (``pumping``: the caller is still delivering what it took).

        A partial line (no newline yet) is ended here, as a fence written after it would end it.
        """
        with self._reading:
            for lines in self._lines.values():
                lines.flush()
            with self._lock:
                if not self._blocks and not pumping:
                    return False
                for stream in self.pipes:
                    self._blocks.append((stream, FENCE))
        return True

    def read_target(self) -> int | None:
        """What ``read_total`` will be once everything in the pipes now has been read (FIONREAD); None where
        the OS cannot say. Runtimes without fences answer after writing: this says when all of it is read."""
        try:
            import fcntl
            import termios
        except ImportError:  # pragma: no cover - Windows
            return None
        with self._reading:
            waiting = 0
            for pipe in self.pipes.values():
                if pipe.closed:
                    continue
                try:
                    waiting += int.from_bytes(fcntl.ioctl(pipe.fileno(), termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)
                except (OSError, ValueError):
                    return None
            return self.read_total + waiting

    # ---- the thread ----------------------------------------------------------

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        lines = self._lines
        for name, pipe in self.pipes.items():
            selector.register(pipe.fileno(), selectors.EVENT_READ, name)
        open_pipes = len(self.pipes)
        try:
            while open_pipes:
                for key, _events in selector.select():
                    name = str(key.data)
                    with self._reading:
                        try:
                            chunk = os.read(key.fd, READ_BYTES)
                        except OSError:
                            chunk = b""
                        if chunk:
                            self.read_total += len(chunk)
                            lines[name].feed(chunk)
                            continue
                        lines[name].end()
                    selector.unregister(key.fd)
                    self.pipes[name].close()
                    open_pipes -= 1
                self._wake()
        finally:
            selector.close()
            self.closed = True
            self._wake()

    def put(self, stream: str, block: bytes) -> None:
        """Buffer ``block`` (complete lines), splitting out fence marks; drop what does not fit."""
        if not block:
            return
        pieces = block.split(self.fence) if self.fence and self.fence in block else [block]
        with self._lock:
            for index, piece in enumerate(pieces):
                if index:
                    self._blocks.append((stream, FENCE))
                    self.fences_read[stream] += 1
                    if piece.startswith(b"\n"):
                        piece = piece[1:]
                if piece and not piece.endswith(b"\n"):
                    piece += b"\n"  # output that ran into the fence without a newline is a line of its own
                if not piece:
                    continue
                if self._size + len(piece) <= self.limit_bytes:
                    self._blocks.append((stream, piece))
                    self._size += len(piece)
                else:
                    self._dropped_lines += piece.count(b"\n")
                    self._dropped_bytes += len(piece)

    def drop(self, size: int) -> None:
        with self._lock:
            self._dropped_bytes += size


class _Lines:
    """Cuts one pipe's chunks into blocks of complete lines; cuts lines over ``MAX_LINE_BYTES``."""

    def __init__(self, stream: str, out: OutputReader) -> None:
        self.stream = stream
        self.out = out
        self.pending = b""
        self.skipping = False  # inside a line already cut at MAX_LINE_BYTES: drop up to its end

    def feed(self, chunk: bytes) -> None:
        data = self.pending + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            self.pending = data
        else:
            block, self.pending = data[:cut + 1], data[cut + 1:]
            if self.skipping:
                end = block.index(b"\n")
                self.out.drop(end)
                block, self.skipping = block[end + 1:], False
            if len(block) > MAX_LINE_BYTES:
                block = _LONG_LINE.sub(_cut, block)
            self.out.put(self.stream, block)
        if len(self.pending) > MAX_LINE_BYTES:
            if self.skipping:
                self.out.drop(len(self.pending))
            else:
                self.out.put(self.stream, _cut_note(self.pending, "+") + b"\n")
                self.skipping = True
            self.pending = b""

    def end(self) -> None:
        if self.pending and not self.skipping:
            self.out.put(self.stream, self.pending + b"\n")
        self.pending = b""

    def flush(self) -> None:
        """End the partial line here (its output is over), as a fence mark would."""
        if self.skipping:  # the rest of a line already cut at MAX_LINE_BYTES
            self.out.drop(len(self.pending))
            self.pending, self.skipping = b"", False
        else:
            self.end()


def _cut(match: re.Match[bytes]) -> bytes:
    return _cut_note(match.group(), "")


def _cut_note(line: bytes, more: str) -> bytes:
    """The first ``MAX_LINE_BYTES`` of ``line`` and how much was cut (``+``: and more still to come)."""
    return line[:MAX_LINE_BYTES] + f" ... [line cut: {len(line) - MAX_LINE_BYTES}{more} more bytes]".encode()


def _grow_pipe(fd: int) -> None:
    """Ask for a bigger pipe (Linux only; elsewhere, and when refused, the default stays)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass
