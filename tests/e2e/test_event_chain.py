"""The example's orders slice end to end, as ``svl-tui --mock-aws --project examples/sam-app`` runs it:
a message on OrdersQueue -> SaveOrder writes OrdersTable -> the table's stream -> AuditOrder, both runs in
the UI marked with the source that started them."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import boto3
import pytest

from invokers.cli import parse
from invokers.cli_project import discovery_settings, start_mock
from invokers.discovery import discover_or_example
from tests.conftest import REPO
from tui.app import SvlApp

pytestmark = pytest.mark.usefixtures("private_dirs")


@pytest.fixture
def private_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """svl-tui's cache and config inside the test's folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


async def test_sqs_to_lambda_to_dynamodb_to_stream_to_lambda(tmp_path: Path) -> None:
    project = tmp_path / "sam-app"
    shutil.copytree(REPO / "examples" / "sam-app", project, ignore=shutil.ignore_patterns("node_modules", ".svl"))
    args = parse(["--mock-aws", "--project", str(project)])
    found = discover_or_example(project, discovery_settings(args))
    mock = start_mock(args, found, quiet=True)
    assert mock is not None and mock.provisioned is not None
    queue_url = mock.provisioned.resources["OrdersQueue"].url
    table = mock.provisioned.resources["OrdersTable"].name
    app = SvlApp(found, mock=mock)
    async with app.run_test(size=(140, 40)) as pilot:
        async def until(condition: object, timeout: float = 90) -> None:
            async def wait() -> None:
                while not condition():  # type: ignore[operator]
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(wait(), timeout)

        await until(lambda: app.event_sources.sources is not None and len(app.event_sources.sources.infos) == 2
                    and all(i.state == "running" for i in app.event_sources.sources.infos))
        assert sorted(i.source for i in app.event_sources.sources.infos) == ["dynamodb:OrdersTable",
                                                                              "sqs:OrdersQueue"]
        sqs = boto3.client("sqs", endpoint_url=mock.endpoint, region_name=mock.region,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        await asyncio.to_thread(sqs.send_message, QueueUrl=queue_url,
                                MessageBody=json.dumps({"orderId": "o-1", "total": 42}))
        runs = app.main_screen.run_area.runs

        def run_of(name: str) -> list:  # type: ignore[type-arg]
            return [run for key, kept in runs.items() if key.endswith(name) for run in kept]

        await until(lambda: bool(run_of("AuditOrder")))
        [saved] = run_of("SaveOrder")
        assert saved.source == "sqs:OrdersQueue" and saved.result.ok
        assert saved.result.response == {"batchItemFailures": []}
        [audited] = run_of("AuditOrder")
        assert audited.source == "dynamodb:OrdersTable"
        assert audited.result.response == [{"event": "INSERT", "orderId": "o-1"}]
        dynamodb = boto3.client("dynamodb", endpoint_url=mock.endpoint, region_name=mock.region,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        item = (await asyncio.to_thread(dynamodb.get_item, TableName=table, Key={"orderId": {"S": "o-1"}}))["Item"]
        assert item["total"] == {"N": "42"} and item["status"] == {"S": "NEW"}
        await pilot.pause()
