"""Snapshots of the main states at 80x24, 100x30 and 160x45 (update with: pytest --snapshot-update).

80 and 100 columns stack the result under the logs (the logs get the full width) and shorten names in the
middle; 160 columns put them side by side.
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input, Static

from invokers.models import LogRecord, Result
from tests.tui.test_main_screen import wait_for
from tests.tui.test_metrics_screen import FILES, seed
from tui.app import SvlApp
from tui.messages import InvocationFinished
from tui.screens.metrics import MetricsScreen
from tui.widgets.event_editor import EventEditor


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    """Times drawn in UTC, so snapshots holding a clock time are the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_main_screen_80x24(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(80, 24))


def test_main_screen_100x30(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(100, 30))


def test_main_screen_160x45(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(160, 45))


def test_twin_names_stay_apart_80x24(example_app: SvlApp, snap_compare) -> None:
    """kinesis-consumer (Python) and kinesis-consumer-node: both names and both runtimes readable."""

    async def filter_kinesis(pilot) -> None:
        await pilot.pause()
        box = example_app.main_screen.query_one("#function-filter", Input)
        box.cursor_blink = False
        await pilot.press("ctrl+f", *"kinesis")
        options = example_app.main_screen.functions.options
        await wait_for(pilot, lambda: len([o for o in options.options if o.id]) == 2)

    assert snap_compare(example_app, terminal_size=(80, 24), run_before=filter_kinesis)


def test_invalid_event_error_state_80x24(example_app: SvlApp, snap_compare) -> None:
    async def break_the_event(pilot) -> None:
        await pilot.pause()  # the first function's selection reaches the editor
        editor = example_app.main_screen.query_one(EventEditor)
        editor.text_area.cursor_blink = False  # a blinking cursor would make the snapshot flaky
        editor.text_area.load_text('{\n  "httpMethod": GET\n}')
        status = editor.query_one("#event-status", Static)
        await wait_for(pilot, lambda: "✗ line 2" in str(status.render()))  # validated (after its debounce)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: any(n.title == "Invalid event" for n in example_app._notifications))
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(example_app, terminal_size=(80, 24), run_before=break_the_event)


def test_help_screen_80x24(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(80, 24), press=["f1"])


def test_event_picker_120x35(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(120, 35), press=["ctrl+t", "s"])


def test_metrics_screen_80x24(project_app, snap_compare) -> None:
    """The header fits 80 columns: the function, the count, where the runs come from, how to leave."""
    app, root = project_app(FILES)
    seed(root, 40)

    async def open_metrics(pilot) -> None:
        app.main_screen.select("orders")
        await pilot.pause()
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricsScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_metrics)


def _record_runs(app: SvlApp) -> None:
    """Five finished runs of orders-api with fixed figures and times (cold, warm, a failure): what f9 lists."""
    spec = app.catalogue.get("orders-api")
    assert spec is not None
    for n, (cold, duration, status) in enumerate([(True, 182.5, "ok"), (False, 3.25, "ok"), (False, 2.5, "ok"),
                                                  (False, 41.0, "error"), (False, 2.75, "ok")]):
        request_id = f"{n:08d}-0000-4000-8000-000000000000"
        started = 1_700_000_000.0 + 60 * n
        result = Result(request_id=request_id, function=spec.name, status=status, cold=cold,  # type: ignore[arg-type]
                        duration_ms=duration, billed_ms=int(duration) + 1, memory_mb=128, max_memory_mb=40,
                        init_ms=150.0 if cold else None, started_at=started,
                        response={"statusCode": 200, "body": f"run {n}"} if status == "ok" else None,
                        error=None if status == "ok" else {"errorType": "KeyError", "errorMessage": "'id'"})
        records = [LogRecord(started, f"START RequestId: {request_id} Version: $LATEST", request_id, "INFO",
                             "platform"),
                   LogRecord(started + 0.001, f"handling order {n}", request_id),
                   LogRecord(started + 0.002, f"END RequestId: {request_id}", request_id, "INFO", "platform")]
        app.main_screen.run_area.post_message(InvocationFinished(spec, {"n": n}, result, records))


def _history_open(app: SvlApp):
    async def run_before(pilot) -> None:
        await pilot.pause()
        _record_runs(app)
        await wait_for(pilot, lambda: len(app.main_screen.run_area.runs.get("orders-api", [])) == 5)
        spec = app.catalogue.get("orders-api")
        assert spec is not None
        app.main_screen.run_area.show_function(spec)  # the newest run's logs, as after a real invoke
        app.clear_notifications()  # the example's welcome toast would cover the list
        await pilot.press("f9")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 35), (160, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_lists_the_runs(example_app: SvlApp, snap_compare, size, utc) -> None:
    """f9 at every size: the chart and the list of runs (newest first, highlighted), and how to pick one."""
    assert snap_compare(example_app, terminal_size=size, run_before=_history_open(example_app))


def test_traffic_screen_80x24(example_app: SvlApp, snap_compare) -> None:
    """Opaque, titled, and saying how to start the endpoint and how to leave (the main screen showed through)."""

    async def open_traffic(pilot) -> None:
        await pilot.pause()
        example_app.clear_notifications()
        example_app.show_traffic()
        await pilot.pause()

    assert snap_compare(example_app, terminal_size=(80, 24), run_before=open_traffic)
