"""Lifecycle as Lambda runs it: a slow init retried inside the first invoke, fatal Node errors, odd stdio."""

from __future__ import annotations

import asyncio

import pytest

from invokers import phases
from invokers.engine import Engine
from tests.conftest import MakeFunction

SLOW_INIT = """
    import time
    time.sleep(1.0)  # longer than the (shortened) init limit
    def handler(event, context):
        return "ready"
"""


async def test_an_init_over_the_limit_runs_again_inside_the_first_invoke(make_function: MakeFunction,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phases, "INIT_TIMEOUT_S", 0.5)  # Lambda's 10 s, scaled down
    spec = make_function(SLOW_INIT, timeout_s=5)
    async with Engine() as engine:
        records, result = await engine.invoke_collect(spec, {})
        _, warm = await engine.invoke_collect(spec, {})
    assert result.status == "ok", result.error
    assert result.response == "ready" and result.cold and result.init_ms is None  # no separate Init Duration
    assert result.duration_ms >= 900  # the init ran inside the invoke and counts in its Duration
    assert "Init Duration" not in records[-1].message
    assert warm.ok and not warm.cold


async def test_a_suppressed_init_counts_against_the_function_timeout(make_function: MakeFunction,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phases, "INIT_TIMEOUT_S", 0.3)
    spec = make_function(SLOW_INIT, timeout_s=0.6)
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.status == "timeout" and "Task timed out after" in result.error["errorMessage"]


@pytest.mark.parametrize("fatal", ["Promise.reject(new Error('late'))",
                                   "setTimeout(() => { throw new Error('in a timer'); }, 0)"])
async def test_after_a_node_fatal_error_the_next_invoke_gets_a_new_environment(make_function: MakeFunction,
                                                                               fatal: str) -> None:
    spec = make_function(f"""
        exports.handler = async (event) => {{
          if (event.fail) {{ {fatal}; await new Promise((r) => setTimeout(r, 50)); }}
          return "fine";
        }};
    """, ext=".js")
    async with Engine() as engine:
        await engine.invoke_collect(spec, {})
        _, failed = await engine.invoke_collect(spec, {"fail": True})
        _, after = await engine.invoke_collect(spec, {})  # at once: the dying process must not take it
    assert failed.status == "error"
    assert after.ok and after.response == "fine" and after.cold


async def test_a_handler_closing_stdout_or_reading_stdin_behaves_as_on_lambda(make_function: MakeFunction) -> None:
    spec = make_function("""
        import sys
        def handler(event, context):
            if event.get("close"):
                sys.stdout.close()
                raise ValueError("after closing stdout")
            return {"stdin": sys.stdin.read()}
    """, timeout_s=2)
    async with Engine() as engine:
        _, read = await asyncio.wait_for(engine.invoke_collect(spec, {}), 30)
        records, closed = await engine.invoke_collect(spec, {"close": True})
        _, again = await engine.invoke_collect(spec, {})
    assert read.ok and read.response == {"stdin": ""}  # stdin is at end of file, not our pipe
    assert closed.status == "error" and closed.error["errorType"] == "ValueError"
    assert not any("Traceback" in r.message and "python_runtime" in r.message for r in records)
    assert again.ok and not again.cold  # the runtime survived its handler closing stdout
