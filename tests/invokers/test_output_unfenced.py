"""Answers without a fence (our bootstraps on Linux): the engine counts what is in the pipes and delivers it first.

Every line a handler wrote must still come before its Result (and in its own
invocation), whether the reader thread already handed it over, still holds it,
or the pump is delivering it to a slow consumer.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest

from invokers import output
from invokers.engine import Engine
from invokers.models import LogRecord, Result
from invokers.worker import _waker
from tests.conftest import MakeFunction
from tests.waiting import until

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="our bootstraps leave out fences on Linux only")

QUIET_THEN_PARTIAL = """
    import sys, time

    def handler(event, context):
        if event.get("write"):
            sys.stdout.write("no newline at the end")
            sys.stdout.flush()
            time.sleep(0.3)  # the reader thread has read it all when the answer goes
        return "done"
"""

PRINTER = """
    import sys, time

    def handler(event, context):
        # one write: the reader thread reads it at once and the pump takes it whole
        sys.stdout.write("".join(f"line {i}\\n" for i in range(event["lines"])))
        sys.stdout.flush()
        time.sleep(0.3)
        return "done"
"""


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each ``OutputReader.cut`` answered: the engine took the fence-less path that many times."""
    answers: list[bool] = []
    real = output.OutputReader.cut

    def cut(self: output.OutputReader, pumping: bool) -> bool:
        answers.append(real(self, pumping))
        return answers[-1]

    monkeypatch.setattr(output.OutputReader, "cut", cut)
    return answers


async def _run(engine: Engine, spec: Any, event: Any, pause_s: float = 0.0) -> tuple[list[LogRecord], Result]:
    records: list[LogRecord] = []
    async for update in engine.invoke(spec, event):
        if isinstance(update, Result):
            return records, update
        if pause_s and len(records) == 2:
            await asyncio.sleep(pause_s)  # a consumer that cannot keep up
        records.append(update)
    raise AssertionError("no result")


async def test_a_quiet_invocation_needs_no_fence(make_function: MakeFunction, engine: Engine, cuts: list[bool]) -> None:
    spec = make_function(QUIET_THEN_PARTIAL)
    await engine.invoke_collect(spec, {})  # cold: init's own fence
    cuts.clear()
    records, result = await _run(engine, spec, {})
    assert result.status == "ok" and result.response == "done"
    assert cuts == [False]  # nothing written, nothing in flight: no waiting at all
    assert [r.message.split(" ")[0] for r in records] == ["START", "END", "REPORT"]


async def test_a_partial_line_already_read_is_delivered_in_its_own_invocation(
        make_function: MakeFunction, engine: Engine, cuts: list[bool]) -> None:
    spec = make_function(QUIET_THEN_PARTIAL)
    await engine.invoke_collect(spec, {})
    cuts.clear()
    records, result = await _run(engine, spec, {"write": True})
    assert result.status == "ok"
    assert cuts == [True]  # the reader held the partial line: it was cut and waited for
    assert [r.message for r in records if r.stream == "stdout"] == ["no newline at the end"]
    records, _ = await _run(engine, spec, {})
    assert [r.message for r in records if r.stream == "stdout"] == []  # nothing left over for the next one


async def test_lines_still_being_delivered_to_a_slow_consumer_come_before_the_result(
        make_function: MakeFunction, engine: Engine, cuts: list[bool]) -> None:
    spec = make_function(PRINTER)
    await engine.invoke_collect(spec, {"lines": 0})
    cuts.clear()
    # more lines than the stream's queue holds (4,096): the pump is still delivering when the answer comes
    records, result = await _run(engine, spec, {"lines": 10_000}, pause_s=0.8)
    assert result.status == "ok", result.error
    assert cuts == [True]
    assert [r.message for r in records if r.stream == "stdout"] == [f"line {i}" for i in range(10_000)]


async def test_cut_marks_only_what_is_still_on_its_way() -> None:
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    woken = asyncio.Event()
    loop = asyncio.get_running_loop()
    reader = output.OutputReader({"stdout": os.fdopen(out_r, "rb"), "stderr": os.fdopen(err_r, "rb")}, b"\x1efence\x1e")
    reader.start(_waker(loop, woken.set))  # safe once the loop is closed (the pipes' end of file comes later)
    try:
        assert reader.cut(pumping=False) is False  # nothing read
        assert reader.cut(pumping=True) is True  # nothing buffered, but the caller still delivers what it took
        assert reader.take()[0] == [("stdout", output.FENCE), ("stderr", output.FENCE)]
        os.write(out_w, b"one\ntwo")
        await until(lambda: woken.is_set(), what="the reader thread read the output")  # one write, one read
        assert reader.cut(pumping=False) is True
        blocks = reader.take()[0]
        assert b"".join(block for stream, block in blocks if stream == "stdout") == b"one\ntwo\n"
        assert blocks[-2:] == [("stdout", output.FENCE), ("stderr", output.FENCE)]
        assert reader.cut(pumping=False) is False
    finally:
        os.close(out_w)
        os.close(err_w)


NODE_PRINTER = """
    exports.handler = async (event) => {
      for (let i = 0; i < event.lines; i++) console.log(`line ${i}`);
      if (event.partial) process.stdout.write("no newline at the end");
      return "done";
    };
"""


async def test_node_answers_without_a_fence_and_its_lines_come_first(make_function: MakeFunction, engine: Engine,
                                                                    cuts: list[bool]) -> None:
    spec = make_function(NODE_PRINTER, ext=".js")
    await engine.invoke_collect(spec, {"lines": 0})
    cuts.clear()
    _, quiet = await _run(engine, spec, {"lines": 0})
    assert quiet.ok and cuts == [False]  # nothing written: nothing to wait for
    # right before the answer, more lines than the stream's queue holds, to a slow consumer, and a partial line
    records, result = await _run(engine, spec, {"lines": 6000, "partial": True}, pause_s=0.8)
    assert result.ok and result.response == "done"
    printed = [r.message.split("\t")[-1] for r in records if r.stream == "stdout"]
    assert printed == [f"line {i}" for i in range(6000)] + ["no newline at the end"]
    records, _ = await _run(engine, spec, {"lines": 1})
    assert [r.message.split("\t")[-1] for r in records if r.stream == "stdout"] == ["line 0"]
