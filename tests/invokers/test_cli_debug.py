"""Debugging from the headless CLI: pdb on a terminal, never a hang without one, locals on error."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal
from tests.invokers.test_cli import svl

HANDLER = """
    def handler(event, context):
        total = 0
        breakpoint()
        for x in [1, 2, 3]:
            total += x
        return {"total": total}

    def fails(event, context):
        secret_key = "hunter2-not-hex"
        attempts = 3
        raise RuntimeError("no luck")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(textwrap.dedent(HANDLER))
    (tmp_path / "svl.yaml").write_text(textwrap.dedent("""
        functions:
          stops:
            runtime: python3.12
            handler: app.handler
            timeout: 1
          fails:
            runtime: python3.12
            handler: app.fails
    """))
    return tmp_path


def test_terminal_gets_the_pdb_prompt(project: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "tui.entry", "invoke", "stops"], cwd=project, columns=120)
    try:
        terminal.wait_for("(Pdb)")
        assert "-> for x in [1, 2, 3]:" in terminal.text()
        terminal.send("n\n")
        terminal.wait_for("-> total += x")
        terminal.send("p total + 100\n")
        terminal.wait_for("100")
        terminal.send("c\n")
        terminal.wait_for('"total": 6')
        terminal.wait_for("ok ·")
        assert "Paused:" in terminal.text()
        assert terminal.close() == 0
    finally:
        terminal.kill()


def test_without_a_terminal_breakpoints_are_skipped_with_a_warning(project: Path) -> None:
    done = svl("invoke", "stops", cwd=project, timeout=30)
    assert done.returncode == 0 and json.loads(done.stdout) == {"total": 6}
    assert "breakpoint() at" in done.stderr and "skipped" in done.stderr


def test_error_locals_in_text_and_json(project: Path) -> None:
    done = svl("invoke", "fails", cwd=project)
    assert done.returncode == 1
    assert set(json.loads(done.stdout)) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert "locals of fails" in done.stderr and "attempts = 3" in done.stderr and "secret_key = ****" in done.stderr
    document = json.loads(svl("invoke", "fails", "--json", cwd=project).stdout)
    assert set(document["error"]) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    frame = document["error_locals"][0]
    assert frame["function"] == "fails" and {"name": "attempts", "type": "int", "value": "3"} in frame["locals"]
    assert "hunter2" not in json.dumps(document["error_locals"])


def test_debug_port_is_checked(project: Path) -> None:
    done = svl("invoke", "stops", "--debug-port", "80", cwd=project)
    assert done.returncode == 2 and "1024-65535" in done.stderr


def test_post_mortem_on_a_terminal(project: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "tui.entry", "invoke", "fails", "--post-mortem"], cwd=project,
                        columns=120)
    try:
        terminal.wait_for("(Pdb)")
        assert 'raise RuntimeError("no luck")' in terminal.text()
        terminal.send("p attempts * 2\n")
        terminal.wait_for("6")
        terminal.send("c\n")
        terminal.wait_for("error ·")
        assert terminal.close() == 1
    finally:
        terminal.kill()
