"""The palette's 'Mock AWS: show resources' lists the configuration's resources with their status (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from invokers.aws import mock as mock_module
from invokers.cli_project import provision_project
from invokers.discovery import discover
from tests.files import write
from tests.tui.test_main_screen import wait_for
from tui.app import SvlApp
from tui.screens.resources import ResourcesScreen

TEMPLATE = """
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12,
                     Environment: {Variables: {QUEUE_URL: !Ref Jobs}}}
      Jobs:
        Type: AWS::SQS::Queue
      Pool:
        Type: AWS::Cognito::UserPool
"""


async def test_resources_screen_shows_status_and_what_handlers_created(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    project = tmp_path / "app"
    write(project, "template.yaml", TEMPLATE)
    write(project, "src/app.py", "def handler(e, c):\n    return 1\n")
    found = discover(project)
    mock = mock_module.start()
    try:
        provision_project(found, mock)
        app = SvlApp(found, mock=mock)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            app.show_mock_inventory()
            await wait_for(pilot, lambda: isinstance(app.screen, ResourcesScreen) and
                           bool(app.screen.query(DataTable)) and app.screen.query_one(DataTable).row_count > 0)
            table = app.screen.query_one(DataTable)
            rows = [table.get_row_at(i) for i in range(table.row_count)]
            jobs = mock.provisioned.resources["Jobs"]  # type: ignore[union-attr]
            assert rows[0][:5] == ["Jobs", "AWS::SQS::Queue", "created", jobs.name, jobs.url]
            assert rows[1][:3] == ["Pool", "AWS::Cognito::UserPool", "skipped"]
            assert "is not created in the embedded AWS" in rows[1][5]
            mock.client("dynamodb").create_table(  # what a handler would create while the session runs
                TableName="made-by-handler", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
            await pilot.press("r")
            await wait_for(pilot, lambda: table.row_count == 3)
            later = table.get_row_at(2)
            assert later[:4] == ["-", "AWS::DynamoDB::Table", "created", "made-by-handler"]
            assert "not in the configuration" in later[5]
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen)
    finally:
        mock.stop()
