"""esbuild functions built by svl-tui with the project's own esbuild; ``.aws-sam/build`` (point 5)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from invokers import build
from invokers.build import esbuild
from invokers.discovery import discover
from invokers.engine import Engine
from invokers.reload import Reloader
from tests.files import write
from tests.npm_tools import esbuild_node_modules

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture(scope="session")
def esbuild_modules() -> Path:
    return esbuild_node_modules()


APP_TS = """
    import { greeting } from './lib/greet';

    type Event = { name?: string };

    export const lambdaHandler = async (event: Event): Promise<{ statusCode: number; body: string }> => {
        return { statusCode: 200, body: JSON.stringify({ message: greeting(event.name ?? 'world'), v: VERSION }) };
    };

    export const broken = async (): Promise<never> => {
        throw new Error('from typescript');
    };
"""


def sam_ts_project(root: Path, modules: Path, version: int = 1) -> Path:
    """Laid out as ``sam init``'s hello-ts template: code in hello-world/, esbuild in its node_modules."""
    write(root, "hello-world/app.ts", APP_TS.replace("VERSION", str(version)))
    write(root, "hello-world/lib/greet.ts", "export const greeting = (name: string): string => `hello ${name}`;\n")
    write(root, "hello-world/package.json", '{"name": "hello_world", "dependencies": {"esbuild": "^0.24.0"}}\n')
    (root / "hello-world" / "node_modules").symlink_to(modules, target_is_directory=True)
    write(root, "template.yaml", """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Timeout: 3
        Resources:
          HelloWorldFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: hello-world/
              Handler: app.lambdaHandler
              Runtime: nodejs20.x
            Metadata:
              BuildMethod: esbuild
              BuildProperties:
                Minify: true
                Target: "es2020"
                Sourcemap: true
                External: ["@aws-sdk/*"]
                EntryPoints:
                - app.ts
          BrokenFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: hello-world/
              Handler: app.broken
              Runtime: nodejs20.x
            Metadata:
              BuildMethod: esbuild
              BuildProperties:
                Sourcemap: true
                EntryPoints: [app.ts]
    """)
    return root


async def test_sam_esbuild_function_is_built_and_runs(tmp_path: Path, esbuild_modules: Path) -> None:
    found = discover(sam_ts_project(tmp_path, esbuild_modules))
    assert found.problems == []
    spec = found.get("HelloWorldFunction")
    assert spec is not None and build.is_generated(spec.code_dir) and spec.handler == "app.lambdaHandler"
    assert spec.environment == {"NODE_OPTIONS": "--enable-source-maps"}  # as sam local sets for Sourcemap
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {"name": "ts"})
    assert result.status == "ok", result.error
    assert json.loads(result.response["body"]) == {"message": "hello ts", "v": 1}
    assert (Path(spec.code_dir) / "app.js").is_file() and (Path(spec.code_dir) / "app.js.map").is_file()
    assert not (tmp_path / "hello-world" / "app.js").exists()  # the project folder is left alone


async def test_errors_point_at_the_typescript_source(tmp_path: Path, esbuild_modules: Path) -> None:
    spec = discover(sam_ts_project(tmp_path, esbuild_modules)).get("BrokenFunction")
    assert spec is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.error is not None and result.error["errorMessage"] == "from typescript"
    assert any("hello-world/app.ts:" in frame for frame in result.error["trace"])  # Node's error shape


def test_rebuilds_only_when_an_input_changed(tmp_path: Path, esbuild_modules: Path) -> None:
    spec = discover(sam_ts_project(tmp_path, esbuild_modules)).get("HelloWorldFunction")
    assert spec is not None
    recipe, out = build.recipe_for(spec.code_dir), build.out_dir(spec.code_dir)
    assert recipe is not None and out is not None
    assert esbuild.ensure(recipe, out) is True
    assert esbuild.ensure(recipe, out) is False
    greet = tmp_path / "hello-world" / "lib" / "greet.ts"
    greet.write_text("export const greeting = (name: string): string => `hi ${name}`;\n")
    os.utime(greet, (time.time() + 5, time.time() + 5))
    assert esbuild.ensure(recipe, out) is True  # an imported module is an input too
    assert "hi " in (out / "app.js").read_text()


async def test_build_error_is_reported_like_a_syntax_error(tmp_path: Path, esbuild_modules: Path) -> None:
    sam_ts_project(tmp_path, esbuild_modules)
    write(tmp_path, "hello-world/lib/greet.ts", "export const greeting = (name: string) => {\n  return name +;\n};\n")
    spec = discover(tmp_path).get("HelloWorldFunction")
    assert spec is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and result.error is not None
    assert result.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert result.error["errorMessage"].startswith("esbuild: Unexpected \";\"")
    assert result.error["errorMessage"].endswith("(lib/greet.ts:2:15)")
    greet = (tmp_path / "hello-world" / "lib" / "greet.ts").resolve()
    assert result.error["stackTrace"] == [f'  File "{greet}", line 2, column 15']


async def test_unresolved_import_says_to_install_it(tmp_path: Path, esbuild_modules: Path) -> None:
    sam_ts_project(tmp_path, esbuild_modules)
    write(tmp_path, "hello-world/lib/greet.ts", "import { Logger } from '@aws-lambda-powertools/logger';\n"
                                                 "export const greeting = (name: string) => new Logger() && name;\n")
    spec = discover(tmp_path).get("HelloWorldFunction")
    assert spec is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.error is not None
    message = result.error["errorMessage"]
    assert message.startswith('esbuild: Could not resolve "@aws-lambda-powertools/logger" (lib/greet.ts:1:23)')
    assert "Run 'npm install' there" in message


async def test_save_rebuilds_a_warm_typescript_function(tmp_path: Path, esbuild_modules: Path) -> None:
    root = sam_ts_project(tmp_path, esbuild_modules)
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        spec = reloader.discovery.get("HelloWorldFunction")
        assert spec is not None
        await engine.invoke_collect(spec, {})
        sam_ts_project_version = APP_TS.replace("VERSION", "2")
        write(root, "hello-world/app.ts", sam_ts_project_version)
        event = await reloader.apply([str(root / "hello-world" / "app.ts")])
        assert event is not None and event.ok and event.reloaded == ["BrokenFunction", "HelloWorldFunction"]
        assert engine.is_warm("HelloWorldFunction")  # rebuilt and initialised again at once
        _, result = await engine.invoke_collect(spec, {})
        assert json.loads(result.response["body"])["v"] == 2
        write(root, "hello-world/app.ts", "export const lambdaHandler = async ( => 1;\n")
        event = await reloader.apply([str(root / "hello-world" / "app.ts")])
    assert event is not None and not event.ok
    errors = {error.function: error for error in event.errors}
    assert errors["HelloWorldFunction"].file == "hello-world/app.ts" and errors["HelloWorldFunction"].line == 1
    assert errors["BrokenFunction"].error_type == "Runtime.UserCodeSyntaxError"  # not running, still checked


async def test_serverless_esbuild_plugin(tmp_path: Path, esbuild_modules: Path) -> None:
    write(tmp_path, "src/handler.ts", """
        export const hello = async (event: { n: number }) => ({ doubled: event.n * 2 });
    """)
    (tmp_path / "node_modules").symlink_to(esbuild_modules, target_is_directory=True)
    write(tmp_path, "serverless.yml", """
        service: ts
        provider: {name: aws, runtime: nodejs20.x}
        plugins: [serverless-esbuild]
        custom:
          esbuild: {bundle: true, minify: false, sourcemap: true, exclude: ['@aws-sdk/*'], target: node20}
        functions:
          hello:
            handler: src/handler.hello
    """)
    spec = discover(tmp_path).functions[0]
    assert build.is_generated(spec.code_dir)
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {"n": 21})
    assert result.response == {"doubled": 42}


async def test_missing_esbuild_says_how_to_install_it(tmp_path: Path, esbuild_modules: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    sam_ts_project(tmp_path, esbuild_modules)
    (tmp_path / "hello-world" / "node_modules").unlink()
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("SVL_NODE", os.popen("command -v node").read().strip() or "node")
    spec = discover(tmp_path).get("HelloWorldFunction")
    assert spec is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.error is not None and "esbuild is not installed for" in result.error["errorMessage"]
    assert "run 'npm install' there" in result.error["errorMessage"]


def test_sam_build_output_is_used_and_stale_output_is_flagged(tmp_path: Path) -> None:
    write(tmp_path, "hello_world/app.py", "def handler(e, c):\n    return 'source'\n")
    write(tmp_path, "template.yaml", """
        Resources:
          Hello:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: hello_world/, Handler: app.handler, Runtime: python3.12}
    """)
    built = write(tmp_path, ".aws-sam/build/template.yaml", """
        Resources:
          Hello:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: Hello, Handler: app.handler, Runtime: python3.12}
    """)
    write(tmp_path, ".aws-sam/build/Hello/app.py", "def handler(e, c):\n    return 'built'\n")
    old = time.time() - 100
    for path in (tmp_path / "template.yaml", tmp_path / "hello_world" / "app.py"):
        os.utime(path, (old, old))
    found = discover(tmp_path)
    spec = found.functions[0]
    assert spec.code_dir == str((tmp_path / ".aws-sam" / "build" / "Hello").resolve())
    assert [p.severity for p in found.problems] == ["info"]
    assert "running the 'sam build' output in .aws-sam/build" in found.problems[0].message
    os.utime(built, (old - 100, old - 100))
    stale = discover(tmp_path).problems
    assert any(p.severity == "warning" and "older than" in p.message and "run 'sam build' again" in p.message
               for p in stale)
