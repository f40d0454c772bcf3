"""Layers: local LayerVersions, serverless.yml layers, ARNs fetched with GetLayerVersion (point 4)."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from invokers import build
from invokers.build.layers import fetch_missing, folder_for
from invokers.discovery import discover
from invokers.engine import Engine
from tests.files import write

pytestmark = pytest.mark.usefixtures("own_cache")

ARN = "arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:3"


def sam_project(tmp_path: Path) -> Path:
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "layers/common/python/common.py", "NAME = 'common'\n")
    write(tmp_path, "layers/deps/requirements.txt", "")
    write(tmp_path, "layers/deps/helpers.py", "NAME = 'helpers'\n")
    write(tmp_path, "layers/flat/thing.py", "x = 1\n")
    write(tmp_path, "template.yaml", f"""
        Globals:
          Function:
            Layers: [!Ref CommonLayer]
        Resources:
          CommonLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {{ContentUri: layers/common, CompatibleRuntimes: [python3.12]}}
          DepsLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {{ContentUri: layers/deps}}
            Metadata: {{BuildMethod: python3.12}}
          FlatLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {{ContentUri: layers/flat}}
          Hello:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              Layers:
                - !Ref DepsLayer
                - !Ref FlatLayer
                - {ARN}
                - !Ref NotALayer
    """)
    return tmp_path


def test_sam_local_layers_in_lambda_order_with_sam_build_layout(tmp_path: Path) -> None:
    found = discover(sam_project(tmp_path))
    spec = found.functions[0]
    common, deps, flat, remote = spec.layers
    assert common == str((tmp_path / "layers/common").resolve())  # Globals first, as SAM merges lists
    assert (Path(deps) / "python" / "helpers.py").is_file()  # BuildMethod python: modules under python/
    assert flat == str((tmp_path / "layers/flat").resolve())
    assert remote == str(folder_for(ARN)) and not Path(remote).exists()
    assert build.missing_layers(spec) == [ARN]
    messages = [str(p) for p in found.problems]
    assert any("FlatLayer" in m and "python/" in m and "nodejs/node_modules/" in m for m in messages)
    assert any(ARN in m and "not downloaded yet" in m and "GetLayerVersion" in m for m in messages)
    assert any("NotALayer" in m and "cannot be found locally" in m for m in messages)
    assert all(p.severity == "warning" for p in found.problems)


async def test_python_handler_imports_from_its_layers(tmp_path: Path) -> None:
    sam_project(tmp_path)
    write(tmp_path, "src/app.py", """
        import common, helpers
        def handler(e, c):
            return [common.NAME, helpers.NAME]
    """)
    spec = discover(tmp_path).functions[0]
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.response == ["common", "helpers"], result.error


async def test_invoke_says_which_layer_is_missing(tmp_path: Path) -> None:
    spec = discover(sam_project(tmp_path)).functions[0]
    async with Engine() as engine:
        records, result = await engine.invoke_collect(spec, {})
    assert result.ok
    warnings = [r.message for r in records if r.level == "WARN" and r.stream == "platform"]
    assert warnings == [f"svl: layer {ARN} is missing (not downloaded or not found): the function runs without it"]


def test_serverless_layers_by_ref_and_arn(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "layer/nodejs/node_modules/util/index.js", "module.exports = 1;\n")
    write(tmp_path, "serverless.yml", f"""
        service: s
        provider:
          name: aws
          runtime: python3.12
          layers: [{ARN}]
        layers:
          common-deps:
            path: layer
        functions:
          own:
            handler: handler.hello
            layers:
              - {{Ref: CommonDashdepsLambdaLayer}}
              - {{Ref: Typo}}
          inherited:
            handler: handler.hello
    """)
    found = discover(tmp_path)
    own, inherited = found.functions
    assert own.layers == [str((tmp_path / "layer").resolve())]  # function layers replace provider layers
    assert inherited.layers == [str(folder_for(ARN))]
    messages = [str(p) for p in found.problems]
    assert any("layer Typo is not defined in this file (defined layers: CommonDashdepsLambdaLayer)" in m
               for m in messages)


@pytest.fixture
def layer_server() -> Iterator[str]:
    """A local HTTP server standing in for the S3 address GetLayerVersion returns."""
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as zipped:
        zipped.writestr("python/shared_utils.py", "VERSION = 3\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(payload.getvalue())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/layer.zip"
    server.shutdown()


async def test_layer_arn_is_downloaded_with_get_layer_version(tmp_path: Path, fake_aws_env: None, layer_server: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws
    from moto.awslambda.models import LayerVersion

    from invokers.aws.session import Aws

    original = LayerVersion.get_layer_version

    def with_location(self: LayerVersion) -> dict[str, object]:
        answer = original(self)
        answer["Content"]["Location"] = layer_server  # moto answers "s3://"; AWS gives a presigned URL
        return answer

    monkeypatch.setattr(LayerVersion, "get_layer_version", with_location)
    sam_project(tmp_path)
    with mock_aws():
        import boto3

        client = boto3.client("lambda", region_name="us-east-1")
        for _ in range(3):
            published = client.publish_layer_version(LayerName="shared-utils", Content={"ZipFile": b"PK\x05\x06" +
                                                                                               b"\0" * 18})
        assert published["LayerVersionArn"] == ARN
        spec = discover(tmp_path).functions[0]
        assert fetch_missing([spec], Aws()) == {}
    assert (folder_for(ARN) / "python" / "shared_utils.py").read_text() == "VERSION = 3\n"
    again = discover(tmp_path)
    assert build.missing_layers(again.functions[0]) == []
    assert not any(ARN in str(p) for p in again.problems)
    write(tmp_path, "src/app.py", "import shared_utils\ndef handler(e, c):\n    return shared_utils.VERSION\n")
    async with Engine() as engine:
        records, result = await engine.invoke_collect(again.functions[0], {})
    assert result.response == 3, result.error
    assert not any("missing" in r.message for r in records)


def test_layer_fetch_failure_is_a_message(tmp_path: Path, fake_aws_env: None) -> None:
    from moto import mock_aws

    from invokers.aws.session import Aws

    spec = discover(sam_project(tmp_path)).functions[0]
    with mock_aws():
        failed = fetch_missing([spec], Aws())
    assert list(failed) == [ARN]
    assert failed[ARN].startswith(f"AWS has no layer version {ARN} that this account may use")


async def test_node_layers_as_lambda_mounts_them_and_as_sam_build_lays_them_out(tmp_path: Path) -> None:
    write(tmp_path, "src/app.js", """
        const shared = require('shared-lib');
        const built = require('left-pad-ish');
        exports.handler = async () => [shared.name, built.name];
    """)
    write(tmp_path, "layers/shared/nodejs/node_modules/shared-lib/index.js", "exports.name = 'shared';\n")
    write(tmp_path, "layers/deps/package.json", '{"name": "deps"}\n')  # BuildMethod nodejs: npm install ran here
    write(tmp_path, "layers/deps/node_modules/left-pad-ish/index.js", "exports.name = 'built';\n")
    write(tmp_path, "layers/uninstalled/package.json", '{"name": "later"}\n')
    write(tmp_path, "template.yaml", """
        Resources:
          Shared:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/shared}
          Deps:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/deps}
            Metadata: {BuildMethod: nodejs20.x}
          Uninstalled:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/uninstalled}
            Metadata: {BuildMethod: nodejs20.x}
          Made:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/deps}
            Metadata: {BuildMethod: makefile}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: nodejs20.x
              Layers: [!Ref Shared, !Ref Deps, !Ref Uninstalled, !Ref Made]
    """)
    found = discover(tmp_path)
    spec = found.functions[0]
    assert len(spec.layers) == 2 and (Path(spec.layers[1]) / "nodejs" / "node_modules" / "left-pad-ish").is_dir()
    messages = [str(p) for p in found.problems]
    assert any("Uninstalled is built by 'sam build'" in m and "run 'npm install' in layers/uninstalled" in m
               for m in messages)
    assert any("Made is built by 'sam build' (BuildMethod: makefile)" in m for m in messages)
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.response == ["shared", "built"], result.error
