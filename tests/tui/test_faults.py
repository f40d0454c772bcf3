"""What a first-time user hit (issue 13), each reproduced as a pilot test."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input, OptionList

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


async def test_keys_queued_for_the_list_while_focus_moves_to_the_filter_are_kept_in_order(
        example_app: SvlApp) -> None:
    """A fast typist's keys reach the list before the first one has moved the focus to the filter."""
    from textual import events

    from tui.widgets.function_list import FunctionList

    async with example_app.run_test(size=(120, 35)) as pilot:
        functions = example_app.main_screen.query_one(FunctionList)
        functions.options.focus()
        await pilot.pause()
        for ch in "kinesis-consumer-n":  # all queued at the app at once, as the terminal sends a burst
            example_app.post_message(events.Key(ch, ch))
        box = functions.query_one("#function-filter", Input)
        await wait_for(pilot, lambda: len(box.value) >= len("kinesis-consumer-n"))
        assert box.value == "kinesis-consumer-n"
        assert [o.id for o in functions.options.options if o.id] == ["kinesis-consumer-node"]


async def test_keys_typed_before_the_event_picker_has_focus_are_kept(example_app: SvlApp) -> None:
    from textual import events

    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        example_app.main_screen.editor.pick()
        picker = example_app.screen
        for ch in "dynamodb":  # at the screen, before its filter is focused
            picker.post_message(events.Key(ch, ch))
        await wait_for(pilot, lambda: picker.query("#picker-filter") and len(
            picker.query_one("#picker-filter", Input).value) >= len("dynamodb"))
        assert picker.query_one("#picker-filter", Input).value == "dynamodb"


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_history_shows_the_chosen_runs_logs_result_and_a_readable_title(project_app, size) -> None:
    """At both sizes the list of runs is on screen (not only the chart) and picking one shows that run."""
    from tui.widgets.log_view import LogView
    from tui.widgets.timing_panel import TimingPanel

    app, _root = project_app({"app.py": "def handler(e, c):\n    print('got', e['n'])\n    return e['n']\n",
                              "svl.yaml": "functions:\n  f:\n    handler: app.handler\n"})
    async with app.run_test(size=size) as pilot:
        screen = app.main_screen
        await pilot.pause()
        for n in (1, 2):
            screen.editor.text_area.load_text(f'{{"n": {n}}}')
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda n=n: finished(app, "f", n))
        await pilot.press("f9")
        await pilot.pause()
        runs = screen.query_one("#history-runs", OptionList)
        assert runs.has_focus and runs.option_count == 2
        assert runs.region.height >= 2 and runs.region.width >= 30  # both rows on screen, readable
        assert "warm" in str(runs.get_option_at_index(0).prompt)  # newest first
        await pilot.press("down", "enter")  # the list is newest first: the second row is the first run
        await wait_for(pilot, lambda: "got 1" in [r.message for r in screen.query_one(LogView).records])
        assert screen.query_one(TimingPanel).display  # the result panel is back, showing that run
        assert "got 1" in [r.message for r in screen.query_one(LogView).records]
        first = screen.run_area.runs["f"][0]
        assert screen.run_area.query_one(TimingPanel).border_title == f"Result · f · {first.title}"  # not the last
        assert f"Event · f · event of {first.title}" == screen.editor.border_title
        assert "run (cold" in first.title and "index" not in first.title


async def test_a_template_over_an_edited_event_is_one_undo_away(example_app: SvlApp) -> None:
    from tui.screens.event_picker import Choice

    async with example_app.run_test(size=(120, 35)) as pilot:
        editor = example_app.main_screen.editor
        await pilot.pause()
        editor.text_area.focus()
        editor.text_area.load_text('{"mine": true}')
        editor.text_area.insert("\n")  # an edit the user typed
        edited = editor.text
        editor.load_choice(Choice("template", "sqs"))
        await pilot.pause()
        assert "Records" in editor.text
        assert any("ctrl+z" in n.message for n in example_app._notifications)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert editor.text == edited


async def test_tab_in_the_editor_indents_and_esc_leaves_as_help_says(example_app: SvlApp) -> None:
    import io

    from rich.console import Console

    async with example_app.run_test(size=(120, 35)) as pilot:
        editor = example_app.main_screen.editor
        await pilot.pause()
        editor.text_area.focus()
        editor.text_area.load_text("")
        await pilot.press("tab")
        assert editor.text.startswith(" ") and editor.text_area.has_focus
        await pilot.press("escape")
        assert not editor.text_area.has_focus
        assert editor.border_subtitle == "tab indents · esc leaves"
        await pilot.press("f1")
        await pilot.pause()
        console = Console(width=300, record=True, file=io.StringIO())
        console.print(example_app.screen.query_one("#help-body Static").content)
        assert "Move between panels (in the event editor tab indents: esc leaves it)" in console.export_text()


async def test_many_config_warnings_are_one_toast(project_app) -> None:
    lines = "".join(f"  f{i}:\n    handler: app.handler\n    colour: red\n" for i in range(19))
    app, _root = project_app({"app.py": "def handler(e, c):\n    return 1\n", "svl.yaml": f"functions:\n{lines}"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        warnings = [n for n in app._notifications if n.title.startswith("Config warning")]
        assert len(warnings) == 1
        assert "and 16 more" in warnings[0].message and "svl-tui list" in warnings[0].message


async def test_palette_offers_no_deployed_commands_without_deployed_functions(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        titles = [c.title for c in example_app.get_system_commands(example_app.main_screen)]
        assert not [t for t in titles if "eployed" in t or t == "Follow logs"]


def test_names_are_shortened_in_the_middle_so_twins_stay_apart() -> None:
    from tui.widgets.function_list import shorten

    assert shorten("kinesis-consumer", 16) == "kinesis-consumer"
    assert shorten("kinesis-consumer-node", 17) == "kinesis-…mer-node"
    assert shorten("kinesis-consumer", 12) != shorten("kinesis-consumer-node", 12)
    assert len(shorten("a-very-long-function-name", 10)) == 10


def test_narrow_logs_summarise_lambda_platform_lines() -> None:
    from tui.widgets.log_view import platform_summary

    rid = "8f5a2b1c-0000-4000-8000-000000000001"
    assert platform_summary(f"START RequestId: {rid} Version: $LATEST") == "START 8f5a2b1c $LATEST"
    assert platform_summary(f"REPORT RequestId: {rid}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
                            "Memory Size: 128 MB\tMax Memory Used: 45 MB\tInit Duration: 168.25 ms") == \
        "REPORT 12.34 ms, 45/128 MB, init 168 ms"
    assert platform_summary(f"REPORT RequestId: {rid}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
                            "Memory Size: 128 MB\tMax Memory Used: 45 MB\tStatus: timeout").endswith(", timeout")
    assert platform_summary("plain text") == "plain text"
    assert platform_summary(f"Executing 'Functions.hello' (Reason='This function was programmatically called via "
                            f"the host APIs.', Id={rid})") == "Executing Functions.hello 8f5a2b1c"
    assert platform_summary(f"Executed 'Functions.hello' (Failed, Id={rid}, Duration=12ms)") == (
        "Executed Functions.hello Failed 12 ms")


async def test_level_column_and_counter_read_right(example_app: SvlApp) -> None:
    from invokers.models import LogRecord
    from tui.widgets.log_panel import LogPanel
    from tui.widgets.log_view import LogView

    async with example_app.run_test(size=(80, 24)) as pilot:
        view = example_app.main_screen.query_one(LogView)
        records = [LogRecord(1.0, f"line {i}", level="DEBUG") for i in range(5)]
        records.append(LogRecord(1.0, '{"a": 1, "b": 2}', level="INFO", fields={"a": 1, "b": 2, "c": 3}))
        view.add_records(records)
        view.cursor = 5
        view.action_toggle_expand()
        await pilot.pause()
        text = "".join(segment.text for segment in view._segments(0, view.rich_style))
        assert "DEBUG" in text
        assert example_app.main_screen.query_one(LogPanel).border_subtitle.startswith("6 ·")  # not 9/6


@pytest.mark.parametrize("size", [(80, 24), (120, 35), (160, 45)])
async def test_the_logs_scroll_sideways_only_when_a_shown_line_is_wider_than_the_panel(example_app: SvlApp,
                                                                                       size) -> None:
    """Narrow, START/END/REPORT are summarised: the raw lines' length must not add a scroll bar to nowhere."""
    from tui.widgets.log_view import LogView

    async with example_app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")  # orders-api writes only the platform lines
        await wait_for(pilot, lambda: finished(example_app, "orders-api"))
        view = example_app.main_screen.query_one(LogView)
        await wait_for(pilot, lambda: len(view.records) >= 3)
        await pilot.pause()
        widest = max(len(view.render_line(y).text.rstrip()) for y in range(len(view.records)))
        assert widest < view.size.width  # everything fits...
        assert view.max_scroll_x == 0  # ...so there is nothing to scroll to
        view.add_records([replace(view.records[0], message="x" * 300, stream="stdout")])
        await pilot.pause()
        assert view.max_scroll_x > 0  # a really long line still scrolls


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_every_line_of_the_function_list_fits_its_width(project_app, size) -> None:
    """An Azure app's 1536 MB and 300 s made the runtime line wrap at 80 columns, a stray '300s' line."""
    app, _root = project_app({
        "svl.yaml": "functions:\n  cleanup:\n    handler: app.handler\n    memory_mb: 1536\n    timeout: 300\n"
                    "  report:\n    handler: app.handler\n    memory_mb: 10240\n    timeout: 900\n",
        "app.py": "def handler(event, context):\n    return 1\n"})
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        options = app.main_screen.functions.options
        room = options.scrollable_content_region.width
        lines = [line for option in options.options if option.id
                 for line in option.prompt.plain.splitlines()]  # type: ignore[union-attr]
        assert any("1536M" in line for line in lines) and any("10240M" in line for line in lines)
        assert all(len(line) <= room for line in lines), (room, lines)
        assert any("5m" in line for line in lines) and any("15m" in line for line in lines)


def test_a_duration_change_smaller_than_the_shown_precision_is_never_minus_zero() -> None:
    """#13: watch printed 'duration -0.00 ms'; the result panel and the compare screen drew the same."""
    from rich.console import Console

    from invokers.models import Comparison, Result
    from tui.format import figures, signed_ms

    assert signed_ms(-0.004) == "+0.00 ms" and signed_ms(-0.006) == "-0.01 ms" and signed_ms(1.5) == "+1.50 ms"
    result = Result(request_id="r", function="f", status="ok", cold=False, duration_ms=1.0, billed_ms=1,
                    memory_mb=128, max_memory_mb=40)
    console = Console(width=60, record=True, color_system=None)
    console.print(figures(result, Comparison(result, result, -0.003, False, False)))
    text = console.export_text()
    assert "-0.00" not in text and "+0.00 ms" in text


async def test_a_question_is_not_hidden_under_earlier_notices(example_app: SvlApp) -> None:
    """At 80x24 the start-up toasts (config warnings, the example's welcome) covered a dialog's buttons."""
    from tui.screens.confirm import ConfirmScreen

    async with example_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        example_app.notify("a long warning " * 12, title="Config warning", severity="warning", timeout=30)
        await pilot.pause()
        assert example_app._notifications
        example_app.push_screen(ConfirmScreen("Read values from AWS?", "Read them?", yes="Read"))
        await wait_for(pilot, lambda: isinstance(example_app.screen, ConfirmScreen))
        await pilot.pause()
        assert not example_app._notifications  # the question and its buttons are all that is shown
        await pilot.press("n")
