"""The real svl-tui binary in a pseudo-terminal: start, invoke with a key, read the screen, quit."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.e2e.terminal import Terminal

CTRL_R, CTRL_Q = "\x12", "\x11"


def svl_binary() -> str:
    return str(Path(sys.executable).with_name("svl-tui"))


def test_newcomer_runs_svl_tui_in_an_empty_folder(tmp_path: Path) -> None:
    terminal = Terminal([svl_binary()], cwd=tmp_path, columns=100, lines=30)
    try:
        terminal.wait_for("Functions")
        terminal.wait_for("demo (example)")
        terminal.wait_for("orders-api")
        terminal.send(CTRL_R)
        terminal.wait_for("Result · orders-api")
        terminal.wait_for("HTTP 200")
        screen = terminal.text()
        assert "cold start" in screen and "START" in screen
        terminal.send(CTRL_Q)
        assert terminal.close() == 0
    finally:
        terminal.kill()
