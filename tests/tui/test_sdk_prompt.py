"""A Node function missing an SDK package that Lambda bundles: the UI offers to install it, once, and then it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.test_main_screen import finished, wait_for
from tui.widgets.function_list import FunctionList
from tui.widgets.run_area import RunArea

SMALL = "@aws-sdk/util-locate-window"  # a real v3 package Lambda bundles, with one small dependency
PROJECT = {
    "svl.yaml": "functions:\n  uses-sdk:\n    handler: app.handler\n    runtime: nodejs20.x\n",
    "app.js": f'const {{ locateWindow }} = require("{SMALL}");\n'
              "exports.handler = async () => ({ window: typeof locateWindow() });\n",
}


async def test_missing_bundled_sdk_is_offered_once_then_installed_and_runs(
        project_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    app, _root = project_app(PROJECT)
    async with app.run_test(size=(120, 35)) as pilot:
        app.main_screen.query_one(FunctionList).select("uses-sdk")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "uses-sdk"))
        run_area = app.main_screen.query_one(RunArea)
        assert run_area.runs and not next(iter(run_area.runs.values()))[-1].result.ok
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        assert SMALL in str(app.screen.question)
        await pilot.press("y")
        installed = tmp_path / "cache" / "svl-tui" / "node-sdk" / "v3" / "node_modules" / SMALL / "package.json"
        await wait_for(pilot, installed.is_file, timeout=120)
        await wait_for(pilot, lambda: any("AWS SDK installed" in (n.title or "") for n in app._notifications))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "uses-sdk", 2))
        result = next(iter(run_area.runs.values()))[-1].result
        assert result.ok and result.response == {"window": "object"}
        assert app.screen is app.main_screen  # installed: nothing is offered again
