"""A burst from the palette: N x C asked in a prompt, run on the app's engine, its report shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from tui.controllers.burst import parse
from tui.screens.prompt import PromptScreen

FILES = {
    "app.py": "import time\ndef handler(event, context):\n    time.sleep(0.3)\n    return event\n",
    "svl.yaml": "functions:\n  slow:\n    handler: app.handler\n",
}


def test_parse_takes_n_or_n_by_c() -> None:
    assert parse("20") == (20, 1) and parse("20 x 5") == (20, 5) and parse("20x5") == (20, 5)
    assert parse(" 8 3 ") == (8, 3) and parse("8,3") == (8, 3)
    for bad, words in (("x 5", "write N or N x C"), ("0 x 2", "N must be"), ("5 x 0", "C must be"),
                       ("20 x 5000", "C must be")):
        with pytest.raises(ValueError, match=words):
            parse(bad)


async def test_burst_from_the_palette_reports_cold_starts_and_percentiles(
        project_app: Callable[[dict[str, str]], tuple[Any, Path]]) -> None:
    app, _root = project_app(FILES)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        screen = app.main_screen
        screen.select("slow")
        await pilot.pause()
        screen.editor.text_area.text = '{"n": 1}'
        app.burst.ask(screen)
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        prompt.query_one(Input).value = "6 x 0"
        await pilot.press("enter")
        assert app.screen is prompt  # refused, with the reason, and the text kept to fix
        assert "C must be" in str(prompt.query_one("#prompt-hint", Static).render())
        prompt.query_one(Input).value = "6 x 3"
        await pilot.press("enter")
        bursts = [worker for worker in app.workers if worker.group == "burst"]
        assert len(bursts) == 1
        await app.workers.wait_for_complete(bursts)
        await pilot.pause()
    report = app.burst.last
    assert report is not None and report.function == "slow"
    assert (report.repeat, report.concurrency, report.ok, report.errors, report.throttled) == (6, 3, 6, 0, 0)
    assert report.cold_starts == 3  # three at a time: three environments, then warm reuse
    assert report.p50_ms is not None and report.p99_ms is not None and report.p50_ms <= report.p99_ms
