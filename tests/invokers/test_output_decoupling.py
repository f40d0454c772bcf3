"""A slow reader never slows the handler: output is buffered (bounded), overflow is dropped and counted."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from invokers import output
from invokers.engine import Engine
from invokers.models import LogRecord, Result
from tests.conftest import REPO, MakeFunction
from tests.waiting import until

PRINTER = """
    def handler(event, context):
        for i in range(event["lines"]):
            print(f"line {i}")
        return "done"
"""


async def _slow_consumer(engine: Engine, spec: object, event: dict, pause_s: float) -> tuple[list[LogRecord], Result]:
    """Reads the stream, but stalls ``pause_s`` on the first line (a terminal that cannot keep up)."""
    records: list[LogRecord] = []
    async for update in engine.invoke(spec, event):  # type: ignore[arg-type]
        if isinstance(update, Result):
            return records, update
        if len(records) == 1:
            await asyncio.sleep(pause_s)
        records.append(update)
    raise AssertionError("no result")


async def test_a_stalled_reader_does_not_stall_the_handler(make_function: MakeFunction, engine: Engine) -> None:
    """The reader stalls longer than the function's timeout: the handler still finishes in time."""
    spec = make_function(PRINTER, timeout_s=1)
    # 20,000 lines print well within the 1 s timeout even on a loaded machine (60,000 timed out there)
    records, result = await _slow_consumer(engine, spec, {"lines": 20_000}, pause_s=2.5)
    assert result.status == "ok", result.error
    assert result.response == "done" and result.duration_ms < 1000
    printed = [r.message for r in records if r.stream == "stdout"]
    assert printed == [f"line {i}" for i in range(20_000)]  # all of it fitted in the buffer, in order
    assert result.log_dropped_lines == 0


async def test_what_the_buffer_cannot_hold_is_dropped_with_a_count(make_function: MakeFunction, engine: Engine,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "BUFFER_BYTES", 64 * 1024)
    spec = make_function(PRINTER, timeout_s=1)
    # 20,000 lines (~230 KB) overflow the 64 KiB buffer several times and print well within the 1 s timeout
    # even on a loaded machine (100,000 lines timed out there)
    records, result = await _slow_consumer(engine, spec, {"lines": 20_000}, pause_s=2.5)
    assert result.status == "ok", result.error
    numbers = [int(r.message.split()[1]) for r in records if r.stream == "stdout"]
    assert numbers == sorted(numbers) and 0 < len(numbers) < 20_000
    assert result.log_dropped_lines == 20_000 - len(numbers) and result.log_dropped_bytes > 0
    notice = [r for r in records if r.stream == "platform" and r.message.startswith("svl: dropped")]
    assert len(notice) == 1 and f"{result.log_dropped_lines} lines" in notice[0].message


async def test_output_between_invocations_is_capped_and_counted(make_function: MakeFunction,
                                                                engine: Engine) -> None:
    spec = make_function("""
        import threading, time
        def chatter():
            time.sleep(0.05)
            for i in range(5000):
                print(f"background {i}")
            print("background done")
        def handler(event, context):
            if event.get("start"):
                threading.Thread(target=chatter, daemon=True).start()
            return "ok"
    """)
    await engine.invoke_collect(spec, {"start": True})
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
