"""A slow reader never slows the handler: output is buffered (bounded), overflow is dropped and counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest

from invokers import output
from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord, Result
from tests.conftest import REPO, MakeFunction
from tests.waiting import until

PRINTER = """
    def handler(event, context):
        for i in range(event["lines"]):
            print(f"line {i}")
        if event.get("done"):
            open(event["done"], "w").close()
        return "done"
"""


async def _stalled_consumer(engine: Engine, spec: object, event: dict, done: Path) -> tuple[list[LogRecord], Result]:
    """Reads the stream, but stops after the first line until the handler has finished printing (it writes
    ``done``): a terminal that cannot keep up at all. Were the handler's writes tied to this reader, it would
    block on its full pipe and never get there."""
    records: list[LogRecord] = []
    async for update in engine.invoke(spec, {**event, "done": str(done)}):  # type: ignore[arg-type]
        if isinstance(update, Result):
            return records, update
        if len(records) == 1:
            await until(done.exists, timeout=60, what="the handler finishing while nobody reads its output")
        records.append(update)
    raise AssertionError("no result")


async def test_a_stalled_reader_does_not_stall_the_handler(make_function: MakeFunction, engine: Engine,
                                                           tmp_path: Path) -> None:
    """20,000 lines (~230 KB) are more than a pipe holds: the handler finishes only if its output is drained
    while the reader is stalled. (Timeouts are generous: how fast it prints on a loaded machine is not the point.)"""
    spec = make_function(PRINTER, timeout_s=60)
    records, result = await _stalled_consumer(engine, spec, {"lines": 20_000}, tmp_path / "done")
    assert result.status == "ok", result.error
    assert result.response == "done"
    printed = [r.message for r in records if r.stream == "stdout"]
    assert printed == [f"line {i}" for i in range(20_000)]  # all of it fitted in the buffer, in order
    assert result.log_dropped_lines == 0


async def test_what_the_buffer_cannot_hold_is_dropped_with_a_count(make_function: MakeFunction, engine: Engine,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setattr(output, "BUFFER_BYTES", 64 * 1024)
    spec = make_function(PRINTER, timeout_s=60)
    # 20,000 lines (~230 KB), all printed while nobody reads, overflow the 64 KiB buffer several times
    records, result = await _stalled_consumer(engine, spec, {"lines": 20_000}, tmp_path / "done")
    assert result.status == "ok", result.error
    numbers = [int(r.message.split()[1]) for r in records if r.stream == "stdout"]
    assert numbers == sorted(numbers) and 0 < len(numbers) < 20_000
    assert result.log_dropped_lines == 20_000 - len(numbers) and result.log_dropped_bytes > 0
    notice = [r for r in records if r.stream == "platform" and r.message.startswith("svl: dropped")]
    assert len(notice) == 1 and f"{result.log_dropped_lines} lines" in notice[0].message


async def test_output_between_invocations_is_capped_and_counted(make_function: MakeFunction,
                                                                engine: Engine, tmp_path: Path) -> None:
    spec = make_function("""
        import os, threading, time
        def chatter(go):
            while not os.path.exists(go):  # starts once the test knows the invocation is over
                time.sleep(0.01)
            for i in range(5000):
                print(f"background {i}")
            print("background done")
        def handler(event, context):
            if event.get("go"):
                threading.Thread(target=chatter, args=(event["go"],), daemon=True).start()
            return "ok"
    """)
    go = tmp_path / "go"
    await engine.invoke_collect(spec, {"go": str(go)})
    go.touch()
    worker = engine._pools[spec.name].idle[-1]
    # the thread writes while no invocation runs: wait until the worker has kept or counted every line
    await until(lambda: len(worker._stray) + worker._stray_budget.dropped_lines >= 5001,
                what="the background output")
    records, result = await engine.invoke_collect(spec, {})
    assert result.ok
    background = [r for r in records if r.message.startswith("background")]
    assert 0 < len(background) <= 1000
    notice = [r for r in records if "between invocations" in r.message]
    assert len(notice) == 1 and notice[0].level == "WARN"
    assert f"dropped {5001 - len(background)} lines" in notice[0].message


def test_json_output_keeps_memory_flat(tmp_path: Path) -> None:
    """``--json`` streams its records: the CLI stays small however much the handler prints."""
    (tmp_path / "app.py").write_text(textwrap.dedent(PRINTER))
    (tmp_path / "svl.yaml").write_text("functions:\n  f:\n    handler: app.handler\n    timeout: 60\n")
    measure = textwrap.dedent("""\
        import resource, subprocess, sys
        done = subprocess.run([sys.executable, "-m", "tui.entry", "invoke", "f", "--json", "--data",
                               '{"lines": 100000}'], stdout=open(sys.argv[1], "w"), stderr=subprocess.PIPE)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """)
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-c", measure, str(out)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    code, peak_kb = map(int, done.stdout.split())
    document = json.loads(out.read_text())
    assert code == 0 and document["status"] == "ok"
    assert len(document["logs"]) >= 100_000 and document["logs"][1]["message"] == "line 0"
    assert peak_kb < 64 * 1024, f"peak RSS {peak_kb} KiB"


# A custom runtime (no fence): prints, then answers at once, as AWS's tutorial bootstrap does.
CUSTOM = f"""#!{sys.executable}
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(response.read())
    print("custom runtime got", event["n"], flush=True)
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=b'"ok"', method="POST")).read()
"""


async def test_a_custom_runtimes_output_comes_before_its_result_however_late_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a runtime without fences wrote before answering belongs to that invocation, even when the pipes'
    thread is slow to read it (a loaded machine: simulated by a late os.read). A fixed quiet period lost it."""
    real_read = os.read

    def late_read(fd: int, size: int) -> bytes:
        time.sleep(0.05)
        return real_read(fd, size)

    monkeypatch.setattr(output, "os", types.SimpleNamespace(read=late_read))
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(CUSTOM)
    bootstrap.chmod(0o755)
    spec = FunctionSpec(name="custom", source="svl.yaml", runtime="provided.al2023", handler="x.y",
                        code_dir=str(tmp_path))
    async with Engine() as engine:
        for n in range(3):
            records, result = await engine.invoke_collect(spec, {"n": n})
            assert result.ok, result.error
            assert [r.message for r in records if r.stream == "stdout"] == [f"custom runtime got {n}"]
