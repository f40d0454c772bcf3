"""Deployed functions in the UI, against moto: listing beside local ones, details, confirmation, failures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from textual.widgets import Input

from invokers.aws.session import AwsSettings
from invokers.discovery import discover
from tests.tui.test_main_screen import finished, screen_text, wait_for
from tui.app import SvlApp
from tui.widgets.function_list import FunctionList
from tui.widgets.timing_panel import TimingPanel

pytestmark = pytest.mark.usefixtures("fake_aws_env")


@pytest.fixture(autouse=True)
def private_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text("def handler(e, c):\n    return 'local'\n")
    (root / "svl.yaml").write_text("functions:\n  orders:\n    handler: app.handler\n")
    return root


def deploy(*names: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "x")
    role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda")
    for name in names:
        client.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                               Code={"ZipFile": buffer.getvalue()},
                               Environment={"Variables": {"DB_PASSWORD": "hunter2", "STAGE": "prod"}})


async def test_deployed_functions_listed_matched_detailed_and_invoked_after_confirmation(tmp_path: Path) -> None:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy("orders", "billing")
        app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
        async with app.run_test(size=(120, 35)) as pilot:
            functions = app.main_screen.query_one(FunctionList)
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 2)
            # the list redraws on the catalogue's message, a moment after the catalogue itself
            await wait_for(pilot, lambda: any(str(o.prompt).startswith("○ orders ☁")
                                              for o in functions.options.options))
            labels = [str(o.prompt) for o in functions.options.options]
            assert any(label.startswith("○ orders ☁") for label in labels)  # local, deployed too
            assert any(label.startswith("☁ orders ⌂") for label in labels)  # deployed, local too
            app.main_screen.select("aws:billing")
            await wait_for(pilot, lambda: "Deployed · billing" in (app.main_screen.query_one(TimingPanel).border_title
                                                                  or ""))
            details = screen_text(app.main_screen.query_one(TimingPanel))
            assert "DB_PASSWORD ****" in details and "hunter2" not in details and "STAGE" in details
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert app.screen.__class__.__name__ == "ConfirmScreen"
            await pilot.press("n")
            await pilot.pause()
            assert not app.main_screen.run_area.runs
            await pilot.press("ctrl+r")
            await pilot.pause()
            await pilot.press("y")
            await wait_for(pilot, lambda: finished(app, "aws:billing"))
            assert app.main_screen.run_area.runs["aws:billing"][0].result.ok
            await pilot.press("f6")  # asked once per function and session
            await wait_for(pilot, lambda: finished(app, "aws:billing", 2))


async def test_no_credentials_is_a_message_and_local_functions_still_work(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
    async with app.run_test(size=(120, 35)) as pilot:
        functions = app.main_screen.query_one(FunctionList)
        await wait_for(pilot, lambda: "no AWS credentials" in functions.deployed_status)
        prompts = "\n".join(str(o.prompt) for o in functions.options.options)
        assert "Deployed\nunavailable: no AWS credentials" in prompts
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "orders"))
        assert app.main_screen.run_area.runs["orders"][0].result.response == "local"


async def test_denied_listing_is_a_notification(tmp_path: Path) -> None:
    from botocore.stub import Stubber

    app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
    assert app.aws is not None
    with Stubber(app.aws.client("lambda")) as stub:
        stub.add_client_error("list_functions", "AccessDeniedException", "no lambda:ListFunctions")
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_for(pilot, lambda: any(n.title == "Deployed functions unavailable" for n in app._notifications))
            # the status reaches the list through a message, maybe after the notification: wait for it too
            await wait_for(pilot, lambda: "access denied" in app.main_screen.query_one(FunctionList).deployed_status)


async def test_no_aws_flag_never_lists_deployed(tmp_path: Path) -> None:
    app = SvlApp(discover(project(tmp_path)), aws=None)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.3)
        assert app.aws is None and app.catalogue.deployed == []
        assert all("Deployed" not in str(o.prompt) for o in app.main_screen.query_one(FunctionList).options.options)


async def test_recent_cloudwatch_history_of_a_deployed_function(tmp_path: Path) -> None:
    import time

    from tui.widgets.log_view import LogView

    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy("billing")
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="/aws/lambda/billing")
        logs.create_log_stream(logGroupName="/aws/lambda/billing", logStreamName="s")
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName="/aws/lambda/billing", logStreamName="s", logEvents=[
            {"timestamp": now - 7_200_000, "message": "two hours ago"},
            {"timestamp": now - 600_000, "message": "[ERROR]\t2026-01-02T03:04:05.678Z\tabc\tten minutes ago"}])
        app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 1)
            app.main_screen.select("aws:billing")
            await pilot.pause()
            app.main_screen.deployed.show_recent(app.main_screen.selected, 60)
            view = app.main_screen.query_one(LogView)
            await wait_for(pilot, lambda: bool(view.records))
            assert [(r.level, r.message) for r in view.records] == [("ERROR", "ten minutes ago")]


async def test_the_deployed_group_reads_aws_region_as_the_aws_cli_does(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """#13 item 7: with only AWS_REGION set, the group said 'no AWS region configured' (also after switching
    the region back to the default from the palette)."""
    from tui.screens.prompt import PromptScreen

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy("billing")  # in eu-west-1 (boto3 alone reads only AWS_DEFAULT_REGION)
        monkeypatch.delenv("AWS_DEFAULT_REGION")
        monkeypatch.setenv("AWS_REGION", "eu-west-1")
        app = SvlApp(discover(project(tmp_path)), aws=AwsSettings.from_args())  # what 'svl-tui' starts with
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 1)
            assert app.catalogue.deployed[0].region == "eu-west-1"
            app.main_screen.deployed.switch("region")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen) and bool(app.screen.query(Input)))
            app.screen.query_one(Input).value = ""  # empty: the default
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is app.main_screen and app.aws_settings.region == "eu-west-1")
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 1)
            assert "no AWS region" not in app.main_screen.functions.deployed_status
