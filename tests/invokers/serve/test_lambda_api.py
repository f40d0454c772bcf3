"""The Lambda Invoke API of ``serve``, driven by boto3 exactly as a test suite would."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import boto3
import pytest
from botocore.config import Config

from invokers.serve.lambda_api import parse_target
from tests.conftest import MakeFunction
from tests.invokers.serve.conftest import serving
from tests.waiting import until

ECHO = """
    import os
    def handler(event, context):
        print("echo says hi")
        if event.get("fail"):
            raise ValueError("asked to fail")
        return {"echo": event, "name": context.function_name}
"""


def lambda_client(url: str) -> Any:
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, read_timeout=30))


async def call(url: str, **kwargs: Any) -> dict[str, Any]:
    def invoke() -> dict[str, Any]:
        response = lambda_client(url).invoke(**kwargs)
        payload = response.get("Payload")
        response["Body"] = payload.read() if payload is not None else b""
        return response

    return await asyncio.to_thread(invoke)


@pytest.mark.usefixtures("fake_aws_env")
async def test_request_response_returns_the_payload_and_the_log_tail(make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo")
    async with serving(spec) as (server, traffic):
        response = await call(server.url, FunctionName="echo", Payload=json.dumps({"a": 1}), LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert json.loads(response["Body"]) == {"echo": {"a": 1}, "name": "echo"}
    assert response["ExecutedVersion"] == "$LATEST"
    tail = base64.b64decode(response["LogResult"]).decode()
    assert tail.startswith("START RequestId: ") and "echo says hi" in tail and "REPORT RequestId:" in tail
    assert [(t.face, t.function, t.status, t.cold) for t in traffic] == [("lambda", "echo", 200, True)]


@pytest.mark.usefixtures("fake_aws_env")
async def test_function_error_sets_function_error_and_returns_lambdas_error_object(
        make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo")
    async with serving(spec) as (server, _):
        response = await call(server.url, FunctionName="echo", Payload=json.dumps({"fail": True}))
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    error = json.loads(response["Body"])
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "asked to fail"
    assert isinstance(error["stackTrace"], list)


@pytest.mark.usefixtures("fake_aws_env")
async def test_arns_and_qualifiers_name_the_local_function(make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo")
    async with serving(spec) as (server, _):
        by_arn = await call(server.url, FunctionName="arn:aws:lambda:us-east-1:123456789012:function:echo",
                            Payload=b"{}")
        qualified = await call(server.url, FunctionName="echo", Qualifier="$LATEST", Payload=b"{}")
    assert json.loads(by_arn["Body"])["name"] == "echo"
    assert qualified["StatusCode"] == 200


@pytest.mark.usefixtures("fake_aws_env")
async def test_declared_versions_and_aliases_resolve_and_others_are_not_found(make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo", aliases=["live"], versioned=True)
    plain = make_function(ECHO, name="plain")
    async with serving(spec, plain) as (server, traffic):
        alias = await call(server.url, FunctionName="echo:live", Payload=b"{}")
        version = await call(server.url, FunctionName="echo", Qualifier="3", Payload=b"{}")
        latest = await call(server.url, FunctionName="plain", Qualifier="$LATEST", Payload=b"{}")

        def refused(**kwargs: Any) -> str:
            with pytest.raises(lambda_client(server.url).exceptions.ResourceNotFoundException) as caught:
                lambda_client(server.url).invoke(Payload=b"{}", **kwargs)
            return str(caught.value)

        unknown_alias = await asyncio.to_thread(refused, FunctionName="echo", Qualifier="staging")
        unversioned = await asyncio.to_thread(refused, FunctionName="plain:1")
    assert alias["StatusCode"] == version["StatusCode"] == latest["StatusCode"] == 200
    assert json.loads(alias["Body"])["name"] == "echo"
    assert version["ExecutedVersion"] == "3" and alias["ExecutedVersion"] == "$LATEST"
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo:staging" in unknown_alias
    assert "function:plain:1" in unversioned
    assert [t.status for t in traffic] == [200, 200, 200, 404, 404]


PY_ARN = """
    import os
    def handler(event, context):
        return {"arn": context.invoked_function_arn, "version": context.function_version,
                "env": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
"""

NODE_ARN = """
    exports.handler = async (event, context) => ({arn: context.invokedFunctionArn,
        version: context.functionVersion, env: process.env.AWS_LAMBDA_FUNCTION_VERSION});
"""


@pytest.mark.usefixtures("fake_aws_env")
async def test_the_invoked_arn_carries_the_qualifier_in_python_and_node(make_function: MakeFunction) -> None:
    python = make_function(PY_ARN, name="py", aliases=["live"], versioned=True)
    node = make_function(NODE_ARN, name="node", ext=".js", aliases=["live"], versioned=True)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:"
    async with serving(python, node) as (server, _):
        seen = {}
        for name in ("py", "node"):
            for label, kwargs in (("bare", {"FunctionName": name}), ("alias", {"FunctionName": f"{name}:live"}),
                                  ("version", {"FunctionName": name, "Qualifier": "2"}),
                                  ("latest", {"FunctionName": f"{arn}{name}:$LATEST"})):
                seen[name, label] = json.loads((await call(server.url, Payload=b"{}", **kwargs))["Body"])
    for name in ("py", "node"):
        assert seen[name, "bare"]["arn"] == f"{arn}{name}"
        assert seen[name, "alias"]["arn"] == f"{arn}{name}:live"
        assert seen[name, "version"]["arn"] == f"{arn}{name}:2"
        assert seen[name, "latest"]["arn"] == f"{arn}{name}:$LATEST"
        # every qualifier runs the working tree's code in the same environments: the version stays $LATEST
        assert {(value["version"], value["env"]) for key, value in seen.items() if key[0] == name} == {
            ("$LATEST", "$LATEST")}


def test_parse_target_accepts_lambdas_name_forms() -> None:
    prefix = "/2015-03-31/functions/"
    assert parse_target(prefix + "echo/invocations", None) == ("echo", None)
    assert parse_target(prefix + "echo%3Alive/invocations", None) == ("echo", "live")
    assert parse_target(prefix + "123456789012%3Afunction%3Aecho/invocations", "3") == ("echo", "3")
    assert parse_target(prefix + "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aecho%3A%24LATEST"
                        "/invocations", None) == ("echo", "$LATEST")
    assert parse_target(prefix + "not a name/invocations", None) is None
    assert parse_target("/2015-03-31/functions/echo", None) is None


@pytest.mark.usefixtures("fake_aws_env")
async def test_unknown_function_raises_resource_not_found(make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo")
    async with serving(spec) as (server, _):
        client = lambda_client(server.url)
        with pytest.raises(client.exceptions.ResourceNotFoundException, match="Function not found: arn:aws:lambda"):
            await asyncio.to_thread(client.invoke, FunctionName="nope", Payload=b"{}")


@pytest.mark.usefixtures("fake_aws_env")
async def test_dry_run_checks_the_function_without_running_it(make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo")
    async with serving(spec) as (server, traffic):
        response = await call(server.url, FunctionName="echo", InvocationType="DryRun")
        assert response["StatusCode"] == 204 and response["Body"] == b""
        assert not server.engine.is_warm("echo")
    assert traffic[0].status == 204


@pytest.mark.usefixtures("fake_aws_env")
async def test_invalid_json_payload_is_rejected_like_lambda(make_function: MakeFunction) -> None:
    spec = make_function(ECHO, name="echo")
    async with serving(spec) as (server, _):
        client = lambda_client(server.url)
        with pytest.raises(client.exceptions.InvalidRequestContentException, match="Could not parse request body"):
            await asyncio.to_thread(client.invoke, FunctionName="echo", Payload=b"{not json")


@pytest.mark.usefixtures("fake_aws_env")
async def test_event_invocation_is_queued_and_retried_twice_on_error(make_function: MakeFunction,
                                                                     tmp_path: Any) -> None:
    marks = tmp_path / "calls.txt"
    spec = make_function(f"""
        def handler(event, context):
            with open({str(marks)!r}, "a") as calls:
                calls.write(context.aws_request_id + "\\n")
            raise RuntimeError("always")
    """, name="flaky")

    def quick_retries(server: Any) -> None:
        server.lambda_api._retry_delays = (0.05, 0.05)

    async with serving(spec, configure=quick_retries) as (server, _):
        response = await call(server.url, FunctionName="flaky", InvocationType="Event", Payload=b"{}")
        assert response["StatusCode"] == 202 and response["Body"] == b""
        # the event's task ends after its last retry: then no further attempt can come
        await until(lambda: marks.exists() and not server.lambda_api._background, what="the retries to end")
    attempts = marks.read_text().split()
    assert len(attempts) == 3 and len(set(attempts)) == 3


@pytest.mark.usefixtures("fake_aws_env")
async def test_throttled_invoke_raises_too_many_requests(make_function: MakeFunction) -> None:
    spec = make_function("""
        import time
        def handler(event, context):
            time.sleep(1.0)
            return "done"
    """, name="single", reserved_concurrency=1)
    async with serving(spec) as (server, traffic):
        client = lambda_client(server.url)
        first = asyncio.create_task(call(server.url, FunctionName="single", Payload=b"{}"))
        await until(lambda: server.engine.environments("single")[0] > 0, what="the first invoke to run")
        with pytest.raises(client.exceptions.TooManyRequestsException) as caught:
            await asyncio.to_thread(client.invoke, FunctionName="single", Payload=b"{}")
        assert json.loads((await first)["Body"]) == "done"
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert any(t.throttled and t.status == 429 for t in traffic)
