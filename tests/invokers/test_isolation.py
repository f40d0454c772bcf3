"""A Python worker imports what Lambda gives it (code root, layers, the project's venv, boto3), nothing of ours."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from invokers import interpreters
from invokers.discovery import discover
from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.runtimes import launch_for
from tests.conftest import MakeFunction
from tests.invokers.test_discovery import write

OWN = f"python{sys.version_info[0]}.{sys.version_info[1]}"  # always installed: svl-tui runs on it

PROBE = """
    import importlib, os, shutil, sys
    def handler(event, context):
        found = {}
        for name in event["modules"]:
            try:
                module = importlib.import_module(name)
            except ImportError as exc:
                found[name] = "missing: " + type(exc).__name__
            else:
                found[name] = getattr(module, "WHERE", None) or getattr(module, "__file__", "")
        return {"found": found, "path": sys.path, "exe": sys.executable,
                "tool": shutil.which("layer-tool") or "", "env": {k: os.environ.get(k) for k in event.get("env", [])}}
"""


async def probe(spec: FunctionSpec, *modules: str, env: tuple[str, ...] = ()) -> dict[str, object]:
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {"modules": list(modules), "env": list(env)})
    assert result.ok, result.error
    return result.response  # type: ignore[no-any-return]


async def test_worker_cannot_import_svl_tuis_own_packages_but_gets_boto3(make_function: MakeFunction,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(sys.path))  # a shell that leaks everything: still nothing
    spec = make_function(PROBE, runtime=OWN)
    answer = await probe(spec, "textual", "yaml", "aws_lambda_powertools", "pytest", "boto3", "botocore",
                         "s3transfer", "dateutil", "invokers", env=("PYTHONPATH", "VIRTUAL_ENV"))
    found = answer["found"]
    assert isinstance(found, dict)
    for ours in ("textual", "yaml", "aws_lambda_powertools", "pytest", "invokers"):
        assert found[ours] == "missing: ModuleNotFoundError", ours
    for bundled in ("boto3", "botocore", "s3transfer", "dateutil"):
        assert "python-sdk" in str(Path(found[bundled]).parent.parent), found[bundled]  # through the links folder
    assert answer["path"][0] == spec.code_dir  # type: ignore[index]
    assert answer["env"] == {"PYTHONPATH": None, "VIRTUAL_ENV": None}


async def test_project_venv_and_its_pth_files_are_importable(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", f"""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {{CodeUri: hello_world/, Handler: app.handler, Runtime: {OWN}}}
    """)
    write(tmp_path, "hello_world/app.py", PROBE)
    site = tmp_path / ".venv" / "lib" / OWN / "site-packages"
    write(tmp_path, ".venv/pyvenv.cfg", "home = /usr/bin\n")
    write(site, "yaml/__init__.py", "WHERE = 'the project venv'\n")
    write(site, "boto3/__init__.py", "WHERE = 'the project pins its own boto3'\n")
    write(tmp_path, "libs/mylib/mylib.py", "WHERE = 'editable install'\n")
    write(site, "__editable__.mylib.pth", str(tmp_path / "libs" / "mylib") + "\n")
    spec = discover(tmp_path).get("Fn")
    assert spec is not None
    answer = await probe(spec, "yaml", "mylib", "boto3", "textual")
    assert answer["found"] == {"yaml": "the project venv", "mylib": "editable install",
                               "boto3": "the project pins its own boto3", "textual": "missing: ModuleNotFoundError"}


async def test_layers_follow_the_code_root_and_lend_bin_to_path(make_function: MakeFunction, tmp_path: Path) -> None:
    # A layer as Lambda unpacks it at /opt: python/, python/lib/pythonX.Y/site-packages, bin/.
    layer = tmp_path / "layer"
    write(layer, "python/shared_util.py", "WHERE = 'layer python/'\n")
    write(layer, f"python/lib/{OWN}/site-packages/layerpkg/__init__.py", "WHERE = 'layer site-packages'\n")
    write(layer, "python/clash.py", "WHERE = 'layer'\n")
    tool = write(layer, "bin/layer-tool", "#!/bin/sh\necho tool\n")
    tool.chmod(0o755)
    spec = make_function(PROBE, runtime=OWN, layers=[str(layer)])
    (Path(spec.code_dir) / "clash.py").write_text("WHERE = 'code root'\n")
    answer = await probe(spec, "shared_util", "layerpkg", "clash")
    assert answer["found"] == {"shared_util": "layer python/", "layerpkg": "layer site-packages", "clash": "code root"}
    assert answer["tool"] == str(tool)
    path = answer["path"]
    assert isinstance(path, list)
    assert path.index(str(layer / "python" / "lib" / OWN / "site-packages")) < path.index(str(layer / "python"))


@pytest.fixture
def only_these_pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine whose only Pythons by name are what the test puts in the returned folder."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", os.pathsep.join((str(folder), "/usr/bin", "/bin")))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "no-uv"))
    for name in [n for n in os.environ if n.startswith("SVL_PYTHON")]:
        monkeypatch.delenv(name)
    return folder


def test_declared_version_found_on_path(only_these_pythons: Path) -> None:
    (only_these_pythons / "python3.13").symlink_to(interpreters.own_interpreter())
    chosen = interpreters.python_for("python3.13")
    assert chosen.path == str(only_these_pythons / "python3.13") and chosen.note == ""


async def test_missing_version_runs_on_the_closest_and_says_so_everywhere(only_these_pythons: Path,
                                                                         tmp_path: Path) -> None:
    (only_these_pythons / "python3.13").symlink_to(interpreters.own_interpreter())
    write(tmp_path, "proj/serverless.yml", """
        provider: {name: aws, runtime: python3.99}
        functions:
          hello: {handler: app.handler}
    """)
    write(tmp_path, "proj/app.py", "def handler(event, context):\n    return 'ran'\n")
    spec = discover(tmp_path / "proj").get("hello")
    assert spec is not None
    assert "python3.99 is not installed here" in spec.runtime_note
    assert "running on Python 3.13" in spec.runtime_note and "SVL_PYTHON3_99" in spec.runtime_note
    assert json.loads(json.dumps(spec.to_dict()))["runtime_note"] == spec.runtime_note  # what list --json prints
    assert launch_for(spec).command[0] == str(only_these_pythons / "python3.13")
    async with Engine() as engine:
        records, cold = await engine.invoke_collect(spec, {})
        _, warm = await engine.invoke_collect(spec, {})
    assert cold.ok and cold.response == "ran"
    assert cold.notes == [spec.runtime_note] and warm.notes == cold.notes
    notes = [r for r in records if r.stream == "platform" and r.level == "WARN"]
    assert [r.message for r in notes] == [f"svl: {spec.runtime_note}"]


def test_pinned_interpreter_variable_wins(only_these_pythons: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (only_these_pythons / "python3.12").symlink_to(interpreters.own_interpreter())
    monkeypatch.setenv("SVL_PYTHON3_12", interpreters.own_interpreter())
    chosen = interpreters.python_for("python3.12")
    own = sys.version_info[:2]
    assert chosen.path == interpreters.own_interpreter() and chosen.found_by == "SVL_PYTHON3_12"
    assert chosen.note == ("" if own == (3, 12) else
                           f"python3.12 runs on Python {own[0]}.{own[1]} ({chosen.path}, set by SVL_PYTHON3_12)")


def test_venv_for_another_version_is_left_out_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, ".venv/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, ".venv/lib/python3.7/site-packages/old.py", "")
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "svl.yaml", f"functions:\n  f:\n    handler: app.handler\n    runtime: {OWN}\n")
    spec = discover(tmp_path).get("f")
    assert spec is not None
    launch = launch_for(spec)
    assert str(tmp_path / ".venv") not in launch.env["SVL_PYTHON_PATH"]
    assert any("is for python3.7" in note and "not used" in note for note in launch.notes)


async def test_missing_dependency_says_where_lambda_gets_it_and_how_to_install_it(tmp_path: Path) -> None:
    # The sam init hello-pt layout: hello_world/requirements.txt lists Powertools, which `sam build` packages.
    write(tmp_path, "template.yaml", f"""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {{CodeUri: hello_world/, Handler: app.handler, Runtime: {OWN}}}
    """)
    write(tmp_path, "hello_world/requirements.txt", "aws-lambda-powertools[tracer]>=2\nrequests\n")
    write(tmp_path, "hello_world/app.py", "from aws_lambda_powertools import Logger\n")
    spec = discover(tmp_path).get("Fn")
    assert spec is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.error == {"errorMessage": "Unable to import module 'app': No module named 'aws_lambda_powertools'",
                            "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    requirements = tmp_path / "hello_world" / "requirements.txt"
    assert result.notes[-1] == (
        f"aws_lambda_powertools is listed in {requirements}: sam build packages it for Lambda; locally a function "
        f"imports from a virtualenv in the project (.venv), so install it there: {OWN} -m venv .venv && "
        f".venv/bin/pip install -r {requirements}")


def test_python_older_than_svl_tuis_boto3_gets_its_own_boto3_or_a_note(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # python3.9 functions (serverless/examples has many): svl-tui's boto3 needs a newer Python than they run on.
    from invokers import python_path

    links, _ = python_path.bundled_sdk()
    monkeypatch.setattr(python_path, "bundled_sdk", lambda: (links, (3, 99)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = FunctionSpec(name="old", source="serverless.yml", runtime="python3.9", handler="h.h", code_dir=str(tmp_path))
    interpreter = interpreters.Interpreter("/usr/bin/python3.9", (3, 9), "PATH")
    before = python_path.python_path(spec, interpreter)
    assert links not in before.entries and python_path.needs_own_boto3(interpreter)
    assert "svl-tui's boto3 needs Python >= 3.99" in before.notes[0] and "'svl-tui sdk install'" in before.notes[0]
    own = python_path.pip_sdk_dir((3, 9))
    (own / "boto3").mkdir(parents=True)  # what 'svl-tui sdk install' leaves (pip --target)
    after = python_path.python_path(spec, interpreter)
    assert after.entries[-1] == str(own) and after.notes == [] and not python_path.needs_own_boto3(interpreter)
