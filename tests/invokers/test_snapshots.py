"""Snapshot replay of saved events: the first run records, later runs diff, --update accepts; the CLI's exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from event_samples import SavedEvents
from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.snapshots import Snapshots, replay
from tests.files import write

HANDLER = """\
    import uuid
    def handler(event, context):
        if event.get("boom"):
            raise RuntimeError("boom at " + str(event["boom"]))
        return {"greeting": "hello " + event["who"], "requestId": context.aws_request_id, "id": str(uuid.uuid4())}
    """


def project(tmp_path: Path) -> tuple[Path, FunctionSpec]:
    root = tmp_path / "project"
    write(root, "src/app.py", HANDLER)
    write(root, "svl.yaml", """\
        functions:
          greeter:
            handler: src/app.handler
        """)
    saved = SavedEvents(root)
    saved.save("greeter", "ada", {"who": "ada"})
    saved.save("greeter", "fails", {"boom": 1})
    spec = FunctionSpec(name="greeter", source="svl.yaml", runtime="python3.12", handler="app.handler",
                        code_dir=str(root / "src"))
    return root, spec


async def test_first_replay_records_then_same_then_changed_then_updated(tmp_path: Path) -> None:
    root, spec = project(tmp_path)
    async with Engine() as engine:
        first = await replay(engine, spec, root)
        assert [(r.event, r.state) for r in first.replays] == [("ada", "recorded"), ("fails", "recorded")]
        stored = json.loads(Snapshots(root).path("greeter", "fails").read_text())
        assert stored["outcome"] == {"status": "error", "error": {"errorType": "RuntimeError",
                                                                  "errorMessage": "boom at 1"}}
        second = await replay(engine, spec, root)  # a new request id and uuid each time: volatile, ignored
        assert [r.state for r in second.replays] == ["same", "same"] and not second.changed

        write(root, "src/app.py", HANDLER.replace('"hello "', '"hi "').replace("boom at", "kaboom at"))
        await engine.recycle("greeter")
        changed = await replay(engine, spec, root)
        assert changed.changed and [r.state for r in changed.replays] == ["changed", "changed"]
        assert [(c.path, c.left, c.right) for c in changed.replays[0].diff.changes] == [
            ("$.response.greeting", "hello ada", "hi ada")]
        assert changed.replays[1].diff.changes[0].path == "$.error.errorMessage"

        updated = await replay(engine, spec, root, update=True)
        assert [r.state for r in updated.replays] == ["updated", "updated"] and not updated.changed
        after = await replay(engine, spec, root)
        assert [r.state for r in after.replays] == ["same", "same"]


async def test_an_edited_event_or_a_broken_snapshot_is_reported(tmp_path: Path) -> None:
    root, spec = project(tmp_path)
    async with Engine() as engine:
        await replay(engine, spec, root)
        SavedEvents(root).save("greeter", "ada", {"who": "ada", "extra": True})
        Snapshots(root).path("greeter", "fails").write_text("{not json")
        found = await replay(engine, spec, root)
    ada, fails = found.replays
    assert ada.state == "changed" and ada.note == "the saved event changed since its snapshot"
    assert fails.state == "failed" and "not a readable snapshot" in fails.note and found.changed


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.entry", *args, "--no-aws"], capture_output=True, text=True,
                          timeout=90, cwd="/")


def test_cli_test_exit_codes_json_and_update(tmp_path: Path) -> None:
    root, _ = project(tmp_path)
    first = cli("test", "--project", str(root))
    assert first.returncode == 0, first.stderr
    assert "+ ada: recorded" in first.stdout and "2 recorded" in first.stdout
    write(root, "src/app.py", HANDLER.replace('"hello "', '"hi "'))
    changed = cli("test", "greeter", "--project", str(root))
    assert changed.returncode == 1
    assert '~ $.response.greeting: "hello ada" (snapshot) -> "hi ada" (now)' in changed.stdout
    assert "--update" in changed.stdout
    document = json.loads(cli("test", "greeter", "--project", str(root), "--json").stdout)
    assert document["changed"] and document["functions"][0]["replays"][0]["state"] == "changed"
    assert cli("test", "greeter", "--project", str(root), "--update").returncode == 0
    assert cli("test", "greeter", "--project", str(root)).returncode == 0
