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


async def test_the_picker_opens_the_form_of_the_highlighted_template(example_app) -> None:
    from textual.widgets import OptionList

    from tui.screens.event_picker import EventPickerScreen

    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.query_one(FunctionList).select("sqs-consumer")
        await pilot.pause()
        editor = screen.query_one(EventEditor)
        editor.pick()
        await pilot.pause()
        picker = example_app.screen
        assert isinstance(picker, EventPickerScreen)
        await pilot.press("ctrl+o")  # on the function's own event: not a template, nothing opens
        await pilot.pause()
        assert example_app.screen is picker
        for ch in "kinesis-analytics":
            await pilot.press(ch)
        await pilot.pause()
        options = picker.query_one("#picker-options", OptionList)
        assert options.get_option_at_index(options.highlighted or 0).id == "template:kinesis-analytics"
        assert picker.query_one("#picker").border_subtitle == EventPickerScreen.FORM_HINT
        await pilot.press("ctrl+o")  # while the filter still has focus
        await pilot.pause()
        form = example_app.screen
        assert isinstance(form, EventFormScreen)
        form.query_one("#param-application").value = "clicks"
        form.query_one("#param-variant").value = "kpl"
        form.query_one("#param-application").focus()
        await pilot.press("enter")
        await pilot.pause()
        event = json.loads(editor.text)
        assert event["applicationArn"].endswith(":application/clicks")
        assert "kinesisStreamRecordMetadata" in event["records"][0]


async def test_at_80x24_how_to_generate_and_a_bad_value_stay_in_view(example_app) -> None:
    """The sqs form is taller than 24 rows: its hint (and the error that replaces it) must not scroll away."""
    async with example_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        example_app.main_screen.editor.open_form("sqs")
        await pilot.pause()
        form = example_app.screen
        assert isinstance(form, EventFormScreen)
        hint, dialog = form.query_one("#form-hint"), form.query_one("#form-dialog")
        assert dialog.region.contains_region(hint.region) and "enter generates" in str(hint.render())
        form.query_one("#param-records").value = "many"
        form.query_one("#param-records").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.region.contains_region(hint.region) and "expected a whole number" in str(hint.render())
