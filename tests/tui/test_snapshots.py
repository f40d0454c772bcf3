"""Snapshots of the main states at 80x24, 100x30 and 160x45 (update with: pytest --snapshot-update).

80 and 100 columns stack the result under the logs (the logs get the full width) and shorten names in the
middle; 160 columns put them side by side.
"""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.tui.test_main_screen import wait_for
from tests.tui.test_metrics_screen import FILES, seed
from tui.app import SvlApp
from tui.screens.metrics import MetricsScreen
from tui.widgets.event_editor import EventEditor


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
