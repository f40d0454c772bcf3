"""Event sources in the UI (``--mock-aws``): a message on the queue shows as a run of its consumer, marked with
the queue; the send form puts the editor's event on it; the event sources screen lists every delivery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from textual.widgets import DataTable, Log, OptionList, TextArea

from event_samples.messaging import sqs as sqs_event
from invokers.aws import mock as mock_aws
from invokers.aws.mock import MockAws
from invokers.discovery import discover
from tui.app import SvlApp
from tui.screens.event_sources import EventSourcesScreen
from tui.screens.send_event import SendEventScreen

TEMPLATE = """
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties: {QueueName: ui-orders}
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Orders.Arn}
"""
CODE = "def handler(event, context):\n    print('consumed ' + event['Records'][0]['body'])\n"


@pytest.fixture
def mock() -> Iterator[MockAws]:
    server = mock_aws.start()
    yield server
    server.stop()


async def until(condition: Callable[[], bool], pilot: object, timeout: float = 60) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait(), timeout)


async def test_deliveries_are_runs_marked_with_their_source_and_the_form_sends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mock: MockAws) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "app.py").write_text(CODE)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    sqs = boto3.client("sqs", endpoint_url=mock.endpoint, region_name=mock.region, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    url = sqs.create_queue(QueueName="ui-orders")["QueueUrl"]
    app = SvlApp(discover(tmp_path), mock=mock)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(lambda: app.event_sources.sources is not None and
                    app.event_sources.sources.infos[0].state == "running", pilot)
        await asyncio.to_thread(sqs.send_message, QueueUrl=url, MessageBody="from outside")
        run_area = app.main_screen.run_area
        await until(lambda: any(run_area.runs.values()), pilot)
        [run] = next(iter(run_area.runs.values()))
        assert run.source == "sqs:ui-orders" and run.event["Records"][0]["body"] == "from outside"
        assert "(sqs:ui-orders, cold" in run.title
        await pilot.pause()
        labels = [str(o.prompt) for o in app.main_screen.query_one("#history-runs", OptionList).options]
        assert labels and labels[0].endswith("sqs:ui-orders")

        app.main_screen.editor.text_area.text = json.dumps(sqs_event(bodies=["typed-1", "typed-2"]))
        app.send_to_source()
        await pilot.pause()
        assert isinstance(app.screen, SendEventScreen)
        assert json.loads(app.screen.query_one("#send-body", TextArea).text)["Records"][0]["body"] == "typed-1"
        await pilot.press("ctrl+s")
        await until(lambda: sum(len(r.event["Records"]) for runs in run_area.runs.values() for r in runs) == 3, pilot)
        assert "sent to ui-orders" in str(app.screen.query_one("#send-result").render())
        await pilot.press("escape")

        app.show_event_sources()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EventSourcesScreen)
        assert f"Embedded AWS: {mock.endpoint}" in str(screen.query_one("#sources-mappings").render())
        table = screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows and all(row[1:3] == ["sqs:ui-orders", "Consumer"] and row[4] == "ok" for row in rows)
        table.move_cursor(row=0)
        await pilot.pause()
        assert any("consumed from outside" in line for line in screen.query_one(Log).lines)
