"""Hot reload against real files, a real watcher and real workers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.models import Result, compare
from invokers.reload import Reloader, ReloadEvent, ignored
from tests.waiting import until


def project(tmp_path: Path) -> Path:
    for name, value in (("a", 1), ("b", 2)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "app.py").write_text(f"def handler(e, c):\n    return {value}\n")
    (tmp_path / "svl.yaml").write_text(
        "functions:\n  a:\n    handler: a/app.handler\n  b:\n    handler: b/app.handler\n")
    return tmp_path


@asynccontextmanager
async def watched(reloader: Reloader) -> AsyncIterator[list[ReloadEvent]]:
    """``reloader.watch`` running (armed on entry); the events it has told so far."""
    stop = asyncio.Event()
    events: list[ReloadEvent] = []

    async def collect() -> None:
        async for event in reloader.watch(stop):
            events.append(event)

    task = asyncio.create_task(collect())
    await asyncio.sleep(0)  # one turn: the watcher is armed (Reloader.watch's first step)
    try:
        yield events
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def invoke(engine: Engine, reloader: Reloader, name: str) -> Result:
    spec = reloader.discovery.get(name)
    assert spec is not None
    return (await engine.invoke_collect(spec, {}))[1]


async def test_edit_reloads_only_that_function_and_next_invoke_is_cold_new_code(tmp_path: Path) -> None:
    root = project(tmp_path)
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        assert (await invoke(engine, reloader, "a")).response == 1
        assert (await invoke(engine, reloader, "b")).response == 2
        (root / "a" / "app.py").write_text("def handler(e, c):\n    return 10\n")
        event = await reloader.apply([str(root / "a" / "app.py")])
        assert event is not None and event.reloaded == ["a"] and event.ok and event.files == ["a/app.py"]
        after_a = await invoke(engine, reloader, "a")
        after_b = await invoke(engine, reloader, "b")
    assert after_a.response == 10 and after_a.cold and after_a.init_ms is not None
    assert after_b.response == 2 and not after_b.cold


async def test_syntax_error_is_reported_with_file_and_line_then_fix_recovers(tmp_path: Path) -> None:
    root = project(tmp_path)
    handler = root / "a" / "app.py"
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        await invoke(engine, reloader, "a")
        handler.write_text("def handler(e, c):\n    return (1,\n")
        broken = await reloader.apply([str(handler)])
        assert broken is not None and not broken.ok
        (error,) = broken.errors
        assert error.function == "a" and error.error_type == "Runtime.UserCodeSyntaxError"
        assert error.file == "a/app.py" and error.line == 2
        handler.write_text("def handler(e, c):\n    return 'fixed'\n")
        fixed = await reloader.apply([str(handler)])
        assert fixed is not None and fixed.ok
        assert (await invoke(engine, reloader, "a")).response == "fixed"


async def test_syntax_error_reported_even_when_function_was_not_running(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "b" / "app.py").write_text("def handler(:\n")
    async with Engine() as engine:
        event = await Reloader(root, engine).apply([str(root / "b" / "app.py")])
    assert event is not None and event.errors[0].file == "b/app.py" and event.errors[0].line == 1


async def test_config_edits_add_remove_and_change_functions(tmp_path: Path) -> None:
    root = project(tmp_path)
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        await invoke(engine, reloader, "b")
        (root / "svl.yaml").write_text("functions:\n  b:\n    handler: b/app.handler\n    timeout: 9\n"
                                       "  c:\n    handler: a/app.handler\n")
        event = await reloader.apply([str(root / "svl.yaml")])
        assert event is not None and event.config_changed
        assert event.added == ["c"] and event.removed == ["a"] and "b" in event.reloaded
        assert [s.name for s in reloader.functions] == ["b", "c"]
        assert reloader.discovery.get("b").timeout_s == 9
        assert (await invoke(engine, reloader, "c")).response == 1


async def test_broken_config_is_reported_and_watcher_keeps_the_rest(tmp_path: Path) -> None:
    root = project(tmp_path)
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        (root / "svl.yaml").write_text("functions:\n  a:\n    handler: a/app.handler\n    timeout: x\n"
                                       "  b:\n    handler: b/app.handler\n")
        event = await reloader.apply([str(root / "svl.yaml")])
    assert event is not None and event.removed == ["a"]
    assert any("svl.yaml:4: functions.a.timeout" in p for p in event.problems)


async def test_shared_package_outside_code_folders_reloads_all(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "lib").mkdir()
    (root / "lib" / "shared.py").write_text("X = 1\n")
    async with Engine() as engine:
        event = await Reloader(root, engine).apply([str(root / "lib" / "shared.py")])
    assert event is not None and event.reloaded == ["a", "b"]


async def test_irrelevant_files_do_not_reload(tmp_path: Path) -> None:
    root = project(tmp_path)
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        for name in ("README.md", ".git/index", "a/__pycache__/app.cpython-311.pyc", "a/.app.py.swp", "a/app.py~",
                     ".svl/events/a/x.json", "node_modules/x/index.js"):
            assert await reloader.apply([str(root / name)]) is None, name
    assert ignored("node_modules/pkg/package.json") is False


async def test_a_burst_of_writes_gives_one_reload(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "a" / "many").mkdir()
    async with Engine() as engine, watched(Reloader(root, engine)) as events:
        for index in range(200):
            (root / "a" / "many" / f"m{index}.py").write_text(f"V = {index}\n")
        await until(lambda: events, what="the reload")
        # a later save of another function is the next event: had the burst been split, a second
        # reload of `a` would come before it (events arrive in order), with no fixed wait to guess
        (root / "b" / "app.py").write_text("def handler(e, c):\n    return 3\n")
        await until(lambda: any("b" in event.reloaded for event in events), what="the reload of b")
    assert len(events) == 2 and events[1].reloaded == ["b"] and len(events[1].files) == 1
    assert events[0].reloaded == ["a"] and len(events[0].files) == 200


def test_compare_reports_delta_and_changes() -> None:
    base = dict(request_id="r", function="f", cold=False, billed_ms=1, memory_mb=128, max_memory_mb=10)
    first = Result(status="ok", duration_ms=5.0, response=1, **base)
    second = Result(status="ok", duration_ms=3.5, response=2, **base)
    same = Result(status="ok", duration_ms=5.0, response=1, **base)
    change = compare(first, second)
    assert change.duration_delta_ms == -1.5 and change.response_changed and not change.status_changed
    assert not compare(first, same).response_changed


def test_watch_cli_reinvokes_on_save(tmp_path: Path) -> None:
    root = project(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "tui.entry", "watch", "a", "--project", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().strip() == "1"
        while "watching" not in process.stderr.readline():  # said once the watcher is armed
            pass
        (root / "a" / "app.py").write_text("def handler(e, c):\n    return 42\n")
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and line.strip() != "42":
            line = process.stdout.readline()
        assert line.strip() == "42"
    finally:
        process.terminate()
        process.wait(10)
    assert "reloaded a" in process.stderr.read()  # the rest of stderr, after "watching"



@pytest.mark.timeout(30)
def test_watch_cli_sees_a_save_made_during_the_first_invocation(tmp_path: Path) -> None:
    """The watcher is armed before the first (slow) invocation, so a save made while it runs reloads."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "app.py").write_text("import time\ndef handler(e, c):\n    time.sleep(1.5)\n    return 1\n")
    (tmp_path / "svl.yaml").write_text("functions:\n  a:\n    handler: a/app.handler\n    timeout: 10\n")
    process = subprocess.Popen([sys.executable, "-m", "tui.entry", "watch", "a", "--project", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        while "START RequestId" not in process.stderr.readline():
            assert process.poll() is None
        (tmp_path / "a" / "app.py").write_text("def handler(e, c):\n    return 42\n")  # while the first run sleeps
        assert process.stdout.readline().strip() == "1"
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and line.strip() != "42":
            line = process.stdout.readline()
        assert line.strip() == "42"
    finally:
        process.terminate()
        process.wait(10)


async def test_a_config_that_does_not_parse_keeps_the_last_good_functions(tmp_path: Path) -> None:
    root = project(tmp_path)
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        (root / "svl.yaml").write_text("functions:\n  a:\n    handler: a/app.handler\n  b: [\n")  # 4 lines
        event = await reloader.apply([str(root / "svl.yaml")])
        assert event is not None
        assert event.removed == [] and event.reloaded == []  # was: every function both reloaded and removed
        assert [s.name for s in reloader.functions] == ["a", "b"]
        assert event.problems[0].startswith("svl.yaml:4: invalid YAML")  # was line 5, past the end
        assert "last good configuration" in event.problems[-1]


def test_watch_cli_takes_json_and_quiet(tmp_path: Path) -> None:
    root = project(tmp_path)
    for flags, check in ((["--json"], lambda line: json.loads(line)["response"] == 1 and "logs" in json.loads(line)),
                         (["-q"], lambda line: line.strip() == "1")):
        process = subprocess.Popen([sys.executable, "-m", "tui.entry", "watch", "a", "--project", str(root), *flags],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            assert check(process.stdout.readline())
        finally:
            process.terminate()
            process.wait(10)


async def test_a_save_made_while_its_reload_runs_is_told_in_the_same_event(tmp_path: Path) -> None:
    """A burst longer than the watcher's batch (a formatter rewriting the file just after the editor saved it):
    one event, with the end state's errors only (none), and the next invoke runs the last version."""
    signals = tmp_path / "signals"
    signals.mkdir()
    (tmp_path / "p").mkdir()
    root = project(tmp_path / "p")
    handler = root / "a" / "app.py"

    def version(value: int, fails: bool = False) -> str:  # init says it started, then waits to be let go (bounded)
        return (f"import os, time\nopen({str(signals / f'started-{value}')!r}, 'w').close()\n"
                f"for _ in range(2000):\n    if os.path.exists({str(signals / f'go-{value}')!r}): break\n"
                f"    time.sleep(0.01)\n" + ("raise RuntimeError('half-way through the burst')\n" if fails else "")
                + f"def handler(e, c):\n    return {value}\n")

    (signals / "go-1").write_text("")
    (signals / "go-3").write_text("")
    handler.write_text(version(1))
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        assert (await invoke(engine, reloader, "a")).response == 1  # warm: a reload initialises it again
        async with watched(reloader) as events:
            handler.write_text(version(2, fails=True))  # the first write, whose init fails...
            await until(lambda: (signals / "started-2").exists(), what="the first reload's init")
            handler.write_text(version(3))  # ...rewritten while that reload runs
            (signals / "go-2").write_text("")
            await until(lambda: events, what="the reload")
            (root / "b" / "app.py").write_text("def handler(e, c):\n    return 4\n")
            await until(lambda: any("b" in event.reloaded for event in events), what="the reload of b")
        assert (await invoke(engine, reloader, "a")).response == 3
    assert len(events) == 2, events
    assert events[0].reloaded == ["a"] and events[0].files == ["a/app.py"] and events[0].ok, events[0]
    assert events[1].reloaded == ["b"]


async def test_an_invoke_during_a_prewarm_takes_that_environment(tmp_path: Path) -> None:
    """The request right after a save waits for the environment the reload is initialising instead of
    starting a second one beside it: one init, and the invocation reports it as its cold start."""
    signals = tmp_path / "signals"
    signals.mkdir()
    (tmp_path / "p").mkdir()
    root = project(tmp_path / "p")
    (root / "a" / "app.py").write_text(
        f"import os, time\nopen(os.path.join({str(signals)!r}, 'started-%d' % os.getpid()), 'w').close()\n"
        f"for _ in range(2000):\n    if os.path.exists({str(signals / 'go')!r}): break\n    time.sleep(0.01)\n"
        "def handler(e, c):\n    return os.getpid()\n")
    async with Engine() as engine:
        spec = Reloader(root, engine).discovery.get("a")
        assert spec is not None
        prewarm = asyncio.create_task(engine.prewarm(spec))
        await until(lambda: list(signals.glob("started-*")), what="the prewarm's init")
        invocation = asyncio.create_task(engine.invoke_collect(spec, {}))
        await asyncio.sleep(0.1)  # lets a wrong engine start its own environment (the check would see two inits)
        (signals / "go").write_text("")
        assert await asyncio.wait_for(prewarm, 30) is None
        _, result = await asyncio.wait_for(invocation, 30)
    started = [path.name for path in signals.glob("started-*")]
    assert started == [f"started-{result.response}"]  # one init, in the environment that answered
    assert result.cold and result.init_ms is not None


async def test_the_watcher_takes_only_what_a_reload_acts_on(tmp_path: Path) -> None:
    """An IDE's safe write (a temporary file renamed over the handler) and other files: only the handler comes."""
    root = project(tmp_path)
    async with Engine() as engine:
        changes = Reloader(root, engine).changes()
        first = asyncio.ensure_future(changes.__anext__())
        await asyncio.sleep(0)  # one turn: armed
        (root / "README.md").write_text("notes\n")
        temporary = root / "a" / "app.py___jb_tmp___"
        temporary.write_text("def handler(e, c):\n    return 5\n")
        (root / "a" / "app.py").rename(root / "a" / "app.py___jb_old___")
        temporary.rename(root / "a" / "app.py")
        (root / "a" / "app.py___jb_old___").unlink()
        batch = await asyncio.wait_for(first, 30)
        await changes.aclose()
    assert batch == [str(root / "a" / "app.py")]
