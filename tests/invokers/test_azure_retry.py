"""Azure retry policies: a failed invocation runs again (fixedDelay, exponentialBackoff), each attempt visible,
with the host's RetryContext, from function.json, @app.retry, the v4 ``retry`` option and host.json."""

from __future__ import annotations

import json
import random

from invokers.azure_retry import RetryPolicy, delays, parse
from invokers.discovery import discover
from invokers.engine import Engine
from invokers.models import LogRecord
from tests.azure_setup import NodeApp, PythonApp, logged, spec_of
from tests.invokers.test_cli import svl

FAILING_V1 = {
    "Jobs/__init__.py": "import azure.functions as func\n\n\ndef main(msg: func.QueueMessage, context) -> None:\n"
                        "    raise RuntimeError(f'attempt {context.retry_context.retry_count}')\n",
}


def v1_function(retry: dict[str, object]) -> dict[str, str]:
    return {**FAILING_V1, "Jobs/function.json": json.dumps({"scriptFile": "__init__.py", "retry": retry, "bindings": [
        {"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "jobs"}]})}


def platform(records: list[LogRecord]) -> list[str]:
    return [r.message for r in records if r.stream == "platform"]


def test_parse_accepts_every_spelling_and_explains_bad_ones() -> None:
    assert parse({"strategy": "fixedDelay", "maxRetryCount": 4, "delayInterval": "00:00:10"}) == (
        {"strategy": "fixedDelay", "maxRetryCount": 4, "delayInterval": 10.0}, "")
    assert parse({"strategy": "exponential_backoff", "max_retry_count": "3", "minimum_interval": "00:00:01",
                  "maximum_interval": "00:01:00"})[0] == {"strategy": "exponentialBackoff", "maxRetryCount": 3,
                                                          "minimumInterval": 1.0, "maximumInterval": 60.0}
    node = {"strategy": "fixedDelay", "retryStrategy": "fixedDelay", "maxRetryCount": -1,
            "delayInterval": {"seconds": 2}}
    assert parse(node)[0] == {"strategy": "fixedDelay", "maxRetryCount": -1, "delayInterval": 2.0}
    assert "fixedDelay or exponentialBackoff" in parse({"strategy": "linear", "maxRetryCount": 1})[1]
    assert "'delayInterval'" in parse({"strategy": "fixedDelay", "maxRetryCount": 1})[1]
    assert "whole number" in parse({"strategy": "fixedDelay", "maxRetryCount": "x", "delayInterval": "00:00:01"})[1]
    assert "greater than" in parse({"strategy": "exponentialBackoff", "maxRetryCount": 1,
                                    "minimumInterval": "00:00:09", "maximumInterval": "00:00:01"})[1]


def test_delays_follow_the_hosts_strategies() -> None:
    fixed = delays(RetryPolicy("fixedDelay", 3, delay_s=2.0))
    assert [next(fixed) for _ in range(3)] == [2.0, 2.0, 2.0]
    backoff = delays(RetryPolicy("exponentialBackoff", -1, minimum_s=1.0, maximum_s=10.0), random.Random(7))
    waits = [next(backoff) for _ in range(6)]
    assert 1.8 <= waits[0] <= 2.2 and 2.6 <= waits[1] <= 3.4 and 4.2 <= waits[2] <= 5.8  # min + ~2^(n-1) * min
    assert waits == sorted(waits) and waits[-1] == 10.0  # capped at the maximum, then stays there


async def test_fixed_delay_runs_every_attempt_then_fails(engine: Engine, python_app: PythonApp) -> None:
    root = python_app(v1_function({"strategy": "fixedDelay", "maxRetryCount": 2, "delayInterval": "00:00:00.01"}))
    spec = spec_of(root, "Jobs")
    assert spec.azure_retry == {"strategy": "fixedDelay", "maxRetryCount": 2, "delayInterval": 0.01}
    records, result = await engine.invoke_collect(spec, {"data": "x"})
    assert result.status == "error" and result.attempts == 3
    assert result.error is not None and result.error["errorMessage"] == "attempt 2"
    assert [r["error"]["errorMessage"] for r in result.retries] == ["attempt 0", "attempt 1"]
    ids = [r["request_id"] for r in result.retries] + [result.request_id]
    assert len(set(ids)) == 3  # each attempt is its own invocation
    lines = platform(records)
    assert [line for line in lines if line.startswith("Executing ")] == [
        f"Executing 'Functions.Jobs' (Reason='This function was programmatically called via the host APIs.', Id={i})"
        for i in ids]
    assert [line for line in lines if line.startswith("Waiting for")] == [
        "Waiting for `00:00:00.0100000` before retrying function execution. Next attempt: '1'. Max retry count: '2'.",
        "Waiting for `00:00:00.0100000` before retrying function execution. Next attempt: '2'. Max retry count: '2'."]
    assert lines[-1] == "Function execution failed after '2' retries."


async def test_python_v2_exponential_backoff_succeeds_on_a_retry(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({"function_app.py": '''import logging

import azure.functions as func

app = func.FunctionApp()

@app.retry(strategy="exponential_backoff", max_retry_count="3", minimum_interval="00:00:00.01",
           maximum_interval="00:00:00.03")
@app.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def tick(timer: func.TimerRequest, context: func.Context) -> None:
    retry = context.retry_context
    logging.info("retry %s of %s", retry.retry_count, retry.max_retry_count)
    if retry.retry_count < 1:
        raise ValueError("not yet")
'''})
    spec = spec_of(root, "tick")
    assert spec.azure_retry == {"strategy": "exponentialBackoff", "maxRetryCount": 3, "minimumInterval": 0.01,
                                "maximumInterval": 0.03}
    records, result = await engine.invoke_collect(spec, spec.default_event)
    assert result.ok and result.attempts == 2 and result.retries[0]["status"] == "error"
    assert [m for m in logged(records) if m.startswith("retry ")] == ["retry 0 of 3", "retry 1 of 3"]
    assert sum(line.startswith("Waiting for `00:00:00.0") for line in platform(records)) == 1


async def test_node_v4_retry_option_and_retry_context(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/tick.js": """
        const { app } = require('@azure/functions');
        app.timer('tick', {
          schedule: '0 */5 * * * *',
          retry: { strategy: 'fixedDelay', maxRetryCount: 4, delayInterval: { milliseconds: 10 } },
          handler: async (timer, context) => {
            context.log(`retry ${context.retryContext.retryCount} of ${context.retryContext.maxRetryCount}`);
            if (context.retryContext.retryCount < 2) throw new Error('not yet');
          },
        });
    """})
    spec = spec_of(root, "tick")
    assert spec.azure_retry == {"strategy": "fixedDelay", "maxRetryCount": 4, "delayInterval": 0.0}  # whole seconds
    records, result = await engine.invoke_collect(spec, spec.default_event)
    assert result.ok and result.attempts == 3
    assert logged(records) == ["retry 0 of 4", "retry 1 of 4", "retry 2 of 4"]


async def test_host_json_policy_applies_but_never_to_http(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/app.js": """
        const { app } = require('@azure/functions');
        app.storageQueue('jobs', { queueName: 'jobs', connection: 'AzureWebJobsStorage',
          handler: async (message, context) => { context.log('run'); throw new Error('no'); } });
        app.get('web', async (request, context) => { context.log('run'); throw new Error('no'); });
    """})
    (root / "host.json").write_text(json.dumps({"version": "2.0", "retry": {
        "strategy": "fixedDelay", "maxRetryCount": 1, "delayInterval": "00:00:00"}}))
    records, result = await engine.invoke_collect(spec_of(root, "jobs"), {"data": "x"})
    assert result.attempts == 2 and logged(records) == ["run", "run"]
    records, result = await engine.invoke_collect(spec_of(root, "web"), {})
    assert result.attempts == 1 and logged(records) == ["run"]


def test_a_bad_policy_is_reported_where_it_is_and_not_applied(python_app: PythonApp) -> None:
    root = python_app(v1_function({"strategy": "fixedDelay", "maxRetryCount": 2}))
    found = discover(root)
    assert found.get("Jobs").azure_retry is None  # type: ignore[union-attr]
    problem = next(p for p in found.problems if p.field == "retry")
    assert problem.file == "Jobs/function.json" and problem.severity == "warning"
    assert "'delayInterval'" in problem.message and "not retried" in problem.message


def test_cli_counts_the_attempts(python_app: PythonApp) -> None:
    root = python_app(v1_function({"strategy": "fixedDelay", "maxRetryCount": 1, "delayInterval": "00:00:00"}))
    done = svl("invoke", "Jobs", "--data", '"x"', cwd=root)
    assert done.returncode == 1 and "attempt 2 (1 retried)" in done.stderr
    document = json.loads(svl("invoke", "Jobs", "--data", '"x"', "--json", cwd=root).stdout)
    assert document["attempts"] == 2 and document["retries"][0]["error"]["errorMessage"] == "attempt 0"
