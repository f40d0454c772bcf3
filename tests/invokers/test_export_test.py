"""Runs become tests: the exported pytest and node:test files run with their runners, pass, and fail
once the handler's behaviour changes; the CLI writes them and never overwrites without asking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.export_test import ExportError, ExportExists, Recording, export, project_tests_folder
from invokers.history import History
from invokers.models import FunctionSpec, Result
from tests.files import write

SECRET = "sk_live_do-not-export-1234"

PYTHON_HANDLER = """\
    import datetime, json, os, uuid
    TABLE = os.environ["TABLE"]            # read at import time, as handlers often do
    def handler(event, context):
        if "fail" in event:
            raise ValueError("bad input: " + event["fail"])
        return {"statusCode": 200, "body": json.dumps({
            "message": "hello " + event.get("who", "world"), "table": TABLE, "requestId": context.aws_request_id,
            "id": str(uuid.uuid4()), "at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "memory": context.memory_limit_in_mb, "name": context.function_name,
            "has_time": context.get_remaining_time_in_millis() > 0,
            "secret_set": bool(os.environ.get("API_KEY"))})}
    """

NODE_HANDLER = """\
    export const lambdaHandler = async (event, context) => {
      if (event.fail) throw new TypeError("bad input: " + event.fail);
      return { statusCode: 200, body: JSON.stringify({ message: "hello " + (event.who ?? "world"),
        table: process.env.TABLE, requestId: context.awsRequestId, at: new Date().toISOString(),
        memory: context.memoryLimitInMB, name: context.functionName }) };
    };
    """

CALLBACK_HANDLER = """\
    exports.handler = (event, context, callback) => {
      setTimeout(() => callback(null, { doubled: event.n * 2, region: process.env.AWS_REGION }), 5);
    };
    """


def project_with(tmp_path: Path, code: str, file: str, tests: str | None = "tests") -> Path:
    root = tmp_path / "project"
    write(root, f"hello/{file}", code)
    if tests:
        (root / tests).mkdir(parents=True)
    return root


def spec_for(root: Path, handler: str, runtime: str) -> FunctionSpec:
    return FunctionSpec(name="HelloWorldFunction", source="template.yaml", runtime=runtime, handler=handler,
                        code_dir=str(root / "hello"), memory_mb=256, timeout_s=5,
                        environment={"TABLE": "orders", "API_KEY": SECRET})


async def recorded(spec: FunctionSpec, event: object) -> Result:
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, event)
    return result


def runner(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The project's own runner, from the project folder, with none of svl-tui's paths."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "NODE_PATH", "API_KEY")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def pytest_run(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return runner([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)], cwd)


def node_run(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return runner(["node", "--test", str(path)], cwd)


def stands_alone(text: str) -> None:
    for ours in ("invokers", "event_samples", "svl_tui", "from tui", "import tui"):
        assert ours not in text
    assert SECRET not in text


async def test_python_export_passes_then_fails_when_the_handler_changes(tmp_path: Path) -> None:
    root = project_with(tmp_path, PYTHON_HANDLER, "app.py", tests="tests/unit")
    spec = spec_for(root, "app.handler", "python3.12")
    ok = await recorded(spec, {"who": "ada"})
    failing = await recorded(spec, {"fail": "x"})
    assert ok.ok and failing.status == "error"
    passing_path = export(spec, Recording.of({"who": "ada"}, ok), root, label="ada")
    error_path = export(spec, Recording.of({"fail": "x"}, failing), root, label="bad input")
    assert passing_path == root / "tests/unit/test_hello_world_function_ada.py"
    assert error_path.name == "test_hello_world_function_bad_input.py"
    text = passing_path.read_text()
    stands_alone(text)
    assert "'API_KEY'" in text and "('body', '<json>', 'id')" in text and "('body', '<json>', 'at')" in text

    both = pytest_run(root / "tests", root)
    assert both.returncode == 0, both.stdout + both.stderr
    assert "2 passed" in both.stdout

    write(root, "hello/app.py", PYTHON_HANDLER.replace('"hello "', '"hi "').replace("ValueError", "KeyError"))
    broken = pytest_run(root / "tests", root)
    assert broken.returncode == 1 and "2 failed" in broken.stdout, broken.stdout
    assert "'KeyError' == 'ValueError'" in broken.stdout


async def test_node_export_passes_then_fails_when_the_handler_changes(tmp_path: Path) -> None:
    root = project_with(tmp_path, NODE_HANDLER, "app.mjs", tests=None)
    spec = spec_for(root, "app.lambdaHandler", "nodejs20.x")
    ok = await recorded(spec, {"who": "ada"})
    failing = await recorded(spec, {"fail": "x"})
    path = export(spec, Recording.of({"who": "ada"}, ok), root, label="ada")
    error_path = export(spec, Recording.of({"fail": "x"}, failing), root, label="bad")
    assert path == root / "__tests__/HelloWorldFunction.ada.test.mjs"  # created: the project had no tests folder
    stands_alone(path.read_text())

    passed = node_run(path, root)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert node_run(error_path, root).returncode == 0

    write(root, "hello/app.mjs", NODE_HANDLER.replace('"hello "', '"hi "').replace("TypeError", "RangeError"))
    broken = node_run(path, root)
    assert broken.returncode == 1 and "hi ada" in broken.stdout, broken.stdout
    broken_error = node_run(error_path, root)
    assert broken_error.returncode == 1 and "RangeError" in broken_error.stdout


async def test_node_callback_handler_in_commonjs(tmp_path: Path) -> None:
    root = project_with(tmp_path, CALLBACK_HANDLER, "index.js", tests="tests")
    spec = spec_for(root, "index.handler", "nodejs20.x")
    result = await recorded(spec, {"n": 21})
    assert result.response == {"doubled": 42, "region": "us-east-1"}
    path = export(spec, Recording.of({"n": 21}, result), root)
    assert path.parent == root / "tests"
    done = node_run(path, root)
    assert done.returncode == 0, done.stdout + done.stderr
    write(root, "hello/index.js", CALLBACK_HANDLER.replace("* 2", "* 3"))
    assert node_run(path, root).returncode == 1


def test_the_tests_folder_follows_the_project(tmp_path: Path) -> None:
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "__tests__").mkdir()
    (tmp_path / "hello-world" / "tests").mkdir(parents=True)  # sam init's Node layout: tests beside package.json
    python = FunctionSpec(name="f", source="svl.yaml", runtime="python3.12", handler="app.h",
                          code_dir=str(tmp_path / "hello-world"))
    node = FunctionSpec(name="f", source="svl.yaml", runtime="nodejs20.x", handler="app.h",
                        code_dir=str(tmp_path / "hello-world"))
    assert project_tests_folder(tmp_path, python) == tmp_path / "tests/unit"
    assert project_tests_folder(tmp_path, node) == tmp_path / "hello-world/tests"
    node.code_dir = str(tmp_path / "elsewhere")
    assert project_tests_folder(tmp_path, node) == tmp_path / "__tests__"
    assert project_tests_folder(tmp_path / "none", python) == tmp_path / "none" / "tests"


def test_never_overwrites_and_refuses_what_cannot_be_a_test(tmp_path: Path) -> None:
    spec = spec_for(tmp_path, "app.handler", "python3.12")
    (tmp_path / "hello").mkdir()
    run = Recording({"a": 1}, "ok", {"b": 2}, request_id="0f0e0d0c-aaaa")
    path = export(spec, run, tmp_path)
    path.write_text("# my edits\n")
    with pytest.raises(ExportExists, match="exists already"):
        export(spec, run, tmp_path)
    assert path.read_text() == "# my edits\n"
    assert export(spec, run, tmp_path, overwrite=True) == path and "EXPECTED" in path.read_text()
    with pytest.raises(ExportError, match="a timeout run cannot become a test"):
        export(spec, Recording({}, "timeout"), tmp_path)
    with pytest.raises(ExportError, match="never ran"):
        export(spec, Recording({}, "error", error={"errorType": "Runtime.ImportModuleError",
                                                   "errorMessage": "No module named 'app'"}), tmp_path)
    with pytest.raises(ExportError, match="raw bytes"):
        export(spec, Recording(b"{not json", "error", error={"errorType": "Runtime.UnmarshalError"}), tmp_path)
    with pytest.raises(ExportError, match="built outside the project"):
        export(spec, run, tmp_path / "another-project")
    with pytest.raises(ExportError, match="local Python and Node.js Lambda handlers"):
        export(FunctionSpec(name="x", source="svl.yaml", runtime="provided.al2023", handler="bootstrap"),
               run, tmp_path)


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.entry", *args], capture_output=True, text=True, input=stdin,
                          timeout=90, cwd="/")


def test_cli_export_test_writes_once_then_asks(tmp_path: Path) -> None:
    root = project_with(tmp_path, PYTHON_HANDLER, "app.py")
    write(root, "svl.yaml", """\
        functions:
          HelloWorldFunction:
            handler: hello/app.handler
            environment: {TABLE: orders}
        """)
    done = cli("export-test", "HelloWorldFunction", "--project", str(root), "-d", '{"who": "bo"}', "--name", "bo",
               "--no-aws")
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path == root / "tests/test_hello_world_function_bo.py" and "pytest" in done.stderr
    assert pytest_run(path, root).returncode == 0
    again = cli("export-test", "HelloWorldFunction", "--project", str(root), "-d", '{"who": "bo"}', "--name", "bo",
                "--no-aws")
    assert again.returncode == 2 and "exists already" in again.stderr and "--overwrite" in again.stderr


async def test_node_export_runs_under_jest_too(tmp_path: Path) -> None:
    """sam init's Node.js templates test with jest over __tests__: the exported file must pass there as well,
    not break the project's `npm test` (jest refused a node:test-only file: "must contain at least one test")."""
    from tests.npm_tools import jest_node_modules

    root = project_with(tmp_path, NODE_HANDLER, "app.mjs", tests="__tests__")
    write(root, "package.json", """\
        {"name": "sqs-app", "private": true, "type": "module",
         "scripts": {"test": "node --experimental-vm-modules node_modules/jest/bin/jest.js"},
         "jest": {"testMatch": ["**/__tests__/**/*.mjs"], "moduleFileExtensions": ["mjs", "js"]}}
        """)
    (root / "node_modules").symlink_to(jest_node_modules(), target_is_directory=True)
    spec = spec_for(root, "app.lambdaHandler", "nodejs20.x")
    path = export(spec, Recording.of({"who": "ada"}, await recorded(spec, {"who": "ada"})), root, label="ada")
    jest = ["node", "--experimental-vm-modules", "node_modules/jest/bin/jest.js", "--ci"]
    passed = runner(jest, root)
    assert passed.returncode == 0 and "1 passed" in passed.stderr, passed.stderr
    write(root, "hello/app.mjs", NODE_HANDLER.replace('"hello "', '"hi "'))
    failed = runner(jest, root)
    assert failed.returncode == 1 and "1 failed" in failed.stderr and path.name in failed.stderr


def test_cli_exports_and_reports_a_recorded_run(tmp_path: Path) -> None:
    root = project_with(tmp_path, PYTHON_HANDLER, "app.py")
    write(root, "svl.yaml", """\
        functions:
          HelloWorldFunction:
            handler: hello/app.handler
            environment: {TABLE: orders}
        """)
    for who in ("ada", "bo"):  # recorded in the project's history by the engine
        assert cli("invoke", "HelloWorldFunction", "--project", str(root), "-d", json.dumps({"who": who}),
                   "-q", "--no-aws").returncode == 0
    first = History.for_project(root).load("HelloWorldFunction")[0]
    done = cli("export-test", "HelloWorldFunction", "--project", str(root), "--run", first.request_id[:8], "--no-aws")
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.name == f"test_hello_world_function_{first.request_id[:8]}.py" and "'who': 'ada'" in path.read_text()
    assert pytest_run(path, root).returncode == 0
    report = cli("report", "HelloWorldFunction", "--project", str(root), "--run", "last", "--no-aws")
    assert report.returncode == 0 and '"who": "bo"' in report.stdout and "the history keeps none" in report.stdout
    missing = cli("export-test", "HelloWorldFunction", "--project", str(root), "--run", "nope", "--no-aws")
    assert missing.returncode == 2 and "no recorded run 'nope'" in missing.stderr and first.request_id[:8] in \
        missing.stderr
