"""The palette reads the values a project keeps in AWS (after asking) and a save does not undo them."""

from __future__ import annotations

import textwrap

import pytest

from invokers.aws.session import AwsSettings
from invokers.discovery import discover
from tests.tui.test_main_screen import finished, save_until, wait_for
from tui.app import SvlApp
from tui.commands import system_commands
from tui.controllers.reload_watch import ReloadController
from tui.screens.confirm import ConfirmScreen
from tui.widgets.function_list import FunctionList

TEMPLATE = textwrap.dedent("""\
    Resources:
      Reader:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: python3.12
          Environment:
            Variables:
              DB_URL: '{{resolve:ssm:/app/db-url}}'
              DB_PASSWORD: '{{resolve:ssm:/app/db-password}}'
              MISSING: '{{resolve:ssm:/app/not-there}}'
""")
PROJECT = {
    "template.yaml": TEMPLATE,
    "src/app.py": "import os\ndef handler(event, context):\n    return {k: os.environ[k] for k in "
                  "('DB_URL', 'DB_PASSWORD', 'MISSING')}\n",
}


@pytest.mark.usefixtures("fake_aws_env")
async def test_resolve_from_the_palette_asks_first_and_survives_a_save(project_app) -> None:
    from moto import mock_aws

    with mock_aws():
        import boto3

        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="/app/db-url", Value="postgres://db.internal/app", Type="String")
        ssm.put_parameter(Name="/app/db-password", Value="s3cr3t-hunter2", Type="SecureString")
        _, root = project_app(PROJECT)
        app = SvlApp(discover(root), aws=AwsSettings())  # AWS on: what the palette's command needs
        async with app.run_test(size=(120, 35)) as pilot:
            assert "AWS: resolve stored values…" in {c.title for c in system_commands(app, app.main_screen)}

            def environment() -> dict[str, str]:
                return app.reloader.functions[0].environment

            assert environment()["DB_URL"] == "<ssm:/app/db-url>"
            app.main_screen.query_one(ReloadController).ask_resolve_aws()
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "<ssm:/app/db-password>" in app.screen.question and "3 value(s)" in app.screen.question
            await pilot.press("n")  # asked first: no means nothing is read
            await pilot.pause(0.2)
            assert environment()["DB_URL"] == "<ssm:/app/db-url>"
            app.main_screen.query_one(ReloadController).ask_resolve_aws()
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: environment()["DB_URL"] == "postgres://db.internal/app")
            assert environment()["DB_PASSWORD"] == "s3cr3t-hunter2"
            assert environment()["MISSING"] == "<ssm:/app/not-there>"  # not in AWS: stays visible
            notices = " ".join(str(n.message) for n in app._notifications)
            assert "read 2 of 3 value(s) from AWS" in notices and "s3cr3t-hunter2" not in notices
            resolved = app.reloader.discovery
            await save_until(pilot, root / "template.yaml", TEMPLATE + "# a config re-read\n",
                             lambda: app.reloader.discovery is not resolved)  # the project was read again
            assert environment()["DB_URL"] == "postgres://db.internal/app"  # ... and kept what was read
            assert environment()["DB_PASSWORD"] == "s3cr3t-hunter2"
            app.main_screen.query_one(FunctionList).select("Reader")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: finished(app, "Reader"), timeout=30)
            run = app.main_screen.run_area.runs["Reader"][-1]
            assert run.result.response == {"DB_URL": "postgres://db.internal/app", "DB_PASSWORD": "s3cr3t-hunter2",
                                           "MISSING": "<ssm:/app/not-there>"}


async def test_with_aws_off_the_palette_does_not_offer_to_read_from_aws(project_app) -> None:
    """--no-aws means "do not contact AWS at all": the command asked to read with the default credentials."""
    app, _root = project_app(PROJECT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.aws is None
        titles = {c.title for c in system_commands(app, app.main_screen)}
        assert "AWS: resolve stored values…" not in titles and "Env vars file…" in titles


@pytest.mark.usefixtures("fake_aws_env")
@pytest.mark.parametrize("aws_on", [True, False])
async def test_a_value_stored_in_aws_is_explained_with_what_the_ui_offers(project_app, aws_on: bool) -> None:
    """The notice told a UI user to pass --resolve-aws; it names the palette's commands (that exist) instead."""
    from moto import mock_aws

    _, root = project_app(PROJECT)
    with mock_aws():  # AWS on lists deployed functions: from moto, never a real account
        app = SvlApp(discover(root), aws=AwsSettings() if aws_on else None)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            notices = " ".join(str(n.message) for n in app._notifications)
            assert "stored in AWS and not known locally" in notices and "(--resolve-aws)" not in notices
            assert "'Env vars file…'" in notices
            assert ("'AWS: resolve stored values…'" in notices) == aws_on
