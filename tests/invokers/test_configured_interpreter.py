"""The interpreter chosen in svl.yaml (``python:`` / ``node:``), and the Node version note."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from invokers import interpreters
from invokers.discovery import discover
from invokers.engine import Engine
from invokers.runtimes import launch_for
from tests.files import write

OWN = f"{sys.version_info[0]}.{sys.version_info[1]}"
NODE = shutil.which("node") or "node"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No interpreter variables of the user's, and a cache of our own (fake binaries must not reach theirs)."""
    for name in [n for n in os.environ if n.startswith("SVL_PYTHON") or n == "SVL_NODE"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    interpreters._choose.cache_clear()


def fake_node(folder: Path, version: str) -> Path:
    """A node that says it is ``version`` and runs the real one otherwise."""
    path = write(folder, f"node{version.lstrip('v').split('.')[0]}", f"""\
        #!/bin/sh
        if [ "$1" = "--version" ]; then echo {version}; exit 0; fi
        exec {NODE} "$@"
    """)
    path.chmod(0o755)
    return path


async def test_python_chosen_per_project_and_per_function(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "bin").mkdir(parents=True)
    (project / "bin" / "py").symlink_to(interpreters.own_interpreter())
    write(project, "svl.yaml", f"""
        python: ./bin/py
        functions:
          shared: {{handler: app.handler, runtime: python{OWN}}}
          own: {{handler: app.handler, runtime: python3.99, python: {interpreters.own_interpreter()}}}
          other: {{handler: app.handler, runtime: python3.98}}
    """)
    write(project, "app.py", "import sys\ndef handler(event, context):\n    return sys.version_info[:2]\n")
    found = discover(project)
    assert found.problems == []
    shared, own, other = (found.get(name) for name in ("shared", "own", "other"))
    assert shared and own and other
    assert shared.interpreter == str(project / "bin" / "py") and shared.interpreter_source == "svl.yaml:2 python"
    assert launch_for(shared).command[0] == str(project / "bin" / "py") and shared.runtime_note == ""
    assert own.interpreter == interpreters.own_interpreter()
    assert own.interpreter_source == "svl.yaml:5 functions.own.python"
    assert own.runtime_note == (f"python3.99 runs on Python {OWN} ({interpreters.own_interpreter()}, "
                                "set in svl.yaml:5 functions.own.python)")
    assert other.runtime_note.startswith("python3.98 runs on Python") and "svl.yaml:2 python" in other.runtime_note
    async with Engine() as engine:
        records, result = await engine.invoke_collect(own, {})
    assert result.ok and result.response == list(sys.version_info[:2])
    assert result.notes == [own.runtime_note]
    assert [r.message for r in records if r.level == "WARN"] == [f"svl: {own.runtime_note}"]


async def test_a_bad_choice_is_an_error_naming_the_file_and_key(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", """
        functions:
          gone: {handler: app.handler, runtime: python3.12, python: ./no/such/python}
          unknown: {handler: app.handler, runtime: python3.12, python: python3.77-not-here}
          js: {handler: app.handler, runtime: nodejs20.x, node: /nope/node}
    """)
    write(tmp_path, "app.py", "def handler(event, context):\n    return 1\n")
    write(tmp_path, "app.js", "exports.handler = async () => 1;\n")
    found = discover(tmp_path)
    gone, unknown, js = (found.get(name) for name in ("gone", "unknown", "js"))
    assert gone and unknown and js
    assert gone.runtime_note.startswith("svl.yaml:3 functions.gone.python: the Python ") and \
        "no/such/python' does not exist" in gone.runtime_note
    assert "svl.yaml:4 functions.unknown.python" in unknown.runtime_note
    assert "'python3.77-not-here' was not found on PATH" in unknown.runtime_note
    assert js.runtime_note.startswith("svl.yaml:5 functions.js.node: the Node.js '/nope/node' does not exist")
    async with Engine() as engine:
        for spec in (gone, js):
            _, result = await engine.invoke_collect(spec, {})
            assert result.status == "error" and result.error is not None
            assert result.error["errorType"] == "Runtime.Unavailable"
            assert result.error["errorMessage"] == spec.runtime_note


def test_an_empty_choice_is_a_problem_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", """
        functions:
          fn: {handler: app.handler, runtime: python3.12, python: ""}
    """)
    write(tmp_path, "app.py", "def handler(event, context):\n    return 1\n")
    found = discover(tmp_path)
    assert found.get("fn") is None
    assert [(p.line, p.field) for p in found.problems] == [(3, "functions.fn.python")]


async def test_node_version_differs_from_the_declared_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """nodejs18.x on the machine's node 20: said in the list, the Result and before START; node: picks another."""
    real = os.popen(f"{NODE} --version").read().strip()
    major = int(real.lstrip("v").split(".")[0])
    declared = f"nodejs{major - 2}.x"
    write(tmp_path, "app.js", "exports.handler = async () => process.version;\n")
    write(tmp_path, "svl.yaml", f"""
        functions:
          older: {{handler: app.handler, runtime: {declared}}}
          pinned: {{handler: app.handler, runtime: {declared}, node: ./bin/node{major - 2}}}
    """)
    fake_node(tmp_path / "bin", f"v{major - 2}.20.4")
    found = discover(tmp_path)
    older, pinned = found.get("older"), found.get("pinned")
    assert older and pinned
    assert older.runtime_note == (f"{declared} runs on Node.js {real} ({NODE}, on PATH); install Node.js "
                                  f"{major - 2} and choose it with SVL_NODE or node: in svl.yaml")
    assert pinned.runtime_note == ""
    async with Engine() as engine:
        records, result = await engine.invoke_collect(older, {})
        _, with_pinned = await engine.invoke_collect(pinned, {})
    assert result.ok and result.notes == [older.runtime_note]
    assert [r.message for r in records if r.level == "WARN"] == [f"svl: {older.runtime_note}"]
    assert with_pinned.ok and with_pinned.notes == []
    monkeypatch.setenv("SVL_NODE", str(tmp_path / "bin" / f"node{major - 2}"))
    assert discover(tmp_path).get("older").runtime_note == ""  # type: ignore[union-attr]


def test_project_choice_applies_to_sam_functions(tmp_path: Path) -> None:
    """A SAM project whose svl.yaml only says which node to use."""
    fake_node(tmp_path / "tools", "v18.19.0")
    write(tmp_path, "svl.yaml", "node: tools/node18\n")
    write(tmp_path, "template.yaml", """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs18.x}
    """)
    write(tmp_path, "src/app.js", "exports.handler = async () => 1;\n")
    found = discover(tmp_path)
    assert found.problems == []
    spec = found.get("Fn")
    assert spec is not None and spec.interpreter == str(tmp_path / "tools" / "node18")
    assert spec.interpreter_source == "svl.yaml:1 node" and spec.runtime_note == ""
    assert launch_for(spec).command[0] == str(tmp_path / "tools" / "node18")
