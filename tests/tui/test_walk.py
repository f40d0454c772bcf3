"""Every key binding and every palette command of the main screen, on the example project, without an exception.

Textual's test harness re-raises any exception of the app when ``run_test`` ends, so reaching the end of
each test with the app still on the main screen is the assertion; modal screens opened on the way are closed.
"""

from __future__ import annotations

import inspect

from textual.command import Hit

from tests.tui.test_main_screen import wait_for
from tui.app import SvlApp
from tui.bindings import ACTIONS
from tui.commands import FunctionCommands, system_commands


async def _settle(app: SvlApp, pilot) -> None:
    """Wait for a running invocation to end, then close whatever modal screen the command opened."""
    await wait_for(pilot, lambda: app.main_screen.run_area.in_flight is None, timeout=20)
    while app.screen is not app.main_screen:
        await pilot.press("escape")
        await pilot.pause()


async def test_every_key_binding(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for action in ACTIONS:
            if action.id == "quit":
                continue
            example_app.main_screen.functions.options.focus()  # keys pressed where a newcomer starts
            await pilot.press(action.key.split(",")[0])
            await pilot.pause()  # the key's action has run (an invoke has started: in_flight is set)
            await _settle(example_app, pilot)
        assert example_app.main_screen.run_area.runs  # ctrl+r and f6 really invoked
        await pilot.press("ctrl+q")
    assert example_app.return_code == 0


async def test_every_palette_command(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        screen = example_app.main_screen
        commands = list(system_commands(example_app, screen))
        titles = {command.title for command in commands}
        left_out = {"quit", "help", "follow-logs"}  # quit; help is "Keys and help"; no deployed functions here
        assert {a.description for a in ACTIONS if a.id not in left_out} <= titles and "Keys and help" in titles
        for command in commands:
            outcome = command.callback()
            if inspect.isawaitable(outcome):  # run_action is a coroutine: the palette awaits it too
                await outcome
            await pilot.pause()
            await _settle(example_app, pilot)
        provider = FunctionCommands(screen)
        hits = [hit async for hit in provider.search("e")]  # every function and every template has an "e"
        assert isinstance(hits[0], Hit)
        names = {spec.name for spec in example_app.catalogue.functions}
        assert {str(h.text) for h in hits} >= {f"Invoke {name}" for name in names}
        for hit in hits:
            hit.command()
            await pilot.pause()
            await _settle(example_app, pilot)
        assert set(screen.run_area.runs) == names  # every function was invoked from the palette
