"""Snapshots of the main states, at 80x24 and 120x35 (update with: pytest --snapshot-update)."""

from __future__ import annotations

from tui.app import SvlApp
from tui.widgets.event_editor import EventEditor


def test_main_screen_80x24(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(80, 24))


def test_main_screen_120x35(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(120, 35))


def test_invalid_event_error_state_80x24(example_app: SvlApp, snap_compare) -> None:
    async def break_the_event(pilot) -> None:
        await pilot.pause()  # the first function's selection reaches the editor
        editor = example_app.main_screen.query_one(EventEditor)
        editor.text_area.cursor_blink = False  # a blinking cursor would make the snapshot flaky
        editor.text_area.load_text('{\n  "httpMethod": GET\n}')
        await pilot.pause(0.3)
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)

    assert snap_compare(example_app, terminal_size=(80, 24), run_before=break_the_event)


def test_help_screen_80x24(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(80, 24), press=["f1"])


def test_event_picker_120x35(example_app: SvlApp, snap_compare) -> None:
    assert snap_compare(example_app, terminal_size=(120, 35), press=["ctrl+t", "s"])
