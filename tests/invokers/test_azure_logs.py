"""An Azure function's platform lines are the Azure host's (Executing / Executed, as Core Tools prints them),
not Lambda's START / END / REPORT; the Result keeps the figures."""

from __future__ import annotations

import json
import re

from invokers.azure_logs import timespan
from invokers.engine import Engine
from invokers.models import LogRecord
from tests.azure_setup import NodeApp, PythonApp, spec_of
from tests.invokers.test_cli import svl

REASON = "This function was programmatically called via the host APIs."


def platform(records: list[LogRecord]) -> list[str]:
    return [r.message for r in records if r.stream == "platform"]


async def test_node_success_is_executing_then_executed(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/ok.js": """
        require('@azure/functions').app.get('ok', async (request, context) => { context.log('inside'); return {}; });
    """})
    records, result = await engine.invoke_collect(spec_of(root, "ok"), {})
    assert result.ok and result.billing == "Azure Consumption"
    lines = platform(records)
    assert lines[0] == f"Executing 'Functions.ok' (Reason='{REASON}', Id={result.request_id})"
    duration = int(result.duration_ms)
    assert lines[-1] == f"Executed 'Functions.ok' (Succeeded, Id={result.request_id}, Duration={duration}ms)"
    assert not any(line.startswith(("START", "END", "REPORT")) for line in lines)
    messages = [r.message for r in records]
    assert messages.index(lines[0]) < messages.index("inside") < messages.index(lines[-1])


async def test_node_failure_shows_the_hosts_exception_lines(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/fail.js": """
        require('@azure/functions').app.get('fail', async () => { throw new Error('boom'); });
    """})
    records, result = await engine.invoke_collect(spec_of(root, "fail"), {})
    assert result.status == "error"
    rid = result.request_id
    lines = platform(records)
    start = lines.index(f"Executed 'Functions.fail' (Failed, Id={rid}, Duration={int(result.duration_ms)}ms)")
    assert lines[start + 1] == ("System.Private.CoreLib: Exception while executing function: Functions.fail. "
                                "System.Private.CoreLib: Result: Failure")
    assert lines[start + 2] == "Exception: boom"
    assert lines[start + 3] == "Stack: Error: boom"
    assert lines[start + 4].strip().startswith("at ") and "fail.js:2" in lines[start + 4]
    assert lines[-1].endswith(".")  # FlattenException ends each message with a full stop
    assert all(r.level == "ERROR" for r in records if r.stream == "platform" and r.message in lines[start:])


async def test_python_failure_names_the_type_and_ends_with_the_hosts_full_stop(engine: Engine,
                                                                                python_app: PythonApp) -> None:
    root = python_app({"function_app.py": """import azure.functions as func

app = func.FunctionApp()

@app.queue_trigger(arg_name="msg", queue_name="jobs", connection="AzureWebJobsStorage")
def jobs(msg: func.QueueMessage):
    raise ValueError("bad job")
"""})
    records, result = await engine.invoke_collect(spec_of(root, "jobs"), {"data": "x"})
    assert result.status == "error"
    lines = platform(records)
    failed = next(i for i, line in enumerate(lines) if line.startswith("Executed 'Functions.jobs' (Failed, "))
    assert lines[failed + 2] == "Exception: ValueError: bad job"
    assert lines[failed + 3].startswith("Stack:   File ") and "function_app.py" in lines[failed + 3]
    assert lines[-1] == "."  # the traceback ends in a newline, and the host adds its full stop after it


async def test_timeout_is_the_hosts_timeout(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/slow.js": """
        require('@azure/functions').app.get('slow', async () => new Promise((r) => setTimeout(r, 5000)));
    """})
    (root / "host.json").write_text('{"functionTimeout": "00:00:01"}')
    records, result = await engine.invoke_collect(spec_of(root, "slow"), {})
    assert result.status == "timeout"
    assert result.error is not None and result.error["errorType"] == "FunctionTimeoutException"
    assert result.error["errorMessage"] == "Timeout value of 00:00:01 was exceeded by function: Functions.slow"
    lines = platform(records)
    assert (f"Timeout value of 00:00:01 exceeded by function 'Functions.slow' (Id: '{result.request_id}'). "
            "Initiating cancellation.") in lines
    assert lines[-2].startswith("Executed 'Functions.slow' (Failed, ")
    assert lines[-1] == ("Microsoft.Azure.WebJobs.Host: Timeout value of 00:00:01 was exceeded by function: "
                         "Functions.slow.")
    assert not any("Task timed out" in line for line in lines)


def test_timespan_is_dotnets() -> None:
    assert timespan(300) == "00:05:00"
    assert timespan(0.01) == "00:00:00.0100000"
    assert timespan(90061.5) == "1.01:01:01.5000000"


def test_cli_text_and_json_carry_the_azure_lines(node_app: NodeApp) -> None:
    root = node_app(example=True)
    done = svl("invoke", "orders", "--data", '{"orderId": 5}', cwd=root)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^Executing 'Functions\.orders' \(Reason='.+', Id=[0-9a-f-]{36}\)$", done.stderr, re.M)
    assert re.search(r"^Executed 'Functions\.orders' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)$",
                     done.stderr, re.M)
    assert "REPORT RequestId" not in done.stderr and "(Azure Consumption)" in done.stderr
    document = json.loads(svl("invoke", "orders", "--data", '{"orderId": 6}', "--json", cwd=root).stdout)
    messages = [log["message"] for log in document["logs"] if log["stream"] == "platform"]
    assert messages[0].startswith("Executing 'Functions.orders'")
    assert messages[-1].startswith("Executed 'Functions.orders' (Succeeded")
    assert document["duration_ms"] > 0 and document["billing"] == "Azure Consumption"
