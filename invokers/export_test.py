"""Any run becomes a test: a recorded invocation written as a pytest or ``node:test`` file.

The file runs on its own with the project's runner (``pytest``, ``node --test``)
and imports nothing of svl-tui: it sets the function's environment, builds a
minimal Lambda-like context (name, version, ARN, memory, request id,
remaining time), calls the handler with the recorded event, and checks the
recorded response, or the recorded error's type and message.

What a single recording cannot promise to repeat is left out of the check,
and listed in the file (``VOLATILE``): values under request-id and clock keys,
UUIDs and ISO date-times (``jsondiff.volatile_paths``). The recorded request
id is given to the context again, so a handler echoing it still matches.
Secret environment values (``environment.looks_secret``) are never written:
the test reads them from the runner's environment, with a placeholder.

Writing is atomic and never replaces an existing file unless ``overwrite`` is
set (the faces ask first).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from event_samples.files import write_atomic

from .environment import ACCOUNT_ID, DEFAULT_REGION, looks_secret, mask_url_credentials
from .jsondiff import volatile_paths
from .models import FunctionSpec

NODE_EXTENSIONS = (".js", ".mjs", ".cjs")
SECRET_PLACEHOLDER = "<set by svl-tui: secret not exported>"


class ExportError(ValueError):
    """The run cannot become a test, or the file cannot be written; the message says why and what to do."""


class ExportExists(ExportError):
    """The test file exists already: ask before overwriting it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists already: overwrite it (--overwrite) or export under another --name")
        self.path = path


@dataclass
class Recording:
    """What a test is made of: plain values, from a ``Result`` or from the history store alike."""

    event: Any
    status: str
    response: Any = None
    error: dict[str, Any] | None = None
    request_id: str = ""

    @classmethod
    def of(cls, event: Any, run: Any) -> Recording:
        """From any object with ``status``, ``response``, ``error`` and ``request_id`` (a Result, a history entry)."""
        return cls(event, str(run.status), getattr(run, "response", None), getattr(run, "error", None),
                   str(getattr(run, "request_id", "") or ""))


def project_tests_folder(project: Path, spec: FunctionSpec) -> Path:
    """Where the project keeps its tests: ``tests/unit`` (as ``sam init`` lays it out), ``tests``, ``test``,
    ``__tests__``; for Node.js the code folder first (its package.json and test script live there)."""
    names = ("tests/unit", "tests", "test", "__tests__") if spec.language == "python" else \
        ("__tests__", "tests/unit", "tests", "test")
    code = Path(spec.code_dir)
    places = [project] if spec.language == "python" else []
    if code != project and code.is_relative_to(project):
        places.append(code)
    places.append(project)
    for place in places:
        for name in names:
            if (place / name).is_dir():
                return place / name
    return project / ("tests" if spec.language == "python" else "__tests__")


def file_name(spec: FunctionSpec, label: str) -> str:
    """``test_hello_world_function_<label>.py`` / ``HelloWorldFunction.<label>.test.mjs`` (``node --test`` finds it)."""
    safe = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")[:40] or "run"
    if spec.language == "python":
        return f"test_{_snake(spec.name)}_{safe.lower()}.py"
    return f"{re.sub(r'[^A-Za-z0-9_-]+', '-', spec.name)}.{safe}.test.mjs"


def _snake(name: str) -> str:
    """``HelloWorldFunction`` / ``orders-api`` -> ``hello_world_function`` / ``orders_api``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", spaced).strip("_").lower() or "function"


def export(spec: FunctionSpec, recording: Recording, project: Path, *, label: str = "",
           folder: Path | None = None, overwrite: bool = False) -> Path:
    """Write the test for ``recording`` of ``spec`` into the project's tests folder; its path."""
    if spec.language not in ("python", "node") or not spec.is_local or spec.style != "lambda":
        raise ExportError(f"{spec.name}: tests can be exported for local Python and Node.js Lambda handlers "
                          f"(this one is {spec.runtime}, {spec.style}{'' if spec.is_local else ', deployed'})")
    if isinstance(recording.event, (bytes, bytearray)):
        raise ExportError("the event was sent as raw bytes, not JSON: a test needs a JSON event")
    if recording.status not in ("ok", "error"):
        raise ExportError(f"a {recording.status} run cannot become a test: export a run that answered or raised")
    error_type = str((recording.error or {}).get("errorType", ""))
    if recording.status == "error" and error_type.startswith("Runtime."):
        raise ExportError(f"the handler never ran ({error_type}: {(recording.error or {}).get('errorMessage')}); "
                          "fix that first, then export a run of the handler itself")
    if not Path(spec.code_dir).resolve().is_relative_to(Path(project).resolve()):
        raise ExportError(f"{spec.name} runs code built outside the project ({spec.code_dir}: esbuild, a zip, "
                          "inline code): a test importing it would only work on this machine; write that test "
                          "against the source")
    target_folder = folder or project_tests_folder(project, spec)
    path = target_folder / file_name(spec, label or recording.request_id[:8] or "run")
    if path.exists() and not overwrite:
        raise ExportExists(path)
    text = (python_test if spec.language == "python" else node_test)(spec, recording, target_folder)
    write_atomic(path, text)
    return path


def _settings(spec: FunctionSpec, recording: Recording) -> dict[str, Any]:
    environment: dict[str, Any] = {}
    secrets = []
    for name, value in spec.environment.items():
        if looks_secret(name, str(value)):
            secrets.append(name)
        else:
            environment[name] = mask_url_credentials(str(value))
    region = spec.region or DEFAULT_REGION
    return {
        "function": spec.name, "memory": spec.memory_mb, "timeout": spec.timeout_s, "region": region,
        "arn": spec.arn or f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{spec.name}",
        "environment": environment, "secrets": secrets,
        "request_id": recording.request_id or "00000000-0000-4000-8000-000000000000",
        "volatile": volatile_paths(recording.response, frozenset({recording.request_id} - {""}))
        if recording.status == "ok" else [],
    }


def _relative(target: Path, folder: Path) -> str:
    return Path(os.path.relpath(target, folder)).as_posix()


def _py(value: Any) -> str:
    """A JSON value as a readable Python literal (JSON's true/false/null become True/False/None)."""
    import pprint

    return pprint.pformat(value, width=110, sort_dicts=False)


def _js(value: Any) -> str:
    """A JSON value as a JavaScript literal (JSON is one)."""
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)


def python_test(spec: FunctionSpec, recording: Recording, folder: Path) -> str:
    settings = _settings(spec, recording)
    module, _, function = spec.handler.rpartition(".")
    if recording.status == "ok":
        check = ("    response = json.loads(json.dumps(handler(EVENT, LambdaContext()), default=_lambda_json))\n"
                 "    assert _normalised(response) == _normalised(EXPECTED)\n")
        expected = f"EXPECTED = {_py(recording.response)}\n"
    else:
        check = ("    with pytest.raises(Exception) as raised:\n"
                 "        handler(EVENT, LambdaContext())\n"
                 "    assert type(raised.value).__name__ == EXPECTED_ERROR[\"errorType\"]\n"
                 "    assert str(raised.value) == EXPECTED_ERROR[\"errorMessage\"]\n")
        error = recording.error or {}
        wanted = {"errorType": error.get("errorType"), "errorMessage": error.get("errorMessage")}
        expected = f"EXPECTED_ERROR = {_py(wanted)}\n"
    return PYTHON_TEMPLATE.format(
        function=spec.name, request_id=settings["request_id"], code_dir=_relative(Path(spec.code_dir), folder),
        module=module.replace("/", "."), handler=function, handler_string=spec.handler,
        memory=settings["memory"], timeout=settings["timeout"], arn=settings["arn"], region=settings["region"],
        environment=_py(settings["environment"]), secrets=_py(settings["secrets"]),
        placeholder=_py(SECRET_PLACEHOLDER), volatile=_py(settings["volatile"]),
        event=_py(recording.event), expected=expected, check=check,
        test_name=f"test_{_snake(spec.name)}_{'answers' if recording.status == 'ok' else 'raises'}_as_recorded")


def node_module(spec: FunctionSpec) -> tuple[Path, str]:
    """The handler's file and export name (``app.lambdaHandler`` -> ``app.mjs``/``app.js``/``app.cjs``)."""
    module, _, function = spec.handler.rpartition(".")
    for extension in NODE_EXTENSIONS:
        candidate = Path(spec.code_dir) / f"{module}{extension}"
        if candidate.is_file():
            return candidate, function
    raise ExportError(f"{spec.name}: no {module}.js, .mjs or .cjs in {spec.code_dir} for handler {spec.handler}")


def node_test(spec: FunctionSpec, recording: Recording, folder: Path) -> str:
    settings = _settings(spec, recording)
    file, function = node_module(spec)
    if recording.status == "ok":
        check = ("  const answer = await invoke(handler, EVENT, lambdaContext());\n"
                 "  const response = JSON.parse(JSON.stringify(answer) ?? \"null\"); // as Lambda serialises it\n"
                 f"  const expected = {_js(recording.response)};\n"
                 "  assert.deepStrictEqual(normalised(response), normalised(expected));\n")
    else:
        error = recording.error or {}
        check = ("  await assert.rejects(invoke(handler, EVENT, lambdaContext()), (err) => {\n"
                 f"    assert.strictEqual(errorType(err), {json.dumps(error.get('errorType'))});\n"
                 f"    assert.strictEqual(errorMessage(err), {json.dumps(error.get('errorMessage'))});\n"
                 "    return true;\n  });\n")
    return NODE_TEMPLATE.format(
        function=spec.name, request_id=settings["request_id"], file=_relative(file, folder), export=function,
        handler_string=spec.handler, memory=settings["memory"], timeout=settings["timeout"], arn=settings["arn"],
        region=settings["region"], environment=json.dumps(settings["environment"], ensure_ascii=False),
        secrets=json.dumps(settings["secrets"]), placeholder=json.dumps(SECRET_PLACEHOLDER),
        volatile=json.dumps(settings["volatile"]), event=_js(recording.event), check=check,
        status=recording.status)


PYTHON_TEMPLATE = '''\
"""{function}: a run recorded by svl-tui (request {request_id}), replayed as a plain pytest test.

It imports the handler {handler_string!r}, calls it with the recorded event and a minimal
Lambda-like context, and checks what came back. No svl-tui needed. Values that cannot
repeat (request ids, clocks, UUIDs) are left out of the check: see VOLATILE. Secret
environment variables are not stored here: set them in your environment if the handler needs them.
"""

import importlib
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

CODE_DIR = (Path(__file__).resolve().parent / {code_dir!r}).resolve()
FUNCTION_NAME = {function!r}
MEMORY_MB = {memory!r}
TIMEOUT_S = {timeout!r}
REGION = {region!r}
FUNCTION_ARN = {arn!r}
REQUEST_ID = {request_id!r}
ENVIRONMENT = {environment}
SECRETS = {secrets}  # read from your environment; never exported
VOLATILE = {volatile}  # paths left out of the check ("<json>" steps into a string holding JSON)
EVENT = {event}
{expected}

class LambdaContext:
    """What Lambda's Python runtime gives ``context``, with this run's settings."""

    def __init__(self):
        self.aws_request_id = REQUEST_ID
        self.invoked_function_arn = FUNCTION_ARN
        self.function_name = FUNCTION_NAME
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = str(MEMORY_MB)
        self.log_group_name = "/aws/lambda/" + FUNCTION_NAME
        self.log_stream_name = "2024/01/01/[$LATEST]00000000000000000000000000000000"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + TIMEOUT_S

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _lambda_json(value):
    if isinstance(value, Decimal):  # as Lambda's runtime serialises DynamoDB numbers
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {{type(value).__name__}} is not JSON serializable")


def _normalised(value, path=()):
    if path in VOLATILE:
        return "<volatile>"
    if isinstance(value, dict):
        return {{key: _normalised(item, (*path, key)) for key, item in value.items()}}
    if isinstance(value, list):
        return [_normalised(item, (*path, index)) for index, item in enumerate(value)]
    if isinstance(value, str) and value.lstrip()[:1] in ("{{", "["):
        try:
            return {{"<json>": _normalised(json.loads(value), (*path, "<json>"))}}
        except ValueError:
            return value
    return value


@pytest.fixture
def handler(monkeypatch):
    lambda_env = {{"AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_MB), "AWS_REGION": REGION,
                  "AWS_DEFAULT_REGION": REGION, "LAMBDA_TASK_ROOT": str(CODE_DIR), "_HANDLER": {handler_string!r}}}
    for name, value in {{**lambda_env, **ENVIRONMENT}}.items():
        monkeypatch.setenv(name, value)
    for name in SECRETS:
        monkeypatch.setenv(name, os.environ.get(name, {placeholder}))
    monkeypatch.syspath_prepend(str(CODE_DIR))
    module = importlib.import_module({module!r})
    if getattr(module, "__file__", None) and not Path(module.__file__).resolve().is_relative_to(CODE_DIR):
        del sys.modules[{module!r}]  # another folder's module of the same name was imported first
        module = importlib.import_module({module!r})
    return getattr(module, {handler!r})


def {test_name}(handler):
{check}'''


NODE_TEMPLATE = '''\
// {function}: a run recorded by svl-tui (request {request_id}), replayed as a node:test test.
// It imports the handler "{handler_string}", calls it with the recorded event and a minimal
// Lambda-like context, and checks what came back ({status}). Runs with `node --test` or jest; no
// svl-tui needed. Values that cannot repeat (request ids, clocks, UUIDs) are left out of the
// check: see VOLATILE. Secret environment variables are not stored here: set them yourself.
// Also runs under jest (ESM), which collects its own global `test`, not node:test's.
import assert from "node:assert/strict";

const {{ test }} = typeof globalThis.expect === "function" && typeof globalThis.test === "function"
  ? globalThis : await import("node:test");

const FUNCTION_NAME = "{function}";
const MEMORY_MB = {memory};
const TIMEOUT_S = {timeout};
const REGION = "{region}";
const FUNCTION_ARN = "{arn}";
const REQUEST_ID = "{request_id}";
const ENVIRONMENT = {environment};
const SECRETS = {secrets}; // read from your environment; never exported
const VOLATILE = {volatile}; // paths left out of the check ("<json>" steps into a string holding JSON)
const EVENT = {event};

function lambdaContext() {{
  const deadline = Date.now() + TIMEOUT_S * 1000;
  return {{
    functionName: FUNCTION_NAME, functionVersion: "$LATEST", invokedFunctionArn: FUNCTION_ARN,
    memoryLimitInMB: String(MEMORY_MB), awsRequestId: REQUEST_ID, logGroupName: `/aws/lambda/${{FUNCTION_NAME}}`,
    logStreamName: "2024/01/01/[$LATEST]00000000000000000000000000000000", callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  }};
}}

// async handlers return a promise; callback handlers call back (the first answer counts)
function invoke(handler, event, context) {{
  return new Promise((resolve, reject) => {{
    const callback = (err, value) => (err === undefined || err === null ? resolve(value) : reject(err));
    Object.assign(context, {{ done: callback, succeed: (value) => resolve(value), fail: (err) => reject(err) }});
    try {{
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    }} catch (err) {{
      reject(err);
    }}
  }});
}}

const errorLike = (err) =>
  err instanceof Error || (err && typeof err.name === "string" && typeof err.message === "string");
const errorType = (err) => (errorLike(err) ? err.name || "Error" : typeof err);
const errorMessage = (err) => (errorLike(err) ? String(err.message) : String(err));

function normalised(value, path = []) {{
  if (VOLATILE.some((p) => p.length === path.length && p.every((step, i) => step === path[i]))) return "<volatile>";
  if (Array.isArray(value)) return value.map((item, index) => normalised(item, [...path, index]));
  if (value && typeof value === "object") {{
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalised(item, [...path, key])]));
  }}
  if (typeof value === "string" && /^\\s*[{{[]/.test(value)) {{
    try {{ return {{ "<json>": normalised(JSON.parse(value), [...path, "<json>"]) }}; }} catch {{ return value; }}
  }}
  return value;
}}

Object.assign(process.env, {{
  AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME, AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(MEMORY_MB), AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION,
  _HANDLER: "{handler_string}",
}}, ENVIRONMENT);
for (const name of SECRETS) process.env[name] ??= {placeholder};

test("{function} answers as recorded ({status})", async () => {{
  const module = await import(new URL("{file}", import.meta.url));
  const handler = module["{export}"] ?? module.default?.["{export}"];
  assert.equal(typeof handler, "function", "handler {handler_string} is not exported");
{check}}});
'''
