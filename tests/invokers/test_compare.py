"""Local against deployed: drift from moto's configuration, the twin's name, both runs side by side, the CLI.

What is emulated: moto stores and answers the deployed configuration
(GetFunctionConfiguration, ListFunctions, layers); its Lambda cannot run code
without docker and echoes the event back, so the engine-level test injects
the deployed invoke answer (payload and log tail, as Lambda shapes them) and
the CLI test compares a local handler with moto's echo.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from invokers.aws import deployed, twin
from invokers.aws.session import Aws, AwsError
from invokers.discovery import discover
from invokers.drift import compare_configuration
from invokers.engine import Engine
from invokers.side_by_side import run
from tests.files import write

REGION = "us-east-1"
LOCAL_SECRET = "local-secret-value-7f3a"
DEPLOYED_SECRET = "deployed-secret-value-9c1d"
SHARED_1 = f"arn:aws:lambda:{REGION}:123456789012:layer:shared:1"

pytestmark = pytest.mark.usefixtures("fake_aws_env", "own_cache")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A SAM project with one Python function, as `sam init` lays it out."""
    root = tmp_path / "app"
    write(root, "template.yaml", f"""\
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Timeout: 3
        Resources:
          HelloFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: hello/
              Handler: app.handler
              Runtime: python3.12
              MemorySize: 128
              Layers: [{SHARED_1}]
              Environment:
                Variables:
                  TABLE: orders
                  API_TOKEN: {LOCAL_SECRET}
                  DATABASE_URL: postgres://app:pw-local@db/app
        """)
    write(root, "hello/app.py", """\
        import json, os
        def handler(event, context):
            print("local says hi")
            return {"statusCode": 200,
                    "body": json.dumps({"message": "hello " + event.get("who", "world"), "table": os.environ["TABLE"],
                                        "requestId": context.aws_request_id})}
        """)
    return root


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return e\n")
    return buffer.getvalue()


def deploy(endpoint: str | None = None, name: str = "app-HelloFunction-1A2B3C4D", **overrides: Any) -> None:
    """The deployed twin, different from the template in every compared setting."""
    kwargs = {"region_name": REGION, "endpoint_url": endpoint}
    role = boto3.client("iam", **kwargs).create_role(RoleName=f"role-{time.time_ns()}",
                                                     AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda", **kwargs)
    client.publish_layer_version(LayerName="shared", Content={"ZipFile": _zip()})
    layer = client.publish_layer_version(LayerName="shared", Content={"ZipFile": _zip()})["LayerVersionArn"]
    settings: dict[str, Any] = dict(
        FunctionName=name, Runtime="python3.11", Role=role, Handler="app.main", Code={"ZipFile": _zip()},
        MemorySize=256, Timeout=10, Architectures=["arm64"], Layers=[layer],
        Environment={"Variables": {"TABLE": "orders-prod", "API_TOKEN": DEPLOYED_SECRET, "EXTRA": "1",
                                   "DATABASE_URL": "postgres://app:pw-prod@db/app"}})
    settings.update(overrides)
    client.create_function(**settings)


def local_spec(project: Path):
    return discover(project).get("HelloFunction")


# ---- the twin's name ------------------------------------------------------------------------

def test_twin_name_rules() -> None:
    names = ["other", "app-HelloFunction-1A2B3C4D", "svc-dev-hello", "HelloFunctionTwo-x"]
    assert twin.twin_name("HelloFunction", names) == "app-HelloFunction-1A2B3C4D"
    assert twin.twin_name("hello", names) == "svc-dev-hello"  # serverless: <service>-<stage>-<name>
    assert twin.twin_name("other", names) == "other"
    with pytest.raises(AwsError, match="--deployed-name"):
        twin.twin_name("Missing", names)
    with pytest.raises(AwsError, match="several deployed functions may be HelloFunction: a-HelloFunction-1, "
                                       "app-HelloFunction-1A2B3C4D"):
        twin.twin_name("HelloFunction", [*names, "a-HelloFunction-1"])


# ---- drift -------------------------------------------------------------------------------------

async def test_drift_names_every_setting_that_differs_and_masks_secrets(project: Path) -> None:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy()
        config = await twin.configuration(Aws(), local_spec(project))
    found = compare_configuration(local_spec(project), config)
    by_setting = {item.setting: item for item in found.items}
    assert found.deployed_name == "app-HelloFunction-1A2B3C4D"
    assert {item.setting for item in found.drifted} == {
        "runtime", "handler", "memory", "timeout", "architecture", "env TABLE", "env API_TOKEN", "env EXTRA",
        "env DATABASE_URL", "layers"}
    assert (by_setting["runtime"].local, by_setting["runtime"].deployed) == ("python3.12", "python3.11")
    assert (by_setting["memory"].local, by_setting["memory"].deployed) == ("128 MB", "256 MB")
    assert (by_setting["timeout"].local, by_setting["timeout"].deployed) == ("3 s", "10 s")
    assert by_setting["architecture"].deployed == "arm64" and by_setting["handler"].deployed == "app.main"
    token = by_setting["env API_TOKEN"]
    assert (token.local, token.deployed, token.note) == ("****", "****", "secret values differ (both masked)")
    assert by_setting["env DATABASE_URL"].deployed == "postgres://app:****@db/app"
    assert by_setting["env EXTRA"].local == "(not set)"
    assert by_setting["env DATABASE_URL"].note == "they differ in a masked part (a URL's password)"
    assert (by_setting["layers"].local, by_setting["layers"].deployed) == ("shared:1", "shared:2")
    assert by_setting["layers"].note == "not deployed: shared:1"
    shown = json.dumps(found.to_dict())
    for secret in (LOCAL_SECRET, DEPLOYED_SECRET, "pw-local", "pw-prod"):
        assert secret not in shown


async def test_no_drift_when_the_deployed_function_matches(project: Path) -> None:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy(name="HelloFunction", Runtime="python3.12", Handler="app.handler", MemorySize=128, Timeout=3,
               Architectures=["x86_64"], Layers=[SHARED_1],
               Environment={"Variables": {"TABLE": "orders", "API_TOKEN": LOCAL_SECRET,
                                          "DATABASE_URL": "postgres://app:pw-local@db/app"}})
        config = await twin.configuration(Aws(), local_spec(project))
    found = compare_configuration(local_spec(project), config)
    assert found.drifted == [] and not found.to_dict()["drift"]


# ---- both runs side by side ------------------------------------------------------------------------

def lambda_answer(payload: Any, *, error: bool = False) -> dict[str, Any]:
    """What Lambda's Invoke API returns with LogType=Tail."""
    rid = "8f0e3c1a-1111-4222-8333-444455556666"
    tail = (f"START RequestId: {rid} Version: $LATEST\ndeployed says hi\nEND RequestId: {rid}\n"
            f"REPORT RequestId: {rid}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\t"
            "Max Memory Used: 48 MB\tInit Duration: 210.50 ms\t\n")
    answer = {"StatusCode": 200, "ResponseMetadata": {"RequestId": rid}, "ExecutedVersion": "$LATEST",
              "LogResult": base64.b64encode(tail.encode()).decode(),
              "Payload": io.BytesIO(json.dumps(payload).encode())}
    if error:
        answer["FunctionError"] = "Unhandled"
    return answer


async def test_side_by_side_diffs_responses_and_keeps_both_logs(project: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    sent: list[bytes] = []

    def fake_invoke(aws: Aws, spec: Any, payload: bytes, *rest: Any) -> dict[str, Any]:
        sent.append(payload)
        body = {"message": "hello ada", "table": "orders-prod", "requestId": "8f0e3c1a"}
        return lambda_answer({"statusCode": 200, "body": json.dumps(body)})

    monkeypatch.setattr(deployed, "_invoke", fake_invoke)
    local = local_spec(project)
    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy()
        aws = Aws()
        config = await twin.configuration(aws, local)
        async with Engine(aws=aws) as engine:
            found = await run(engine, local, twin.deployed_spec(config, REGION), {"who": "ada"}, config)
    assert json.loads(sent[0]) == {"who": "ada"}
    assert [(c.kind, c.path, c.left, c.right) for c in found.diff.changes] == [
        ("changed", "$.body<json>.table", "orders", "orders-prod")]
    assert found.diff.ignored == ["$.body<json>.requestId"]
    assert not found.same and found.local.result.ok and found.deployed.result.ok
    assert found.deployed.result.duration_ms == 12.34 and found.deployed.result.init_ms == 210.5
    assert any(r.message == "local says hi" for r in found.local.records)
    assert any(r.message == "deployed says hi" for r in found.deployed.records)
    assert found.drift is not None and found.drift.drifted
    document = json.dumps(found.to_dict())
    assert DEPLOYED_SECRET not in document and LOCAL_SECRET not in document


async def test_side_by_side_compares_errors_without_their_stacks(project: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    write(project, "hello/app.py", """\
        def handler(event, context):
            raise KeyError("who")
        """)
    answer = {"errorMessage": "'who'", "errorType": "KeyError", "stackTrace": ['  File "/var/task/app.py", line 2']}
    monkeypatch.setattr(deployed, "_invoke", lambda *args: lambda_answer(answer, error=True))
    local = local_spec(project)
    remote = twin.deployed_spec({"FunctionName": "app-HelloFunction-1", "Runtime": "python3.12"}, REGION)
    async with Engine(aws=Aws()) as engine:
        found = await run(engine, local, remote, {})
    assert found.local.result.status == found.deployed.result.status == "error"
    assert found.same and found.drift is None


# ---- the CLI, against moto's server ------------------------------------------------------------------

def cli(*args: str, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "tui.entry", *args], capture_output=True, text=True, env=env,
                          input="", timeout=90, cwd="/")


def test_cli_drift_and_compare(project: Path, moto_server: str) -> None:
    deploy(endpoint=moto_server)
    drift = cli("drift", "HelloFunction", "--project", str(project), endpoint=moto_server)
    assert drift.returncode == 1, drift.stderr
    assert "python3.12" in drift.stdout and "python3.11" in drift.stdout and "secret values differ" in drift.stdout
    as_json = json.loads(cli("drift", "HelloFunction", "--project", str(project), "--json",
                             endpoint=moto_server).stdout)
    assert as_json["deployed"] == "app-HelloFunction-1A2B3C4D" and as_json["drift"]
    for output in (drift.stdout, json.dumps(as_json)):
        assert LOCAL_SECRET not in output and DEPLOYED_SECRET not in output

    refused = cli("compare", "HelloFunction", "--project", str(project), "-d", "{}", endpoint=moto_server)
    assert refused.returncode == 2 and "pass --yes" in refused.stderr

    # moto's Lambda echoes the event: the local handler's API Gateway answer differs from it in shape
    compared = cli("compare", "HelloFunction", "--project", str(project), "-d", '{"who": "ada"}', "--yes",
                   endpoint=moto_server)
    assert compared.returncode == 1, compared.stderr
    assert "- $.statusCode: 200 (only local)" in compared.stdout and "+ $.who" in compared.stdout
    assert "local logs" in compared.stdout and "│" in compared.stdout and "local says hi" in compared.stdout
    document = json.loads(cli("compare", "HelloFunction", "--project", str(project), "-d", '{"who": "ada"}',
                              "--yes", "--json", endpoint=moto_server).stdout)
    assert document["deployed"]["result"]["response"] == {"who": "ada"}
    assert {c["path"] for c in document["diff"]["changes"]} == {"$.statusCode", "$.body", "$.who"}

    missing = cli("drift", "HelloFunction", "--project", str(project), "--deployed-name", "ghost",
                  endpoint=moto_server)
    assert missing.returncode == 2 and "ghost" in missing.stderr and "Traceback" not in missing.stderr
