"""A handler's environment holds what Lambda (or the Azure host) gives it, the user's shell, and nothing of
svl-tui's own: no SVL_* setting (the bootstraps take theirs out before user code loads) and no other name
svl-tui made up. Checked in the handler and in a child process it starts (the C environment)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.models import FunctionSpec
from tests.azure_setup import run, spec_of
from tests.conftest import MakeFunction

# LAMBDA_REFERENCE.md's environment list, and what AWS's list of reserved variables adds: PATH and LD_LIBRARY_PATH
# (with the layers'), AWS_LAMBDA_INITIALIZATION_TYPE.
LAMBDA_NAMES = {"PATH", "LD_LIBRARY_PATH", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_FUNCTION_NAME",
                "AWS_LAMBDA_FUNCTION_VERSION",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
                "AWS_REGION", "AWS_DEFAULT_REGION",
                "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "TZ", "_X_AMZN_TRACE_ID",
                "AWS_LAMBDA_RUNTIME_API"}
AZURE_NAMES = {"FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsScriptRoot"}  # what the Azure host tells its workers
OWN = {"MY_SETTING": "mine", "SVL_OF_THE_FUNCTION": "kept"}  # the function's configuration: always seen
SLOW_OK = 30  # seconds: the handlers start child processes; how fast on a loaded machine is not the point

PYTHON = """
import os, subprocess, sys
def handler(event, context):
    child = subprocess.run(["env", "-0"], capture_output=True).stdout.decode().split("\\0")
    return {"handler": sorted(os.environ), "child": sorted(line.split("=", 1)[0] for line in child if "=" in line),
            "unbuffered": os.environ.get("PYTHONUNBUFFERED")}
"""
NODE = """
const { execFileSync } = require("child_process");
const names = () => execFileSync("env", ["-0"]).toString().split("\\0").filter((l) => l.includes("="))
  .map((l) => l.split("=")[0]).sort();
exports.handler = async () => ({ handler: Object.keys(process.env).sort(), child: names() });
"""
# A plain shell + curl custom runtime, as AWS's tutorial writes it: its own environment is the handler's.
CURL_BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
while true; do
  curl -sS -D "$HEADERS" -o /dev/null "$API/invocation/next"
  REQUEST_ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')
  NAMES=$(env | grep -E '^[A-Za-z_][A-Za-z0-9_]*=' | cut -d= -f1 | sort | sed 's/.*/"&"/' | paste -sd, -)
  curl -sS -o /dev/null -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"handler\\": [$NAMES]}"
done
"""


@pytest.fixture(autouse=True)
def shell_with_our_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's shell configures svl-tui (SVL_*): none of it is the function's."""
    monkeypatch.setenv("SVL_ERROR_LOCALS", "1")
    monkeypatch.setenv("SVL_SOMETHING_OF_OURS", "x")
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # so a worker's own shows


def check(seen: dict[str, list[str]], allowed: set[str]) -> None:
    shell = {name for name in os.environ if not name.startswith("SVL_")}
    for where, names in seen.items():
        if where not in ("handler", "child"):
            continue
        assert [n for n in names if n.startswith("SVL_") and n not in OWN] == [], where
        assert set(names) - shell - allowed - set(OWN) == set(), where
        assert set(OWN) <= set(names), where


async def test_python_handler_sees_nothing_of_ours(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(PYTHON, environment=dict(OWN), timeout_s=SLOW_OK)
    _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    check(result.response, LAMBDA_NAMES)
    assert result.response["unbuffered"] is None  # the bootstrap runs with -u instead


async def test_node_handler_sees_nothing_of_ours(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(NODE, ext=".js", environment=dict(OWN), timeout_s=SLOW_OK)
    _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    check(result.response, LAMBDA_NAMES | {"NODE_PATH"})  # Lambda's Node.js runtimes set NODE_PATH


async def test_custom_runtime_sees_nothing_of_ours(engine: Engine, tmp_path: Path) -> None:
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(CURL_BOOTSTRAP)
    bootstrap.chmod(bootstrap.stat().st_mode | stat.S_IXUSR)
    spec = FunctionSpec(name="curl", source="svl.yaml", runtime="provided.al2023", handler="unused",
                        code_dir=str(tmp_path), environment=dict(OWN), timeout_s=SLOW_OK)
    for _ in range(2):  # the loop answers a second (warm) invoke too
        _, result = await engine.invoke_collect(spec, {})
        assert result.ok, result.error
        check(result.response, LAMBDA_NAMES)


def azure_app(root: Path, name: str, files: dict[str, str], bindings: list[dict[str, str]]) -> FunctionSpec:
    (root / "host.json").write_text('{"version": "2.0"}')
    (root / name).mkdir(parents=True)
    for file, text in files.items():
        (root / name / file).write_text(text)
    (root / name / "function.json").write_text(json.dumps({"scriptFile": next(iter(files)), "bindings": bindings}))
    spec = spec_of(root, name)
    spec.environment.update(OWN)
    return spec


HTTP = [{"type": "httpTrigger", "direction": "in", "name": "req"}, {"type": "http", "direction": "out", "name": "res"}]


async def test_azure_python_function_sees_nothing_of_ours(engine: Engine, tmp_path: Path) -> None:
    code = PYTHON.replace("def handler(event, context)", "def main(req)").replace(
        "return {", "import json\n    return json.dumps({").rstrip() + ")\n"
    spec = azure_app(tmp_path, "Env", {"__init__.py": code}, HTTP[:1] + [{**HTTP[1], "name": "$return"}])
    _, result = await run(engine, spec, {"httpMethod": "GET", "path": "/"})
    check(json.loads(result.response["body"]), LAMBDA_NAMES | AZURE_NAMES)


async def test_azure_node_function_sees_nothing_of_ours(engine: Engine, tmp_path: Path) -> None:
    code = NODE.replace("exports.handler = async () => (", "module.exports = async (context) => { context.res = "
                        "{ body: ").replace("child: names() });", "child: names() } }; };")
    spec = azure_app(tmp_path, "Env", {"index.js": code}, HTTP)
    _, result = await run(engine, spec, {"httpMethod": "GET", "path": "/"})
    check(result.response["body"], LAMBDA_NAMES | AZURE_NAMES | {"NODE_PATH"})


TRACE = """
const { execFileSync } = require("child_process");
exports.handler = async (event) => {
  const env = process.env;
  const seen = { value: env._X_AMZN_TRACE_ID, has: "_X_AMZN_TRACE_ID" in env,
    own: env.hasOwnProperty("_X_AMZN_TRACE_ID"),
    listed: Object.keys(env).filter((k) => k === "_X_AMZN_TRACE_ID").length,
    json: JSON.parse(JSON.stringify(env))._X_AMZN_TRACE_ID,
    entries: Object.entries(env).length === Object.keys(env).length,
    child: execFileSync("printenv", ["_X_AMZN_TRACE_ID"]).toString().trim() };
  env._X_AMZN_TRACE_ID = 42;  // the real object coerces to a string
  seen.assigned = typeof env._X_AMZN_TRACE_ID;
  delete env._X_AMZN_TRACE_ID;
  seen.deleted = [env._X_AMZN_TRACE_ID, "_X_AMZN_TRACE_ID" in env, Object.keys(env).includes("_X_AMZN_TRACE_ID")];
  env.OTHER_NAME = 7;  // other names still go to the real environment
  seen.other = execFileSync("printenv", ["OTHER_NAME"]).toString().trim();
  return seen;
};
"""


async def test_node_trace_id_is_each_invokes_as_lambdas_runtime_client_sets_it(
        engine: Engine, make_function: MakeFunction) -> None:
    """Kept in JavaScript, not C's environment (glibc's setenv keeps every distinct value: a warm worker would
    grow with each invoke), yet every way a handler or its children can read it gives this invoke's id."""
    spec = make_function(TRACE, ext=".js", timeout_s=SLOW_OK)
    seen = []
    for _ in range(2):
        _, result = await engine.invoke_collect(spec, {})
        assert result.ok, result.error
        seen.append(result.response)
    first, second = seen
    assert first["value"].startswith("Root=1-") and second["value"].startswith("Root=1-")
    assert first["value"] != second["value"]  # each invoke's own, after the handler deleted it
    for one in seen:
        assert one["has"] and one["own"] and one["listed"] == 1 and one["entries"]
        assert one["json"] == one["child"] == one["value"]
        assert one["assigned"] == "string" and one["deleted"] == [None, False, False] and one["other"] == "7"


async def test_initialization_type_says_on_demand_or_provisioned(engine: Engine, make_function: MakeFunction) -> None:
    """Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE; Powertools for TypeScript reports cold_start only when it
    says on-demand (without it, every invoke logged cold_start: false)."""
    code = "import os\ndef handler(e, c):\n    return os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']\n"
    _, on_demand = await engine.invoke_collect(make_function(code), {})
    assert on_demand.cold and on_demand.response == "on-demand"
    provisioned = make_function(code, name="provisioned")
    assert await engine.provision(provisioned, 1) == []
    _, result = await engine.invoke_collect(provisioned, {})
    assert not result.cold and result.response == "provisioned-concurrency"
