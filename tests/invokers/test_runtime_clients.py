"""AWS's own Python runtime interface client (awslambdaric, its native C++ client with libcurl) runs unchanged
as a custom runtime's ``bootstrap``: it builds ``http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/...`` itself, so the
Runtime API's guard (issue 18, point 1) must let it through in both of its forms: the plain ``host:port`` with
the peer check (custom runtimes on Linux) and the keyed ``host:port/svl-<key>`` (macOS, Windows).
awslambdaric is a test dependency (pyproject's test extra)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from invokers import peer
from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord

APP = """
import os
def handler(event, context):
    print("handler got", event["n"], context.aws_request_id)
    return {"n": event["n"], "trace": os.environ["_X_AMZN_TRACE_ID"][:7],
            "left_ms": context.get_remaining_time_in_millis() > 0, "arn": context.invoked_function_arn}
def fails(event, context):
    raise ValueError("bad order " + str(event["n"]))
"""
# What a provided.al2023 / provided.al2 function ships to run a Python handler on AWS's client (as AWS's
# "custom runtime" and container image guides do: python -m awslambdaric <handler>).
BOOTSTRAP = f"""#!/bin/sh
exec {sys.executable} -m awslambdaric "$_HANDLER"
"""


def function(folder: Path, handler: str, runtime: str) -> FunctionSpec:
    (folder / "app.py").write_text(APP)
    bootstrap = folder / "bootstrap"
    bootstrap.write_text(BOOTSTRAP)
    bootstrap.chmod(bootstrap.stat().st_mode | stat.S_IXUSR)
    return FunctionSpec(name="ric", source="svl.yaml", runtime=runtime, handler=handler, code_dir=str(folder),
                        timeout_s=30)


def printed(records: list[LogRecord]) -> list[str]:
    return [r.message for r in records if r.stream != "platform"]


@pytest.mark.parametrize("runtime", ["provided.al2023", "provided.al2"])
async def test_awslambdaric_answers_and_fails_as_on_lambda(tmp_path: Path, runtime: str) -> None:
    spec = function(tmp_path, "app.handler", runtime)
    async with Engine() as engine:
        records, cold = await engine.invoke_collect(spec, {"n": 1})
        assert cold.ok and cold.cold, (cold.error, printed(records))
        assert cold.response == {"n": 1, "trace": "Root=1-", "left_ms": True,
                                 "arn": f"arn:aws:lambda:{spec.region or 'us-east-1'}:123456789012:function:ric"}
        assert any(line.endswith(f"handler got 1 {cold.request_id}") for line in printed(records))
        records, warm = await engine.invoke_collect(spec, {"n": 2})
        assert warm.ok and not warm.cold and warm.response["n"] == 2
        assert any(line.endswith(f"handler got 2 {warm.request_id}") for line in printed(records))
    failing = function(tmp_path, "app.fails", runtime)
    async with Engine() as engine:
        _, failed = await engine.invoke_collect(failing, {"n": 3})
    assert failed.status == "error" and failed.error is not None
    assert (failed.error["errorType"], failed.error["errorMessage"]) == ("ValueError", "bad order 3")
    assert any('raise ValueError("bad order "' in frame for frame in failed.error["stackTrace"])
    missing = function(tmp_path, "app.nothing_here", runtime)  # its init error, posted to /runtime/init/error
    async with Engine() as engine:
        _, broken = await engine.invoke_collect(missing, {"n": 4})
    assert broken.status == "error" and broken.error is not None
    assert broken.error["errorType"] == "Runtime.HandlerNotFound"


async def test_awslambdaric_with_the_keyed_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the peer cannot be checked, a custom runtime gets ``host:port/svl-<key>``: awslambdaric's native
    client prefixes its paths with it unchanged. (Its init-error report goes through Python's http.client,
    which wants a bare host:port: there a broken handler shows as the runtime exiting; see README.)"""
    monkeypatch.setattr(peer, "supported", lambda: False)
    spec = function(tmp_path, "app.handler", "provided.al2023")
    async with Engine() as engine:
        records, cold = await engine.invoke_collect(spec, {"n": 4})
        assert cold.ok and cold.response["n"] == 4, (cold.error, printed(records))
        _, warm = await engine.invoke_collect(spec, {"n": 5})
        assert warm.ok and not warm.cold and warm.response["n"] == 5
