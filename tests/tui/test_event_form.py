"""The parameter form: filled fields go to the generator, empty ones keep defaults, bad values stay on screen."""

from __future__ import annotations

import json

from tui.screens.event_form import EventFormScreen
from tui.widgets.event_editor import EventEditor
from tui.widgets.function_list import FunctionList


async def test_form_generates_with_the_given_parameters_and_reports_bad_ones(example_app) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.query_one(FunctionList).select("sqs-consumer")
        await pilot.pause()
        editor = screen.query_one(EventEditor)
        editor.open_form("sqs")
        await pilot.pause()
        form = example_app.screen
        assert isinstance(form, EventFormScreen)
        form.query_one("#param-records").value = "many"
        form.query_one("#param-queue").value = "orders.fifo"
        form.query_one("#param-body").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert example_app.screen is form  # still open, with what was typed
        assert "expected a whole number" in str(form.query_one("#form-hint").render())
        form.query_one("#param-records").value = "3"
        await pilot.press("enter")
        await pilot.pause()
        event = json.loads(editor.text)
        assert len(event["Records"]) == 3 and event["Records"][0]["eventSourceARN"].endswith(":orders.fifo")
        assert editor.border_title == "Event · sqs-consumer · template: sqs (with parameters)"
