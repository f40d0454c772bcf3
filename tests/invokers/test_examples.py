"""The example projects in examples/ run as their comments say (issue 10, point 9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from invokers.discovery import discover
from invokers.discovery.settings import Settings
from invokers.engine import Engine
from tests.conftest import REPO
from tests.npm_tools import esbuild_node_modules

pytestmark = pytest.mark.usefixtures("own_cache")

SAM_APP = REPO / "examples" / "sam-app"
SERVERLESS_APP = REPO / "examples" / "serverless-app"


async def test_sam_app_subfolder_handler_layer_and_parameters() -> None:
    found = discover(SAM_APP, Settings(env_vars=str(SAM_APP / "env.json")))
    assert [p.field for p in found.problems] == ["Parameters.ApiKey"]  # the SSM parameter, said once
    hello = found.get("Hello")
    assert hello is not None and hello.handler == "hello_world/app.lambda_handler"
    assert hello.layers == [str(SAM_APP / "layers" / "common")]
    event = json.loads((SAM_APP / "events" / "hello.json").read_text())
    async with Engine() as engine:
        _, result = await engine.invoke_collect(hello, event)
    assert result.status == "ok", result.error
    assert json.loads(result.response["body"]) == {
        "message": "hello sam", "table": "orders-from-env-json",  # env.json wins over samconfig's TableName
        "stage": "local", "api_key": "<ssm:/sam-app/api-key>"}


async def test_sam_app_inline_code() -> None:
    ping = discover(SAM_APP).get("Ping")
    assert ping is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(ping, {})
    assert result.response == {"pong": True, "stage": "dev", "function": "Ping"}


async def test_sam_app_typescript_function_after_npm_install(tmp_path: Path) -> None:
    project = tmp_path / "sam-app"
    shutil.copytree(SAM_APP, project)
    (project / "ts" / "node_modules").symlink_to(esbuild_node_modules(), target_is_directory=True)  # npm install
    greeter = discover(project).get("Greeter")
    assert greeter is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(greeter, {"name": "ts"})
    assert result.response == {"message": "Hello, Ts!"}, result.error


async def test_serverless_app_layer_stage_fallbacks_and_framework_defaults() -> None:
    found = discover(SERVERLESS_APP)
    orders, report = found.functions
    assert (orders.timeout_s, orders.memory_mb, report.timeout_s, report.memory_mb) == (6, 1024, 30, 512)
    assert orders.region == "eu-west-1"
    assert orders.environment["DB_PASSWORD"] == "<ssm:/orders/qa/db-password>"
    assert orders.layers == [str(SERVERLESS_APP / "layers" / "common")]
    prod = discover(SERVERLESS_APP, Settings(stage="prod")).get("orders")
    assert prod is not None
    async with Engine() as engine:
        _, qa_result = await engine.invoke_collect(orders, {})
        _, prod_result = await engine.invoke_collect(prod, {})
    assert json.loads(qa_result.response["body"]) == {
        "stage": "qa", "table": "orders-qa-orders", "log_level": "DEBUG", "memory": "1024"}
    assert json.loads(prod_result.response["body"])["log_level"] == "WARNING"
