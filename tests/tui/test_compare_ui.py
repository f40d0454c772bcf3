"""The UI's compare screen, drift with the details, and the run in view exported as a test or copied as a report.

The deployed side is moto's: it stores the configuration and echoes the event
(its Lambda cannot run code without docker).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from textual.widgets import Log

from invokers.aws.session import AwsSettings
from invokers.discovery import discover
from tests.tui.test_main_screen import finished, screen_text, wait_for
from tui.app import SvlApp
from tui.screens.compare import CompareScreen
from tui.widgets.timing_panel import TimingPanel

pytestmark = pytest.mark.usefixtures("fake_aws_env")
SECRET = "tok_live_9f8e7d6c5b4a"


@pytest.fixture(autouse=True)
def private_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "app.py").write_text("def handler(event, context):\n    print('local run')\n"
                                 "    return {'echo': event, 'where': 'local'}\n")
    (root / "svl.yaml").write_text("functions:\n  orders:\n    handler: app.handler\n    memory_mb: 128\n"
                                   f"    environment: {{API_TOKEN: {SECRET}}}\n")
    return root


def deploy(name: str = "shop-orders-A1B2C3") -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "x")
    role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    boto3.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": buffer.getvalue()},
        MemorySize=512, Environment={"Variables": {"API_TOKEN": "another-secret-value"}})


async def test_compare_screen_after_confirmation_and_drift_with_the_details(tmp_path: Path) -> None:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy()
        app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 1)
            app.main_screen.select("orders")
            panel = app.main_screen.query_one(TimingPanel)
            await wait_for(pilot, lambda: "drift against shop-orders-A1B2C3" in screen_text(panel))
            details = screen_text(panel)
            assert "memory" in details and "512 MB" in details and "secret values differ" in details
            assert SECRET not in details and "another-secret-value" not in details

            app.main_screen.editor.text_area.text = '{"order": 7}'
            await pilot.press("f2")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.found is not None,
                           timeout=30)
            view = app.screen
            assert isinstance(view, CompareScreen) and view.found is not None
            assert view.found.local.result.response == {"echo": {"order": 7}, "where": "local"}
            assert view.found.deployed.result.response == {"order": 7}  # moto echoes
            shown = screen_text(view)
            assert "+ $.order: 7 (only deployed)" in shown and "- $.where" in shown
            assert "local run" in "\n".join(view.query_one("#compare-local-log", Log).lines)
            for widget_id in ("#compare-summary", "#compare-local-log", "#compare-deployed-log"):
                region = view.query_one(widget_id).region
                assert region.width > 10 and region.height >= 3 and region.bottom <= 24  # fits 80x24
            await pilot.press("escape")
            await pilot.pause()
            view.say("late news")  # a comparison finishing after its screen was closed is dropped quietly
            view.show(view.found)
            await pilot.press("f2")  # the same deployed twin: asked once per session
            await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.found is not None,
                           timeout=30)


async def test_export_the_run_in_view_as_a_test_and_copy_its_report(tmp_path: Path) -> None:
    root = project(tmp_path)
    app = SvlApp(discover(root))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not list((root / "tests").iterdir())  # nothing to export yet: a warning, no file
        app.main_screen.editor.text_area.text = '{"order": 7}'
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "orders"))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: any((root / "tests").glob("test_orders_*.py")))
        test_file = next((root / "tests").glob("test_orders_*.py"))
        text = test_file.read_text()
        assert "{'order': 7}" in text and SECRET not in text
        test_file.write_text("# edited by hand\n")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("n")
        await pilot.pause()
        assert test_file.read_text() == "# edited by hand\n"  # never overwritten without a yes

        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.clipboard.startswith("### `orders`: ok"))
        assert '"order": 7' in app.clipboard and SECRET not in app.clipboard
        assert "REPORT RequestId:" in app.clipboard and "local run" in app.clipboard
        saved = list((root / ".svl" / "reports").glob("orders-*.md"))
        assert len(saved) == 1 and saved[0].read_text() == app.clipboard


async def test_the_bundled_example_is_never_written_into(example_app: SvlApp, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project_files = sorted(p for p in example_app.project.rglob("*") if ".svl" not in p.parts)
    async with example_app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(example_app.main_screen.run_area.runs))
        await pilot.press("ctrl+n", "ctrl+l")
        own = tmp_path / "cache" / "svl-tui" / "example-project"
        await wait_for(pilot, lambda: any(own.glob("tests/*")) and any(own.glob("reports/*.md")))
    assert sorted(p for p in example_app.project.rglob("*") if ".svl" not in p.parts) == project_files
