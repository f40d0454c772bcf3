"""What a first-time user hit (issue 13), each reproduced as a pilot test."""

from __future__ import annotations

from tests.tui.test_main_screen import finished, wait_for
from tui.app import SvlApp
from tui.widgets.event_editor import EventEditor


async def test_palette_invoke_runs_the_named_function_not_the_selected_one(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.select("orders-api")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Invoke always-fails")
        await wait_for(pilot, lambda: "Invoke always-fails" in str(example_app.screen.query("CommandList").first()
                                                                   .get_option_at_index(0).prompt))
        await pilot.press("enter")
        await wait_for(pilot, lambda: finished(example_app, "always-fails"))
        assert "orders-api" not in screen.run_area.runs
        assert screen.selected is not None and screen.selected.name == "always-fails"
        run = screen.run_area.runs["always-fails"][0]
        assert run.event == screen.query_one(EventEditor).parsed()[0]  # the event it showed, not orders-api's
