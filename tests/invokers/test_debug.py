"""The debug channel: breakpoints that stop (or are skipped), a clock that stops too, locals on error, post-mortems."""

from __future__ import annotations

import asyncio
from typing import Any

from invokers.engine import Engine
from invokers.models import DebugStop, LogRecord, Result
from tests.conftest import MakeFunction

STEPPING = """
    def handler(event, context):
        api_token = "s3cr3t-value"
        items = [1, 2, 3]
        total = 0
        breakpoint()
        for x in items:
            total += x
        return {"total": total, "left": context.get_remaining_time_in_millis()}
"""


async def _drive(engine: Engine, spec: Any, answers: list[str], *, event: Any = None, pause: float = 0.0,
                 **options: Any) -> tuple[list[DebugStop], list[LogRecord], Result]:
    """Invoke with the debugger on, answering each stop with the next command after ``pause`` seconds."""
    stops: list[DebugStop] = []
    records: list[LogRecord] = []
    commands = iter(answers)
    async for update in engine.invoke(spec, event if event is not None else {}, **options):
        if isinstance(update, DebugStop):
            stops.append(update)
            if pause:
                await asyncio.sleep(pause)
            engine.debug_send(update.request_id, next(commands))
        elif isinstance(update, Result):
            return stops, records, update
        else:
            records.append(update)
    raise AssertionError("no result")


def _local(stop: DebugStop, name: str) -> dict[str, Any]:
    return next(node for node in stop.locals if node["name"] == name)


async def test_breakpoint_stops_with_source_stack_and_masked_locals(engine: Engine,
                                                                    make_function: MakeFunction) -> None:
    spec = make_function(STEPPING)
    stops, _records, result = await _drive(engine, spec, ["n", "p total", "c"], debug=True)
    first = stops[0]
    assert first.file.endswith("app.py") and first.line == 7  # pdb stops on the line after breakpoint()
    assert [frame["function"] for frame in first.frames] == ["handler"]  # the bootstrap's frames are hidden
    assert first.source is not None and first.source["lines"][first.line - first.source["start"]].strip() == \
        "for x in items:"
    assert _local(first, "api_token")["value"] == "****"
    assert "s3cr3t" not in repr([stop.locals for stop in stops])
    assert _local(first, "items")["value"] == "[3 items]"
    assert [child["value"] for child in _local(first, "items")["children"]] == ["1", "2", "3"]
    assert stops[1].line == 8 and _local(stops[1], "x")["value"] == "1"  # "n" stepped one line
    assert stops[2].output.strip() == "0"  # "p total" printed by pdb, sent with the next prompt
    assert result.ok and result.response["total"] == 6


async def test_stop_longer_than_the_timeout_is_not_a_timeout(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(STEPPING, timeout_s=0.5)
    _stops, records, result = await _drive(engine, spec, ["c"], debug=True, pause=1.0)
    assert result.status == "ok"
    assert result.paused_ms >= 900
    assert result.duration_ms < 500  # Duration leaves the pause out
    assert result.response["left"] > 300  # the handler's own clock stopped too
    report = next(r.message for r in records if r.message.startswith("REPORT"))
    assert f"Paused: {result.paused_ms:.2f} ms" in report


async def test_a_real_timeout_still_fires_after_the_debugger_continues(engine: Engine,
                                                                       make_function: MakeFunction) -> None:
    spec = make_function("""
        import time
        def handler(event, context):
            breakpoint()
            time.sleep(5)
    """, timeout_s=0.5)
    _stops, _records, result = await _drive(engine, spec, ["c"], debug=True, pause=0.8)
    assert result.status == "timeout"
    assert 400 <= result.duration_ms < 1500


async def test_breakpoint_without_a_debugger_is_skipped_with_a_warning(engine: Engine,
                                                                       make_function: MakeFunction) -> None:
    spec = make_function(STEPPING)
    records, result = await engine.invoke_collect(spec, {})
    assert result.ok and result.response["total"] == 6 and result.paused_ms == 0
    warning = [r for r in records if "breakpoint() at" in r.message]
    assert len(warning) == 1 and warning[0].level == "WARN" and "app.py:6 skipped" in warning[0].message


async def test_pythonbreakpoint_0_turns_breakpoints_off(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(STEPPING, environment={"PYTHONBREAKPOINT": "0"})
    stops, records, result = await _drive(engine, spec, [], debug=True)
    assert stops == [] and result.ok
    assert not any("breakpoint()" in r.message for r in records)


async def test_pdb_set_trace_stops_too(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import pdb
        def handler(event, context):
            answer = 41
            pdb.set_trace()
            answer += 1
            return answer
    """)
    stops, _records, result = await _drive(engine, spec, ["answer = 99", "c"], debug=True)
    assert stops[0].line == 6 and _local(stops[0], "answer")["value"] == "41"
    assert result.response == 100  # a pdb statement changed the handler's state


async def test_up_selects_the_callers_frame(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        def inner(value):
            breakpoint()
            return value
        def handler(event, context):
            outer_only = "here"
            return inner(3)
    """)
    stops, _records, result = await _drive(engine, spec, ["up", "c"], debug=True)
    assert [f["function"] for f in stops[0].frames] == ["handler", "inner"] and stops[0].index == 1
    assert stops[1].index == 0 and _local(stops[1], "outer_only")["value"] == "'here'"
    assert result.response == 3


async def test_the_handler_does_not_see_the_channel(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import os
        def handler(event, context):
            return sorted(k for k in os.environ if k.startswith("SVL_DEBUG"))
    """)
    _records, result = await engine.invoke_collect(spec, {})
    assert result.response == []


# ---- locals on error ----------------------------------------------------------------

FAILING = """
    def helper(record):
        count = len(record)
        big = list(range(1000))
        long_text = "x" * 5000
        raise ValueError("bad record")

    def handler(event, context):
        password = "hunter2"
        record = {"a": 1, "nested": {"b": [1, 2]}, "Authorization": "Bearer abc"}
        return helper(record)
"""


async def test_error_carries_the_failing_frames_locals_masked_and_capped(engine: Engine,
                                                                         make_function: MakeFunction) -> None:
    spec = make_function(FAILING)
    _records, result = await engine.invoke_collect(spec, {})
    assert result.status == "error"
    assert set(result.error or {}) == {"errorMessage", "errorType", "requestId", "stackTrace"}  # Lambda's payload
    frames = result.error_locals or []
    assert [f["function"] for f in frames] == ["helper", "handler"]  # innermost first
    helper = {node["name"]: node for node in frames[0]["locals"]}
    assert helper["count"]["value"] == "3"
    assert helper["big"]["size"] == 1000 and len(helper["big"]["children"]) <= 51  # capped, with a "more" entry
    assert len(helper["long_text"]["value"]) < 250
    handler = {node["name"]: node for node in frames[1]["locals"]}
    assert handler["password"]["value"] == "****"
    record = {child["name"]: child["value"] for child in handler["record"]["children"]}
    assert record["Authorization"] == "****" and record["a"] == "1"
    assert "hunter2" not in repr(result.to_dict()) and "Bearer" not in repr(result.to_dict())


async def test_success_has_no_error_locals(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(event, context):\n    return 1\n")
    _records, result = await engine.invoke_collect(spec, {})
    assert result.ok and result.error_locals is None and "error_locals" in result.to_dict()


async def test_post_mortem_stops_at_the_frame_that_raised(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(FAILING)
    stops, _records, result = await _drive(engine, spec, ["p count", "c"], post_mortem=True)
    assert stops[0].post_mortem and stops[0].line == 6
    assert stops[0].frames[stops[0].index]["function"] == "helper"
    assert stops[1].output.strip() == "3"
    assert result.status == "error" and result.error is not None and result.error["errorType"] == "ValueError"


async def test_breakpoint_while_importing_is_skipped_and_said(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        breakpoint()
        def handler(event, context):
            return "loaded"
    """)
    stops, records, result = await _drive(engine, spec, [], debug=True)
    assert stops == [] and result.response == "loaded"
    assert any("app.py:2 skipped" in r.message and "while the module is imported" in r.message for r in records)
