"""A runtime this machine cannot run as declared is never silent in the UI: marked in the list, explained."""

from __future__ import annotations

from tests.tui.test_main_screen import finished, screen_text, wait_for
from tui.widgets.function_list import FunctionList
from tui.widgets.timing_panel import TimingPanel

PROJECT = {
    "svl.yaml": "functions:\n  odd:\n    handler: app.handler\n    runtime: python3.99\n"
                "  plain:\n    handler: app.handler\n",
    "app.py": "def handler(event, context):\n    return {'ok': True}\n",
}


async def test_a_runtime_mismatch_is_marked_in_the_list_and_explained_in_the_result(project_app) -> None:
    app, _root = project_app(PROJECT)
    async with app.run_test(size=(120, 35)) as pilot:
        functions = app.main_screen.query_one(FunctionList)
        labels = {option.id: str(option.prompt) for option in functions.options.options if option.id}
        odd = next(text for key, text in labels.items() if "odd" in key)
        plain = next(text for key, text in labels.items() if "plain" in key)
        assert "⚠" in odd and "⚠" not in plain
        functions.select("odd")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "odd"))
        shown = screen_text(app.main_screen.query_one(TimingPanel))
        assert "python3.99 is not installed here" in shown and "SVL_PYTHON3_99" in shown
