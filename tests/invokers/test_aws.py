"""Deployed functions against moto (in-process and its server on 127.0.0.1) and botocore's Stubber."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from invokers.aws import cloudwatch, deployed
from invokers.aws.session import Aws, AwsError, AwsSettings, explain
from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord, Result
from tests.conftest import EXAMPLE
from tests.waiting import until

REGION = "us-east-1"
RID = "5d6c2d8a-7c57-4b4f-9e1e-0123456789ab"


pytestmark = pytest.mark.usefixtures("fake_aws_env")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return e\n")
    return buffer.getvalue()


def create_functions(count: int, endpoint: str | None = None, **extra: object) -> None:
    kwargs = {"region_name": REGION, "endpoint_url": endpoint}
    role = boto3.client("iam", **kwargs).create_role(RoleName=f"role-{time.time_ns()}",
                                                     AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda", **kwargs)
    for index in range(count):
        client.create_function(FunctionName=f"fn-{index:04d}", Runtime="python3.12", Role=role, Handler="app.handler",
                               Code={"ZipFile": _zip()}, MemorySize=256, Timeout=7, Architectures=["arm64"],
                               Environment={"Variables": {"TABLE": "orders", "API_TOKEN": "s3cr3t"}}, **extra)


def spec(name: str = "fn-0000") -> FunctionSpec:
    return FunctionSpec(name=name, source="deployed", runtime="python3.12", handler="app.handler", region=REGION,
                        memory_mb=256)


async def collect(stream) -> tuple[list[LogRecord], Result]:
    records = []
    async for update in stream:
        if isinstance(update, Result):
            return records, update
        records.append(update)
    raise AssertionError("no result")


# ---- listing and details -------------------------------------------------------------

async def test_list_against_moto_maps_configuration() -> None:
    with mock_aws():
        create_functions(3)
        pages = [page async for page in deployed.list_pages(Aws())]
    functions = [s for page in pages for s in page]
    assert [s.name for s in functions] == ["fn-0000", "fn-0001", "fn-0002"]
    first = functions[0]
    assert first.source == "deployed" and not first.is_local
    assert (first.runtime, first.memory_mb, first.timeout_s, first.architecture) == ("python3.12", 256, 7, "arm64")
    assert first.arn.endswith(":function:fn-0000") and first.last_modified and first.region == REGION


async def test_list_follows_every_page_and_yields_the_first_at_once() -> None:
    aws = Aws()
    client = aws.client("lambda")
    pages = [{"Functions": [{"FunctionName": f"p{page}-{i}", "Runtime": "nodejs20.x"} for i in range(2)],
              **({"NextMarker": f"m{page + 1}"} if page < 2 else {})} for page in range(3)]
    with Stubber(client) as stub:
        stub.add_response("list_functions", pages[0], {"MaxItems": 50})
        stub.add_response("list_functions", pages[1], {"MaxItems": 50, "Marker": "m1"})
        stub.add_response("list_functions", pages[2], {"MaxItems": 50, "Marker": "m2"})
        stream = deployed.list_pages(aws)
        first = await anext(stream)
        assert [s.name for s in first] == ["p0-0", "p0-1"]
        rest = [s.name for page in [p async for p in stream] for s in page]
        stub.assert_no_pending_responses()
    assert rest == ["p1-0", "p1-1", "p2-0", "p2-1"]


async def test_details_mask_secrets_and_list_aliases_and_versions() -> None:
    with mock_aws():
        create_functions(1)
        client = boto3.client("lambda", region_name=REGION)
        version = client.publish_version(FunctionName="fn-0000")["Version"]
        client.create_alias(FunctionName="fn-0000", Name="live", FunctionVersion=version)
        found = await deployed.details(Aws(), "fn-0000")
    assert found.configuration["Environment"]["Variables"] == {"TABLE": "orders", "API_TOKEN": "****"}
    assert found.spec.environment["API_TOKEN"] == "****"
    assert found.aliases == [{"Name": "live", "FunctionVersion": version}]
    assert "$LATEST" in found.versions and version in found.versions


async def test_details_when_only_some_actions_are_allowed() -> None:
    aws = Aws()
    client = aws.client("lambda")
    with Stubber(client) as stub:
        stub.add_response("get_function_configuration", {"FunctionName": "f", "Runtime": "python3.12"})
        stub.add_client_error("list_aliases", "AccessDeniedException", "no lambda:ListAliases")
        stub.add_response("list_versions_by_function", {"Versions": [{"Version": "$LATEST"}]})
        found = await deployed.details(aws, "f")
    assert found.versions == ["$LATEST"]
    assert found.problems and "access denied" in found.problems[0] and "list the aliases of f" in found.problems[0]


# ---- invoking -------------------------------------------------------------------------

def tail(*lines: str) -> str:
    return base64.b64encode("\n".join(lines).encode()).decode()


async def test_invoke_parses_log_tail_and_report_into_the_same_result() -> None:
    aws = Aws()
    client = aws.client("lambda")
    log = tail(f"START RequestId: {RID} Version: $LATEST",
               f"[INFO]\t2026-01-02T03:04:05.678Z\t{RID}\tprocessing order",
               '{"level": "WARN", "message": "slow dependency", "requestId": "' + RID + '"}',
               f"END RequestId: {RID}",
               f"REPORT RequestId: {RID}\tDuration: 395.99 ms\tBilled Duration: 662 ms\tMemory Size: 512 MB\t"
               "Max Memory Used: 301 MB\tInit Duration: 265.72 ms")
    with Stubber(client) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "LogResult": log, "ExecutedVersion": "$LATEST",
                                     "Payload": io.BytesIO(b'{"ok": true}'),
                                     "ResponseMetadata": {"RequestId": RID}})
        records, result = await collect(deployed.invoke(aws, spec(), {"a": 1}))
    assert [r.level for r in records][1:3] == ["INFO", "WARN"] and records[2].fields["message"] == "slow dependency"
    assert all(r.request_id == RID for r in records)
    assert result.ok and result.response == {"ok": True} and result.request_id == RID
    assert result.cold and result.init_ms == 265.72 and result.duration_ms == 395.99 and result.billed_ms == 662
    assert result.memory_mb == 512 and result.max_memory_mb == 301
    assert abs(result.cost_usd - (0.5 * 0.662 * 0.0000166667 + 0.0000002)) < 1e-12


async def test_function_error_is_shown_like_a_local_error() -> None:
    aws = Aws()
    client = aws.client("lambda")
    payload = {"errorMessage": "boom", "errorType": "ValueError", "requestId": RID,
               "stackTrace": ['  File "/var/task/app.py", line 3, in handler\n']}
    with Stubber(client) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled",
                                     "Payload": io.BytesIO(json.dumps(payload).encode()),
                                     "ResponseMetadata": {"RequestId": RID}})
        _, result = await collect(deployed.invoke(aws, spec(), {}))
    assert result.status == "error" and result.response is None
    assert result.error["errorType"] == "ValueError" and result.error["functionError"] == "Unhandled"
    assert result.error["stackTrace"][0].startswith('  File "/var/task/app.py"')


async def test_timeout_from_report_status_and_message() -> None:
    aws = Aws()
    client = aws.client("lambda")
    message = f"2026-01-02T03:04:05.678Z {RID} Task timed out after 3.00 seconds"
    with Stubber(client) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled",
                                     "LogResult": tail(message, f"REPORT RequestId: {RID}\tDuration: 3000.00 ms\t"
                                                       "Billed Duration: 3000 ms\tMemory Size: 128 MB\t"
                                                       "Max Memory Used: 40 MB\tStatus: timeout"),
                                     "Payload": io.BytesIO(json.dumps({"errorMessage": message}).encode())})
        records, result = await collect(deployed.invoke(aws, spec(), {}))
    assert result.status == "timeout" and not result.cold and result.duration_ms == 3000.0
    assert records[0].stream == "platform" and records[0].level == "ERROR"


async def test_event_and_dry_run_and_qualifier_through_the_engine() -> None:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        create_functions(1)
        client = boto3.client("lambda", region_name=REGION)
        version = client.publish_version(FunctionName="fn-0000")["Version"]
        async with Engine(aws=Aws()) as engine:
            _, sync = await engine.invoke_collect(spec(), {"echo": 1})
            _, queued = await collect(engine.invoke(spec(), {"x": 1}, invocation_type="Event"))
            _, dry = await collect(engine.invoke(spec(), {}, invocation_type="DryRun", qualifier=version))
    assert sync.ok and sync.response == {"echo": 1}
    assert queued.ok and queued.response is None and dry.ok


async def test_aws_failures_become_results_not_exceptions() -> None:
    aws = Aws()
    client = aws.client("lambda")
    with Stubber(client) as stub:
        stub.add_client_error("invoke", "AccessDeniedException", "not allowed: lambda:InvokeFunction")
        _, result = await collect(deployed.invoke(aws, spec("guarded"), {}))
    assert result.status == "error" and result.error["errorType"] == "AWS.denied"
    assert "you may not invoke guarded" in result.error["errorMessage"]


@pytest.mark.parametrize(("code", "kind", "words"), [
    ("ExpiredTokenException", "credentials", "expired"),
    ("ThrottlingException", "throttled", "back-off"),
    ("UnrecognizedClientException", "credentials", "rejected your credentials"),
    ("ResourceNotFoundException", "not-found", "Function not found"),
])
def test_client_errors_are_explained(code: str, kind: str, words: str) -> None:
    from botocore.exceptions import ClientError

    error = explain(ClientError({"Error": {"Code": code, "Message": "Function not found"}}, "Invoke"), "invoke f")
    assert error.kind == kind and words in str(error)


def test_no_credentials_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(AwsError) as caught:
        asyncio.run(anext(deployed.list_pages(Aws())))
    assert caught.value.kind == "credentials" and "--no-aws" in str(caught.value)


def test_unknown_profile_and_unreachable_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AwsError, match="profile 'nope' not found"):
        Aws(AwsSettings(profile="nope")).client("lambda")
    monkeypatch.setattr("invokers.aws.session.RETRIES", {"mode": "standard", "max_attempts": 1})
    unreachable = Aws(AwsSettings(region=REGION, endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(AwsError) as caught:
        asyncio.run(anext(deployed.list_pages(unreachable)))
    assert caught.value.kind == "network" and "cannot reach the AWS endpoint" in str(caught.value)


# ---- logs ------------------------------------------------------------------------------

async def test_recent_and_follow_parse_text_and_json_formats() -> None:
    with mock_aws():
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName="/aws/lambda/fn-0000")
        logs.create_log_stream(logGroupName="/aws/lambda/fn-0000", logStreamName="s")
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName="/aws/lambda/fn-0000", logStreamName="s", logEvents=[
            {"timestamp": now - 1000, "message": f"START RequestId: {RID} Version: $LATEST\n"},
            {"timestamp": now - 900, "message": json.dumps({"timestamp": "2026-01-02T03:04:05Z", "level": "ERROR",
                                                             "message": "db down", "requestId": RID})},
        ])
        aws = Aws()
        past = await cloudwatch.recent(aws, spec(), now - 60_000)
        assert [r.message for r in past] == [f"START RequestId: {RID} Version: $LATEST", "db down"]
        assert past[1].level == "ERROR" and past[1].request_id == RID
        stop = asyncio.Event()
        seen: list[LogRecord] = []

        async def follow() -> None:
            async for record in cloudwatch.follow(aws, spec(), since_ms=now - 60_000, stop=stop):
                seen.append(record)

        task = asyncio.create_task(follow())
        await until(lambda: len(seen) >= 2, what="the past events")  # following now: the next one is new
        logs.put_log_events(logGroupName="/aws/lambda/fn-0000", logStreamName="s", logEvents=[
            {"timestamp": int(time.time() * 1000), "message": f"REPORT RequestId: {RID}\tDuration: 1.00 ms\t"
                                                              "Billed Duration: 1 ms\tMemory Size: 128 MB\t"
                                                              "Max Memory Used: 30 MB"}])
        await until(lambda: any(r.message.startswith("REPORT") for r in seen), what="the new REPORT")
        stop.set()
        await asyncio.wait_for(task, 10)
    assert [r.message.split()[0] for r in seen].count("START") == 1, "no event is shown twice"
    assert any(r.message.startswith("REPORT") for r in seen)


async def test_follow_waits_for_a_missing_group() -> None:
    with mock_aws():
        stop = asyncio.Event()
        stream = cloudwatch.follow(Aws(), spec("never-invoked"), stop=stop)
        waiting = asyncio.create_task(anext(stream))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        stop.set()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(waiting, 10)


# ---- the CLI against moto's server -------------------------------------------------------

def cli(*args: str, endpoint: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint)
    return subprocess.run([sys.executable, "-m", "tui.entry", *args], capture_output=True, text=True, env=env,
                          input=stdin, timeout=60, cwd="/")


def test_cli_lists_and_invokes_deployed_functions(moto_server: str) -> None:
    create_functions(2, endpoint=moto_server)
    listed = cli("list", "--deployed", "--json", "--project", str(Path(__file__).parent), endpoint=moto_server)
    deployed_rows = [f for f in json.loads(listed.stdout) if f["source"] == "deployed"]
    assert [f["name"] for f in deployed_rows] == ["fn-0000", "fn-0001"]
    assert deployed_rows[0]["environment"]["API_TOKEN"] == "****"
    refused = cli("invoke", "fn-0001", "--remote", "-d", '{"k": 1}', endpoint=moto_server, stdin="")
    assert refused.returncode == 2 and "pass --yes" in refused.stderr
    done = cli("invoke", "fn-0001", "--remote", "--yes", "-d", '{"k": 1}', "-q", endpoint=moto_server)
    assert done.returncode == 0 and json.loads(done.stdout) == {"k": 1}


def test_cli_no_aws_and_missing_function(moto_server: str) -> None:
    off = cli("invoke", "fn-0000", "--remote", "--no-aws", endpoint=moto_server)
    assert off.returncode == 2 and "--no-aws" in off.stderr
    missing = cli("invoke", "ghost", "--remote", "--yes", endpoint=moto_server)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "ghost" in missing.stderr


async def test_live_tail_refused_falls_back_to_polling() -> None:
    aws = Aws()
    client = aws.client("logs")
    group = "/aws/lambda/fn-0000"
    event = {"logStreamName": "s", "timestamp": 1767323045678, "message": "from polling", "eventId": "1"}
    with Stubber(client) as stub:
        stub.add_response("filter_log_events", {"events": []})
        stub.add_response("describe_log_groups", {"logGroups": [
            {"logGroupName": group, "arn": f"arn:aws:logs:{REGION}:123456789012:log-group:{group}:*"}]})
        stub.add_client_error("start_live_tail", "AccessDeniedException", "no logs:StartLiveTail")
        stub.add_response("filter_log_events", {"events": [event]})
        stop = asyncio.Event()
        stream = cloudwatch.follow(aws, spec(), since_ms=0, stop=stop)
        record = await asyncio.wait_for(anext(stream), 10)
        stop.set()
    assert record.message == "from polling"


def test_aws_region_is_read_as_the_aws_cli_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert Aws(AwsSettings.from_args()).region == "eu-west-1"
    assert AwsSettings.from_args(region="us-west-2").region == "us-west-2"  # --region still wins


def test_list_deployed_with_aws_failing_still_lists_local_functions(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION="eu-west-1", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    done = subprocess.run([sys.executable, "-m", "tui.entry", "list", "--deployed"], cwd=EXAMPLE, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "orders-api" in done.stdout
    assert "no AWS region" not in done.stderr
    assert "svl-tui: AWS: deployed functions not listed: no AWS credentials" in done.stderr
