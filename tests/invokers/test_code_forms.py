"""Code forms that end up as a plain code folder: inline code, zips, nested templates, custom runtimes (point 6)."""

from __future__ import annotations

import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from invokers import build
from invokers.discovery import discover
from invokers.engine import Engine
from tests.files import write

pytestmark = pytest.mark.usefixtures("own_cache")


def make_zip(path: Path, files: dict[str, tuple[str, int]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zipped:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | mode) << 16
            zipped.writestr(info, text)


async def test_inline_code_python_and_node(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", """
        Resources:
          PyInline:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: |
                def handler(event, context):
                    return {"inline": "python", "got": event}
          JsInline:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: nodejs20.x
              Handler: index.handler
              InlineCode: |
                exports.handler = async (event) => ({inline: "node", file: __filename.split("/").pop()});
    """)
    found = discover(tmp_path)
    assert found.problems == []
    python, node = found.functions
    assert build.is_generated(python.code_dir) and python.handler == "index.handler"
    async with Engine() as engine:
        _, result = await engine.invoke_collect(python, {"a": 1})
        assert result.response == {"inline": "python", "got": {"a": 1}}
        _, result = await engine.invoke_collect(node, {})
        assert result.response == {"inline": "node", "file": "index.js"}


async def test_zip_code_uri_is_extracted_and_extracted_again_when_it_changes(tmp_path: Path) -> None:
    archive = tmp_path / "dist" / "function.zip"
    make_zip(archive, {"app.py": ("def handler(e, c):\n    return 'v1'\n", 0o644)})
    write(tmp_path, "template.yaml", """
        Resources:
          Zipped:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: dist/function.zip, Handler: app.handler, Runtime: python3.12}
    """)
    spec = discover(tmp_path).functions[0]
    assert Path(spec.code_dir).is_relative_to(build.root())
    async with Engine() as engine:
        assert (await engine.invoke_collect(spec, {}))[1].response == "v1"
        make_zip(archive, {"app.py": ("def handler(e, c):\n    return 'v2'\n", 0o644)})
        os.utime(archive, (1, 1))  # a different mtime even on a coarse clock
        await engine.recycle(spec.name)
        assert (await engine.invoke_collect(spec, {}))[1].response == "v2"


async def test_zip_that_escapes_its_folder_is_refused(tmp_path: Path) -> None:
    make_zip(tmp_path / "bad.zip", {"../evil.py": ("x = 1\n", 0o644)})
    write(tmp_path, "template.yaml", """
        Resources:
          Bad:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: bad.zip, Handler: app.handler, Runtime: python3.12}
    """)
    spec = discover(tmp_path).functions[0]
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and "points outside the archive's folder" in result.error["errorMessage"]
    assert not (tmp_path / "evil.py").exists()


def test_s3_code_uri_and_missing_zip_are_clear_errors(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", """
        Resources:
          Remote:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: {Bucket: b, Key: k}, Handler: app.handler, Runtime: python3.12}
          Gone:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: gone.zip, Handler: app.handler, Runtime: python3.12}
    """)
    found = discover(tmp_path)
    assert found.functions == []
    first, second = found.errors
    assert "CodeUri points at S3" in first.message and first.line == 5
    assert "CodeUri gone.zip does not exist" in second.message


async def test_nested_application_functions_are_named_child_slash_function(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", """
        Parameters:
          Stage: {Type: String, Default: dev}
        Resources:
          Orders:
            Type: AWS::Serverless::Application
            Properties:
              Location: ./orders/template.yaml
              Parameters:
                TableName: !Sub 'orders-${Stage}'
          Remote:
            Type: AWS::Serverless::Application
            Properties:
              Location: {ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/x,
                         SemanticVersion: 1.0.0}
    """)
    write(tmp_path, "orders/template.yaml", """
        Parameters:
          TableName: {Type: String}
        Resources:
          Create:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              Environment: {Variables: {TABLE: !Ref TableName}}
    """)
    write(tmp_path, "orders/src/app.py", "import os\ndef handler(e, c):\n    return os.environ['TABLE']\n")
    found = discover(tmp_path)
    spec = found.get("Orders/Create")
    assert spec is not None and spec.environment == {"TABLE": "orders-dev"}
    assert spec.code_dir == str((tmp_path / "orders" / "src").resolve())
    assert any("Remote is not a local template" in str(p) for p in found.problems)
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.response == "orders-dev"


BOOTSTRAP = f"""#!{sys.executable}
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(response.read())
    print("custom runtime got", event, flush=True)
    body = json.dumps({{"handler": os.environ["_HANDLER"], "echo": event}}).encode()
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=body, method="POST")).read()
"""


@pytest.mark.parametrize("packaging", ["folder", "zip"])
async def test_provided_runtime_runs_an_executable_bootstrap(tmp_path: Path, packaging: str) -> None:
    if packaging == "folder":
        bootstrap = write(tmp_path, "bin/bootstrap", BOOTSTRAP)
        bootstrap.chmod(0o755)
        code_uri = "bin/"
    else:
        make_zip(tmp_path / "dist" / "go.zip", {"bootstrap": (BOOTSTRAP, 0o755)})
        code_uri = "dist/go.zip"
    write(tmp_path, "template.yaml", f"""
        Resources:
          Custom:
            Type: AWS::Serverless::Function
            Properties: {{CodeUri: {code_uri}, Handler: bootstrap, Runtime: provided.al2023,
                         Architectures: [x86_64]}}
    """)
    found = discover(tmp_path)
    assert found.problems == []
    spec = found.functions[0]
    assert spec.language == "provided"
    async with Engine() as engine:
        records, result = await engine.invoke_collect(spec, {"n": 1})
    assert result.status == "ok", result.error
    assert result.response == {"handler": "bootstrap", "echo": {"n": 1}}
    assert any("custom runtime got {'n': 1}" in r.message for r in records)


async def test_layer_from_a_sibling_nested_stack_output(tmp_path: Path) -> None:
    """As aws-samples' lambda-layer-ssm-parameters: one nested stack outputs its layer, another uses it."""
    write(tmp_path, "template.yaml", """
        Resources:
          Layer:
            Type: AWS::Serverless::Application
            Properties: {Location: ./layer/template.yml, Parameters: {AppName: demo}}
          Function:
            Type: AWS::Serverless::Application
            Properties:
              Location: ./function/template.yml
              Parameters:
                LayerArn: !GetAtt Layer.Outputs.LayerArn
    """)
    write(tmp_path, "layer/template.yml", """
        Parameters:
          AppName: {Type: String}
        Resources:
          Layer:
            Type: AWS::Serverless::LayerVersion
            Properties: {LayerName: !Sub '${AppName}-layer', ContentUri: ./src}
        Outputs:
          LayerArn: {Value: !Ref Layer}
    """)
    write(tmp_path, "layer/src/nodejs/node_modules/config-reader/index.js", "exports.read = () => 'from layer';\n")
    write(tmp_path, "function/template.yml", """
        Parameters:
          LayerArn: {Type: String}
        Resources:
          Function:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./src, Handler: app.handler, Runtime: nodejs20.x, Layers: [!Ref LayerArn]}
    """)
    write(tmp_path, "function/src/app.js", "exports.handler = async () => require('config-reader').read();\n")
    found = discover(tmp_path)
    assert found.problems == []
    spec = found.get("Function/Function")
    assert spec is not None and spec.layers == [str((tmp_path / "layer" / "src").resolve())]
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.response == "from layer", result.error


def test_custom_runtime_that_sam_build_compiles_says_so(tmp_path: Path) -> None:
    write(tmp_path, "Cargo.toml", "[package]\nname = 'consumer'\n")
    write(tmp_path, "template.yaml", """
        Globals:
          Function: {Runtime: provided.al2023, Architectures: [arm64]}
        Resources:
          QueueConsumerFunction:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: .}
            Metadata: {BuildMethod: rust-cargolambda}
    """)
    found = discover(tmp_path)
    assert found.functions[0].handler == "bootstrap"
    (problem,) = found.problems
    assert problem.severity == "warning" and "BuildMethod: rust-cargolambda" in problem.message
    assert "run 'sam build'" in problem.message


async def test_saving_a_zip_or_a_layer_reloads_the_functions_that_use_it(tmp_path: Path) -> None:
    from invokers.reload import Reloader

    archive = tmp_path / "dist" / "fn.zip"
    make_zip(archive, {"app.py": ("import shared\ndef handler(e, c):\n    return ['v1', shared.V]\n", 0o644)})
    write(tmp_path, "layers/shared/python/shared.py", "V = 'layer1'\n")
    write(tmp_path, "template.yaml", """
        Resources:
          Shared:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/shared}
          Zipped:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: dist/fn.zip, Handler: app.handler, Runtime: python3.12, Layers: [!Ref Shared]}
          Other:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: dist/fn.zip, Handler: app.handler, Runtime: python3.12}
    """)
    async with Engine() as engine:
        reloader = Reloader(tmp_path, engine)
        spec = reloader.discovery.get("Zipped")
        assert spec is not None
        assert (await engine.invoke_collect(spec, {}))[1].response == ["v1", "layer1"]
        make_zip(archive, {"app.py": ("import shared\ndef handler(e, c):\n    return ['v2', shared.V]\n", 0o644)})
        os.utime(archive, (1, 1))
        event = await reloader.apply([str(archive)])
        assert event is not None and event.reloaded == ["Other", "Zipped"]
        assert (await engine.invoke_collect(spec, {}))[1].response == ["v2", "layer1"]
        write(tmp_path, "layers/shared/python/shared.py", "V = 'layer2'\n")
        event = await reloader.apply([str(tmp_path / "layers" / "shared" / "python" / "shared.py")])
        assert event is not None and event.reloaded == ["Zipped"]  # Other does not use the layer
        assert (await engine.invoke_collect(spec, {}))[1].response == ["v2", "layer2"]
