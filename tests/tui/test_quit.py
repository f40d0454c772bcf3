"""ctrl+q itself (#18): the app exits cleanly, the engine is closed, and no process of an environment remains."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from invokers import processes
from invokers.engine import Engine
from tests.tui.test_main_screen import finished, wait_for
from tests.waiting import until

# A handler that leaves a daemon behind in a session of its own, as a careless one might.
SPAWNER = """\
import os, subprocess

def handler(event, context):
    daemon = subprocess.Popen(["sleep", "300"], start_new_session=True)
    with open(os.path.join(os.path.dirname(__file__), "daemon.pid"), "w") as out:
        out.write(str(daemon.pid))
    return os.getpid()
"""


async def test_ctrl_q_closes_the_engine_and_ends_every_process(project_app, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[Engine] = []
    close = Engine.close

    async def recorded_close(self: Engine) -> None:
        await close(self)
        closed.append(self)

    monkeypatch.setattr(Engine, "close", recorded_close)
    app, root = project_app({"app.py": SPAWNER, "svl.yaml": "functions:\n  spawner:\n    handler: app.handler\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "spawner"))
        result = app.main_screen.run_area.runs["spawner"][-1].result
        assert result is not None and result.ok, result
        worker = app.engine._pools["spawner"].idle[-1]
        assert worker.api is not None
        key = worker.api.key
        daemon = int(Path(root, "daemon.pid").read_text())
        assert {result.response, daemon} <= set(processes.marked(key))  # the marker the engine tracks by
        await pilot.press("ctrl+q")
    assert app.return_code == 0  # an exception on the way out would make it 1
    assert closed == [app.engine]
    await until(lambda: not list(processes.marked(key)), timeout=10, what="every marked process gone")
    assert not _alive(daemon) and not _alive(result.response)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie has ended
    except OSError:
        return False
