"""Node functions get the AWS SDK their Lambda runtime bundles: after their own node_modules and layers, once
installed with the user's consent (real npm installs into a session cache), explained until then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from invokers import node_sdk
from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.runtimes import BOOTSTRAP_DIR
from tests.conftest import MakeFunction
from tests.invokers.test_discovery import write

SMALL = "@aws-sdk/util-locate-window"  # a real v3 package Lambda bundles, with one dependency (tslib): fast to install
HANDLER = f"""
    const {{ locateWindow }} = require("{SMALL}");
    const where = require.resolve("{SMALL}");
    exports.handler = async () => ({{ window: typeof locateWindow(), where, marker: require("{SMALL}").MARKER }});
"""


@pytest.fixture(scope="session")
def installed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder where ``svl-tui sdk install`` really fetched SMALL from the npm registry (once per run)."""
    cache = tmp_path_factory.mktemp("svl-cache")
    done = subprocess.run([sys.executable, "-m", "tui.entry", "sdk", "install", SMALL], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    assert done.returncode == 0, done.stderr
    assert (cache / "svl-tui" / "node-sdk" / "v3" / "node_modules" / SMALL / "package.json").is_file()
    return cache


@pytest.fixture
def with_sdk(installed_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(installed_cache))
    yield installed_cache


@pytest.fixture
def without_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    return tmp_path / "empty-cache"


async def test_missing_bundled_sdk_explains_itself_until_installed(without_sdk: Path,
                                                                  make_function: MakeFunction) -> None:
    spec = make_function(HANDLER, ext=".js")
    assert node_sdk.missing_packages(spec) == [SMALL]
    async with Engine() as engine:
        records, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and result.error is not None
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert str(BOOTSTRAP_DIR) not in result.error["errorMessage"]  # no svl-tui file in the require stack
    assert result.missing_sdk == [SMALL]
    note = result.notes[-1]
    assert "Lambda's nodejs20.x runtime bundles" in note and "svl-tui sdk install" in note and "--install-sdk" in note
    assert f"svl: {note}" in [r.message for r in records if r.stream == "platform"]


async def test_installed_sdk_resolves_after_own_node_modules_and_layers(with_sdk: Path, make_function: MakeFunction,
                                                                        tmp_path: Path) -> None:
    from_cache = make_function(HANDLER, ext=".js", name="cache")
    layer = tmp_path / "layer"
    write(layer, f"nodejs/node_modules/{SMALL}/package.json", '{"name": "x", "main": "index.js"}')
    write(layer, f"nodejs/node_modules/{SMALL}/index.js",
          "exports.locateWindow = () => ({}); exports.MARKER = 'layer';")
    from_layer = make_function(HANDLER, ext=".js", name="layer", layers=[str(layer)])
    own = make_function(HANDLER, ext=".js", name="own", layers=[str(layer)])
    write(Path(own.code_dir), f"node_modules/{SMALL}/package.json", '{"name": "x", "main": "index.js"}')
    write(Path(own.code_dir), f"node_modules/{SMALL}/index.js",
          "exports.locateWindow = () => ({}); exports.MARKER = 'own';")
    assert node_sdk.missing_packages(from_cache) == []
    async with Engine() as engine:
        results = {spec.name: (await engine.invoke_collect(spec, {}))[1] for spec in (from_cache, from_layer, own)}
    assert all(r.ok for r in results.values()), {n: r.error for n, r in results.items()}
    cached = results["cache"].response
    assert cached["window"] == "object" and str(with_sdk) in cached["where"] and "marker" not in cached
    assert results["layer"].response["marker"] == "layer"
    assert results["own"].response["marker"] == "own"


def test_node16_gets_sdk_v2_and_install_refuses_other_packages(without_sdk: Path) -> None:
    spec = FunctionSpec(name="old", source="template.yaml", runtime="nodejs16.x", handler="app.handler")
    error = {"errorMessage": "Error: Cannot find module 'aws-sdk'\nRequire stack:"}
    packages, note = node_sdk.missing_note(spec, error)
    assert packages == ["aws-sdk"] and "AWS SDK for JavaScript v2" in note
    assert node_sdk.sdk_dir("nodejs16.x").name == "v2" and node_sdk.sdk_dir("nodejs22.x").name == "v3"
    refused = node_sdk.install(["left-pad"], "nodejs20.x")
    assert not refused.ok and "not part of the SDK" in refused.message
    assert not (without_sdk / "svl-tui" / "node-sdk").exists()


def test_sdk_status_and_invoke_install_sdk_from_the_cli(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    write(project, "template.yaml", """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x}
    """)
    write(project, "src/app.js", HANDLER)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "fresh-cache")}

    def svl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tui.entry", *args], cwd=project, capture_output=True, text=True,
                              timeout=300, env=env)

    status = svl("sdk", "status")
    assert status.returncode == 0 and f"Fn: {SMALL}" in status.stdout
    invoked = svl("invoke", "Fn", "--install-sdk", "-q")  # consent given: npm installs it, then the invoke runs
    assert invoked.returncode == 0, invoked.stderr
    assert f"installing {SMALL}" in invoked.stderr and json.loads(invoked.stdout)["window"] == "object"
    assert "Every AWS SDK package" in svl("sdk", "status").stdout


async def test_es_module_handlers_import_the_sdk_and_layer_packages_too(with_sdk: Path, make_function: MakeFunction,
                                                                        tmp_path: Path) -> None:
    # ESM ignores NODE_PATH, but on Lambda an index.mjs imports the bundled SDK (the sam init 'web' template does).
    layer = tmp_path / "layer"
    write(layer, "nodejs/node_modules/layer-lib/package.json", '{"name": "layer-lib", "main": "index.js"}')
    write(layer, "nodejs/node_modules/layer-lib/index.js", "exports.from = 'layer';")
    spec = make_function(f"""
        import {{ locateWindow }} from "{SMALL}";
        import lib from "layer-lib";
        export const handler = async () => ({{ window: typeof locateWindow(), layer: lib.from }});
    """, ext=".mjs", layers=[str(layer)])
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    assert result.response == {"window": "object", "layer": "layer"}


def test_sdk_v2_on_a_v3_runtime_is_a_real_error_and_says_so() -> None:
    spec = FunctionSpec(name="todos", source="serverless.yml", runtime="nodejs18.x", handler="todos/list.list")
    packages, note = node_sdk.missing_note(spec, {"errorMessage": "Error: Cannot find module 'aws-sdk'"})
    assert packages == [] and "bundles the AWS SDK v3 (@aws-sdk/*) only" in note and "fails when deployed" in note
