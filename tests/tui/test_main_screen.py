"""Pilot tests: the real app, the real engine, keys pressed as a user would."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from textual.widgets import OptionList

from tui.app import SvlApp
from tui.widgets.event_editor import EventEditor
from tui.widgets.function_list import FunctionList
from tui.widgets.log_view import LogView
from tui.widgets.timing_panel import TimingPanel


async def wait_for(pilot, condition, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


async def save_until(pilot, path: Path, text: str, condition, timeout: float = 15.0) -> None:
    """Save ``path`` until ``condition`` holds.

    The file watcher arms shortly after the app starts and a save made before that goes unseen: saving
    again each second waits on the outcome itself instead of guessing a fixed delay.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        path.write_text(text)
        try:
            await wait_for(pilot, condition, timeout=1.0)
            return
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise


def screen_text(widget) -> str:
    """What the Static children of ``widget`` show, as plain text."""
    from rich.console import Console

    console = Console(width=100, record=True, file=io.StringIO())
    for child in widget.query("Static"):
        console.print(child.content)
    return console.export_text()


def _decoded_data(screen) -> str:
    """The first Kinesis record's data as the editor holds it, decoded (empty while the editor is not JSON)."""
    import base64

    try:
        event = json.loads(screen.query_one(EventEditor).text)
        return base64.b64decode(event["Records"][0]["kinesis"]["data"]).decode()
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def finished(app: SvlApp, name: str, count: int = 1) -> bool:
    return len(app.main_screen.run_area.runs.get(name, [])) >= count


async def test_select_function_pick_template_fire_and_see_logs_and_timing(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.query_one(FunctionList).select("sqs-consumer")
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"amazon", "enter")  # "sqs" alone would first find the project's events/sqs_batch.json
        await pilot.pause()
        editor = screen.query_one(EventEditor)
        assert editor.border_title == "Event · sqs-consumer · template: sqs"
        assert json.loads(editor.text)["Records"][0]["body"] == "Hello from SQS!"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(example_app, "sqs-consumer"))
        log = screen.query_one(LogView)
        await wait_for(pilot, lambda: log.records and log.records[-1].message.startswith("REPORT"))
        messages = [r.message for r in log.records]
        assert messages[0].startswith("START RequestId:")
        assert any("cannot parse message" in m for m in messages)
        assert messages[-1].startswith("REPORT RequestId:")
        text = screen_text(screen.query_one(TimingPanel))
        assert "OK" in text and "cold start" in text and "billed" in text and "per 1M" in text
        assert screen.query_one(FunctionList)._states["sqs-consumer"] == "warm"


async def test_second_invoke_is_warm_and_history_charts_both(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.query_one(FunctionList).select("warmup-aware")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(example_app, "warmup-aware"))
        await pilot.press("f6")
        await wait_for(pilot, lambda: finished(example_app, "warmup-aware", 2))
        first, second = (run.result for run in screen.run_area.runs["warmup-aware"])
        assert first.cold and not second.cold
        await pilot.press("f9")
        await pilot.pause()
        options = screen.query_one("#history-runs", OptionList)
        assert options.option_count == 2
        assert "warm" in str(options.get_option_at_index(0).prompt)


async def test_invalid_json_is_not_sent_and_stays_in_the_editor(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        await pilot.pause()  # the first function's selection reaches the editor
        editor = screen.query_one(EventEditor)
        editor.text_area.load_text('{"broken": ,}')
        await wait_for(pilot, lambda: "line 1, col 12" in screen_text(editor))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: any("not valid JSON" in n.message for n in example_app._notifications))
        assert editor.text == '{"broken": ,}'
        assert not screen.run_area.runs


async def test_validation_warns_but_does_not_block(project_app) -> None:
    app, _root = project_app({"app.py": "def handler(e, c):\n    return e\n",
                              "svl.yaml": "functions:\n  echo:\n    handler: app.handler\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()  # the first function's selection reaches the editor
        editor = app.main_screen.query_one(EventEditor)
        editor.text_area.load_text('{"Records": [{"messageId": "1", "body": {"not": "a string"}, '
                                   '"eventSource": "aws:sqs"}]}')
        await wait_for(pilot, lambda: "$.Records[0]" in screen_text(editor))
        assert "sqs" in screen_text(editor)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "echo"))
        assert app.main_screen.run_area.runs["echo"][0].result.response["Records"][0]["body"] == {"not": "a string"}


async def test_unsaved_edits_survive_switching_functions(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        functions = screen.query_one(FunctionList)
        editor = screen.query_one(EventEditor)
        functions.select("always-fails")
        await pilot.pause()
        editor.text_area.load_text('{"amount": 12}')
        functions.select("orders-api")
        await pilot.pause()
        assert "httpMethod" in editor.text
        functions.select("always-fails")
        await pilot.pause()
        assert editor.text == '{"amount": 12}'


async def test_function_error_and_crash_are_shown_not_raised(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.query_one(FunctionList).select("always-fails")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(example_app, "always-fails"))
        await wait_for(pilot, lambda: "ValueError" in screen_text(screen.query_one(TimingPanel)))
        text = screen_text(screen.query_one(TimingPanel))
        assert "ERROR" in text and "ValueError" in text and "amount must be positive" in text


async def test_long_invoke_keeps_ui_responsive_and_can_be_cancelled(project_app) -> None:
    app, _root = project_app({
        "slow.py": "import time\ndef handler(e, c):\n    print('started', flush=True)\n    time.sleep(30)\n",
        "svl.yaml": "functions:\n  slow:\n    handler: slow.handler\n    timeout: 60\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.main_screen
        await pilot.press("ctrl+r")
        view = screen.query_one(LogView)
        await wait_for(pilot, lambda: any(r.message == "started" for r in view.records))
        await pilot.press("ctrl+f", *"sl")  # the UI still takes keys while the handler sleeps
        await pilot.pause()
        assert screen.query_one("#function-filter").value == "sl"
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: screen.run_area.in_flight is None)
        assert "cancelled" in screen_text(screen.query_one(TimingPanel))
        assert not app.engine.is_warm("slow")


async def test_save_event_writes_file_under_project(project_app) -> None:
    app, root = project_app({"app.py": "def handler(e, c):\n    return e\n",
                             "svl.yaml": "functions:\n  echo:\n    handler: app.handler\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()  # the first function's selection reaches the editor
        app.main_screen.query_one(EventEditor).text_area.load_text('{"saved": 1}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"../bad", "enter")
        await pilot.pause()
        assert not (root / ".svl").exists()  # refused: the dialog stays open with the reason
        await pilot.press(*["backspace"] * 6, *"first", "enter")
        await pilot.pause()
    assert json.loads((root / ".svl" / "events" / "echo" / "first.json").read_text()) == {"saved": 1}


async def test_reload_marks_function_and_auto_rerun_fires_again(project_app) -> None:
    app, root = project_app({"app.py": "def handler(e, c):\n    return 1\n",
                             "svl.yaml": "functions:\n  f:\n    handler: app.handler\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.main_screen
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "f"))
        await pilot.press("f7")
        await save_until(pilot, root / "app.py", "def handler(e, c):\n    return 2\n", lambda: finished(app, "f", 2))
        run = screen.run_area.runs["f"][1]
        assert run.result.response == 2 and run.result.cold
        assert run.comparison is not None and run.comparison.response_changed
        assert "response changed" in screen_text(screen.query_one(TimingPanel))


async def test_syntax_error_on_reload_is_a_notification(project_app) -> None:
    app, root = project_app({"app.py": "def handler(e, c):\n    return 1\n",
                             "svl.yaml": "functions:\n  f:\n    handler: app.handler\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "f"))
        await save_until(pilot, root / "app.py", "def handler(e, c):\n    return (\n",
                         lambda: any("does not load" in (n.title or "") for n in app._notifications))
        assert app.main_screen.query_one(FunctionList)._states["f"] == "error"


async def test_help_and_palette_list_actions(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert example_app.screen.__class__.__name__ == "HelpScreen"
        text = screen_text(example_app.screen.query_one("#help-body"))
        assert "Cancel the running invoke" in text and "ctrl+k" in text
        assert "enter on one shows its logs, result and event" in text  # how to use the history, not only open it
        await pilot.press("escape")
        await pilot.pause()
        titles = [c.title for c in example_app.get_system_commands(example_app.main_screen)]
        assert "Invoke" in titles and "Auto-rerun" in titles


async def test_the_sidebar_key_hides_the_list_and_hands_the_focus_to_the_editor(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        screen = example_app.main_screen
        assert screen.focused is screen.functions.options
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not screen.functions.display
        assert screen.focused is screen.editor.text_area  # not lost on a hidden widget
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert screen.functions.display


async def test_follow_logs_on_a_local_function_says_what_it_needs(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await wait_for(pilot, lambda: any("Pick a deployed function to follow" in n.message
                                          for n in example_app._notifications))
        assert example_app.main_screen.deployed.following is None


async def test_keys_can_be_remapped_by_id(tmp_path: Path, monkeypatch) -> None:
    from invokers.discovery import discover, example_project

    config = tmp_path / "config" / "svl-tui" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("keys:\n  invoke: ctrl+e\n  nonsense: x\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = SvlApp(discover(example_project()))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: finished(app, "orders-api"))
        assert any("unknown action id 'nonsense'" in n.message for n in app._notifications)


async def test_decoded_view_edits_kinesis_data_and_encodes_it_back(example_app: SvlApp) -> None:
    import base64

    async with example_app.run_test(size=(120, 35)) as pilot:
        screen = example_app.main_screen
        screen.query_one(FunctionList).select("kinesis-consumer")
        await wait_for(pilot, lambda: '"kinesis"' in screen.query_one(EventEditor).text)
        # No pause for the editor's debounced validation: the decoded view must not depend on it.
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: example_app.screen.__class__.__name__ == "DecodedScreen")
        text_area = example_app.screen.query_one("#decoded-text")
        await wait_for(pilot, lambda: bool(text_area.text))
        assert json.loads(text_area.text) == {"sensor": "t-1", "celsius": 21.5}
        text_area.load_text('{"sensor": "t-9", "celsius": -4}')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: example_app.screen is screen and "t-1" not in _decoded_data(screen))
        event = json.loads(screen.query_one(EventEditor).text)
        assert json.loads(base64.b64decode(event["Records"][0]["kinesis"]["data"])) == {"sensor": "t-9", "celsius": -4}
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(example_app, "kinesis-consumer"))
        assert any("t-9" in r.message for r in screen.query_one(LogView).records)


async def test_an_empty_project_says_how_to_add_functions(project_app) -> None:
    app, _root = project_app({"README.md": "nothing here\n"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "No functions found" in screen_text(app.main_screen.query_one(TimingPanel))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert any("Pick a function first" in n.message for n in app._notifications)


async def test_a_project_whose_functions_failed_to_load_says_so_not_to_add_some(project_app) -> None:
    """An Azure app without its packages installed, a broken svl.yaml: the functions exist, the errors say why
    none loaded; 'add an svl.yaml' would send a newcomer the wrong way."""
    app, _root = project_app({"svl.yaml": "functions:\n  f: [\n"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app.main_screen.query_one(TimingPanel))
        assert "No functions could be loaded" in text and "error" in text
        assert "Add an svl.yaml" not in text


async def test_invalid_json_is_not_saved_and_the_cursor_goes_to_the_error(project_app) -> None:
    app, root = project_app({"app.py": "def handler(e, c):\n    return e\n",
                             "svl.yaml": "functions:\n  echo:\n    handler: app.handler\n"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        editor = app.main_screen.query_one(EventEditor)
        editor.text_area.load_text('{\n  "a": 1,\n  oops\n}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.main_screen  # no name was asked for
        assert any("nothing was saved" in n.message for n in app._notifications)
        assert editor.text == '{\n  "a": 1,\n  oops\n}' and editor.text_area.cursor_location[0] == 2
    assert not (root / ".svl").exists()
