"""The real Azure Functions packages for the tests, installed the way a user installs them.

``@azure/functions`` comes from npm (``npm install`` of the Node example's own
package.json) and ``azure-functions`` from PyPI (``pip install -r
requirements.txt`` into a virtualenv, the project's ``.venv``). Both are
installed once into a cache folder (``SVL_TEST_CACHE``, else
``~/.cache/svl-tui/tests``) keyed by the example's dependency file, then linked
into each test project as its ``node_modules`` / ``.venv``. Installs go to a
temporary folder renamed into place, so parallel test runs never see half an
install. Nothing is mocked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from invokers.discovery import discover
from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord, Result
from tests.state import user_cache_home

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NODE_EXAMPLE = EXAMPLES / "azure-node-v4"
PYTHON_EXAMPLE = EXAMPLES / "azure-python-v2"
INSTALL_TIMEOUT_S = 300


def spec_of(root: Path, name: str) -> FunctionSpec:
    """The discovered function ``name`` of the app at ``root`` (failing with what was found instead)."""
    found = discover(root)
    spec = found.get(name)
    assert spec is not None, (found.functions, found.problems)
    return spec


async def run(engine: Engine, spec: FunctionSpec, event: Any) -> tuple[list[LogRecord], Result]:
    """Invoke and insist on success, showing the error and logs when it is not."""
    records, result = await engine.invoke_collect(spec, event)
    assert result.ok, (result.error, [r.message for r in records])
    return records, result


def logged(records: list[LogRecord]) -> list[str]:
    """What the function itself logged (platform lines left out)."""
    return [r.message for r in records if r.stream != "platform"]


def cache_root() -> Path:
    return Path(os.environ.get("SVL_TEST_CACHE") or user_cache_home() / "svl-tui" / "tests")


def _cached(name: str, key_file: Path, install: Callable[[Path], None]) -> Path:
    """A folder made once by ``install`` for this content of ``key_file``, shared by later runs."""
    key = hashlib.sha256(key_file.read_bytes() + sys.version.encode()).hexdigest()[:16]
    target = cache_root() / f"{name}-{key}"
    if (target / ".complete").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=target.parent))
    install(staging)
    (staging / ".complete").write_text("ok\n")
    try:
        staging.rename(target)
    except OSError:  # another run finished first: use its copy
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _npm_install(folder: Path) -> None:
    shutil.copy(NODE_EXAMPLE / "package.json", folder / "package.json")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True,
                   timeout=INSTALL_TIMEOUT_S, stdin=subprocess.DEVNULL, capture_output=True)


def _pip_install(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True, timeout=INSTALL_TIMEOUT_S)
    subprocess.run([str(folder / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "-r", str(PYTHON_EXAMPLE / "requirements.txt")],
                   check=True, timeout=INSTALL_TIMEOUT_S, stdin=subprocess.DEVNULL, capture_output=True)


def node_modules() -> Path:
    """``node_modules`` with the real ``@azure/functions`` 4.x from npm (also used by the benchmarks)."""
    return _cached("azure-node", NODE_EXAMPLE / "package.json", _npm_install) / "node_modules"


def python_venv() -> Path:
    """A virtualenv with the real ``azure-functions`` from PyPI (also used by the benchmarks)."""
    return _cached("azure-python", PYTHON_EXAMPLE / "requirements.txt", _pip_install) / "venv"


@pytest.fixture(scope="session")
def azure_node_modules() -> Path:
    return node_modules()


@pytest.fixture(scope="session")
def azure_python_venv() -> Path:
    return python_venv()


NodeApp = Callable[..., Path]


@pytest.fixture
def node_app(tmp_path: Path, azure_node_modules: Path) -> NodeApp:
    """A v4 app: the example's host.json / package.json / local.settings.json, the given source files."""

    def make(files: dict[str, str] | None = None, *, example: bool = False, main: str | None = None) -> Path:
        root = tmp_path / "app"
        if example:
            shutil.copytree(NODE_EXAMPLE, root, ignore=shutil.ignore_patterns("node_modules"))
        else:
            root.mkdir()
            for name in ("host.json", "package.json", "local.settings.json"):
                shutil.copy(NODE_EXAMPLE / name, root / name)
        if main is not None:
            text = (root / "package.json").read_text().replace('"src/functions/*.js"', f'"{main}"')
            (root / "package.json").write_text(text)
        for name, text in (files or {}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        (root / "node_modules").symlink_to(azure_node_modules)
        return root

    return make


PythonApp = Callable[..., Path]


@pytest.fixture
def python_app(tmp_path: Path, azure_python_venv: Path) -> PythonApp:
    """A v2 app with its own ``.venv`` holding ``azure-functions``: the example, or the given files."""

    def make(files: dict[str, str] | None = None, *, example: bool = False, venv: bool = True) -> Path:
        root = tmp_path / "pyapp"
        if example:
            shutil.copytree(PYTHON_EXAMPLE, root, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        else:
            root.mkdir()
            for name in ("host.json", "requirements.txt", "local.settings.json"):
                shutil.copy(PYTHON_EXAMPLE / name, root / name)
        for name, text in (files or {}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        if venv:
            (root / ".venv").symlink_to(azure_python_venv)
        return root

    return make
