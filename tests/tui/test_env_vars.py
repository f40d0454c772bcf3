"""Palette: choose a SAM env-vars file in the UI, as ``--env-vars`` does on the command line."""

from __future__ import annotations

import json

from textual.widgets import Input

from tests.tui.test_main_screen import wait_for
from tui.commands import system_commands
from tui.controllers.reload_watch import ReloadController

TEMPLATE = """
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment: {Variables: {TABLE: from-template}}
"""


async def test_env_vars_file_from_the_palette(project_app) -> None:  # type: ignore[no-untyped-def]
    app, root = project_app({"template.yaml": TEMPLATE, "src/app.py": "def handler(e, c):\n    return 1\n",
                             "env.json": json.dumps({"Hello": {"TABLE": "from-env-json"}})})
    async with app.run_test() as pilot:
        await pilot.pause()
        titles = [command.title for command in system_commands(app, app.main_screen)]
        assert "Env vars file…" in titles
        app.main_screen.query_one(ReloadController).ask_env_vars()
        await pilot.pause()
        app.screen.query_one(Input).value = "env.json"
        await pilot.press("enter")
        await wait_for(pilot, lambda: (spec := app.reloader.discovery.get("Hello")) is not None
                       and spec.environment["TABLE"] == "from-env-json")
        assert app.reloader.discovery.settings.env_vars == str(root / "env.json")
        listed = next(s for s in app.catalogue.functions if s.name == "Hello")
        assert listed.environment["TABLE"] == "from-env-json"
        app.main_screen.query_one(ReloadController).ask_env_vars()
        await pilot.pause()
        app.screen.query_one(Input).value = "missing.json"
        await pilot.press("enter")
        await pilot.pause()
        assert "no such file" in str(app.screen.query_one("#prompt-hint").render())
