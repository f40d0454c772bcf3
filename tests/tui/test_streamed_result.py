"""A streamed response grows in the result panel while the handler still runs."""

from __future__ import annotations

import textwrap

from tests.invokers.test_response_streaming import STREAMING
from tests.tui.test_main_screen import finished, screen_text, wait_for
from tui.widgets.function_list import FunctionList
from tui.widgets.timing_panel import TimingPanel

PROJECT = {
    "svl.yaml": "functions:\n  live:\n    handler: app.handler\n    runtime: nodejs20.x\n    timeout: 30\n",
    "app.js": textwrap.dedent(STREAMING),
}


async def test_the_result_panel_grows_as_chunks_arrive(project_app) -> None:
    app, root = project_app(PROJECT)
    async with app.run_test(size=(120, 35)) as pilot:
        app.main_screen.query_one(FunctionList).select("live")
        await pilot.press("ctrl+r")
        panel = app.main_screen.query_one(TimingPanel)
        await wait_for(pilot, lambda: "first;" in screen_text(panel), timeout=30)
        assert not finished(app, "live")  # the handler waits for the signal below: still running
        (root / "go").write_text("")
        await wait_for(pilot, lambda: finished(app, "live"), timeout=30)
        run = app.main_screen.run_area.runs["live"][-1]
        assert run.result.ok and run.result.response == "first;signalled;last"
