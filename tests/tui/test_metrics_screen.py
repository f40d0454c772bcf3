"""The metrics view: opened by its key on the selected function, figures from the history, charts, rate input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static

from invokers.history import History
from invokers.models import FunctionSpec, Result
from tui.screens.metrics import MetricsScreen
from tui.widgets.metrics_charts import duration_chart, error_chart, groups, memory_chart

FILES = {
    "svl.yaml": "functions:\n  orders:\n    runtime: python3.12\n    handler: app.handler\n    memory_mb: 512\n",
    "app.py": "def handler(event, context):\n    return {'n': event.get('n')}\n",
}


def seed(root: Path, count: int) -> History:
    """``count`` recorded runs of ``orders``: every 10th cold, runs 20..24 failing, 100 MB peak."""
    history = History.for_project(root)
    spec = FunctionSpec(name="orders", source="svl.yaml", runtime="python3.12", handler="app.handler", memory_mb=512)
    for number in range(count):
        failed = 20 <= number < 25
        history.record(Result(
            request_id=f"r{number}", function="orders", status="error" if failed else "ok", cold=number % 10 == 0,
            duration_ms=float(10 + number % 10), billed_ms=10, memory_mb=512, max_memory_mb=100,
            init_ms=150.0 if number % 10 == 0 else None, cost_usd=1e-6,
            error={"errorType": "KeyError", "errorMessage": "x"} if failed else None,
            started_at=1_700_000_000.0 + number), {"n": number}, spec)
    return history


def text_of(screen: MetricsScreen, selector: str) -> str:
    rendered = screen.query_one(selector, Static).render()
    return str(rendered) if not hasattr(rendered, "plain") else rendered.plain


async def test_metrics_key_opens_the_view_with_figures_charts_and_a_projection(
        project_app: Callable[[dict[str, str]], tuple[Any, Path]]) -> None:
    app, root = project_app(FILES)
    seed(root, 40)
    async with app.run_test(size=(140, 45)) as pilot:
        app.main_screen.select("orders")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        assert screen.stats.count == 40 and screen.stats.errors == 5 and screen.stats.cold_starts == 4
        title = str(screen.query_one("#metrics-title").render())
        assert "orders (local) · 40 recorded runs" in title
        assert "from .svl/history · esc closes" in str(screen.query_one("#metrics-source").render())
        advice = text_of(screen, "#metrics-advice")
        assert "wasteful: peak 100 MB is 20% of 512 MB" in advice
        duration = text_of(screen, "#metrics-duration")
        assert duration.count("▴") >= 4 and "cold start" in duration  # one marker per cold run (40 columns fit)
        assert "top: the configured 512 MB" in text_of(screen, "#metrics-memory")
        assert "5 failed" in text_of(screen, "#metrics-errors")
        screen.query_one(Input).focus()
        await pilot.press(*"50/s")
        await pilot.pause()
        assert "131,400,000 requests a month: $" in text_of(screen, "#metrics-projection")
        assert "a month" in text_of(screen, "#metrics-advice")  # the saving at that rate
        screen.query_one(Input).value = "lots"
        await pilot.pause()
        assert "request rate 'lots'" in text_of(screen, "#metrics-projection")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MetricsScreen)
        # a run of this session lands in the same history: the view opened again counts it
        spec = app.main_screen.selected
        await app.engine.invoke_collect(spec, {"n": 1})
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, MetricsScreen) and app.screen.stats.count == 41


async def test_metrics_without_a_selection_says_so(
        project_app: Callable[[dict[str, str]], tuple[Any, Path]]) -> None:
    app, _root = project_app(FILES)
    async with app.run_test(size=(100, 30)) as pilot:
        app.main_screen.selected = None
        app.action_show_metrics()
        await pilot.pause()
        assert not isinstance(app.screen, MetricsScreen)
        assert any("Select a function first" in str(n.message) for n in app._notifications)


def test_charts_group_runs_when_there_are_more_than_columns(tmp_path: Path) -> None:
    runs = seed(tmp_path, 1000).load("orders", payloads=False)
    parts = groups(runs, 50)
    assert len(parts) == 50 and sum(len(part) for part in parts) == 1000
    chart = duration_chart(runs, 50).plain.splitlines()
    assert all(len(line.split(" ")[0]) <= 50 for line in chart[:6])
    assert "20 runs a column, the longest shown" in chart[-1]
    assert len(memory_chart(runs, 512, 50).plain.splitlines()[0].rstrip().split(" ")[0]) <= 50
    assert "5 failed" in error_chart(runs, 50).plain
    assert duration_chart([], 50).plain == "no runs yet"


async def test_deployed_metrics_read_cloudwatch_and_insights_fill_the_log_view(tmp_path: Path,
                                                                              fake_aws_env: None) -> None:
    import time
    from datetime import datetime, timezone

    import boto3
    from moto import mock_aws

    from invokers.aws.session import AwsSettings
    from invokers.discovery import discover
    from tests.tui.test_deployed import deploy, project
    from tests.tui.test_main_screen import wait_for
    from tui.app import SvlApp
    from tui.widgets.log_view import LogView

    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy("billing")
        metrics = boto3.client("cloudwatch")
        for metric, value in (("Invocations", 6), ("Errors", 2), ("Duration", 250.0)):
            metrics.put_metric_data(Namespace="AWS/Lambda", MetricData=[{
                "MetricName": metric, "Dimensions": [{"Name": "FunctionName", "Value": "billing"}], "Value": value,
                "Timestamp": datetime.now(timezone.utc)}])
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="/aws/lambda/billing")
        logs.create_log_stream(logGroupName="/aws/lambda/billing", logStreamName="s")
        logs.put_log_events(logGroupName="/aws/lambda/billing", logStreamName="s", logEvents=[
            {"timestamp": int(time.time() * 1000) - 1000, "message": "[ERROR]\t2026-01-02T03:04:05.678Z\tabc\tboom"}])
        app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 1)
            app.main_screen.select("aws:billing")
            await pilot.pause()
            await pilot.press("f3")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, MetricsScreen)
            assert "billing (deployed) · 0 recorded runs" in str(screen.query_one("#metrics-title").render())
            await wait_for(pilot, lambda: "invocations" in text_of(screen, "#metrics-cloud"))
            cloud = text_of(screen, "#metrics-cloud")
            assert "6 invocations · 2 errors (33.33%) · 0 throttles" in cloud and "max 250.00 ms" in cloud
            await pilot.click("#metrics-window-week")
            await wait_for(pilot, lambda: "per 60 min" in text_of(screen, "#metrics-cloud"))
            await pilot.press("escape")
            await pilot.pause()
            app.main_screen.deployed.show_insights(app.main_screen.selected, "errors")
            view = app.main_screen.query_one(LogView)
            await wait_for(pilot, lambda: bool(view.records))
            assert [(r.level, r.message) for r in view.records] == [("ERROR", "boom")]


async def test_power_tuning_from_the_palette_asks_runs_and_restores(tmp_path: Path, fake_aws_env: None) -> None:
    import boto3
    from moto import mock_aws

    from invokers.aws.session import AwsSettings
    from invokers.discovery import discover
    from tests.tui.test_deployed import deploy, project
    from tests.tui.test_main_screen import screen_text, wait_for
    from tui.app import SvlApp
    from tui.commands import tune_selected
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.prompt import PromptScreen
    from tui.screens.tune import TuneScreen

    with mock_aws(config={"lambda": {"use_docker": False}}):
        deploy("billing")
        client = boto3.client("lambda")
        app = SvlApp(discover(project(tmp_path)), aws=AwsSettings())
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: len(app.catalogue.deployed) == 1)
            app.main_screen.select("aws:billing")
            await pilot.pause()
            tune_selected(app, app.main_screen)
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            app.screen.query_one(Input).value = "64 x 2"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)  # refused, with the reason
            assert "Lambda takes 128" in str(app.screen.query_one("#prompt-hint", Static).render())
            app.screen.query_one(Input).value = "256,512 x 2"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert client.get_function_configuration(FunctionName="billing")["MemorySize"] == 128  # not yet
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, TuneScreen), timeout=60)
            shown = screen_text(app.screen)
            assert "256 MB" in shown and "512 MB" in shown and "cheapest" in shown
            assert "memory restored to 128 MB" in shown
            assert client.get_function_configuration(FunctionName="billing")["MemorySize"] == 128
            versions = client.list_versions_by_function(FunctionName="billing")["Versions"]
            assert [v["Version"] for v in versions] == ["$LATEST"]
