"""Drive a real program in a pseudo-terminal and read its screen (pyte emulates the terminal)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pyte


class Terminal:
    def __init__(self, command: list[str], *, cwd: Path, columns: int = 100, lines: int = 30) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
        self.process = subprocess.Popen(command, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True)
        os.close(slave)
        self.master = master
        self.started = time.perf_counter()

    def read(self, timeout: float = 0.05) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], timeout)
            if not ready:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.stream.feed(data)
            timeout = 0.01

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> float:
        """Seconds since start when ``needle`` appeared on screen."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.read()
            if needle in self.text():
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                break
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.text()}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self, timeout: float = 10.0) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            os.close(self.master)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
