"""Every key binding and every palette command of the main screen, on the example project, without an exception.

Textual's test harness re-raises any exception of the app when ``run_test`` ends, so reaching the end of
each test with the app still on the main screen is the assertion; modal screens opened on the way are closed.
The walk is split by area (keys, the system commands, and the palette's other entries in ``PARTS`` shares
of each kind: selections, templates, template forms, "Invoke <function>"), so no one test carries the whole
walk on a busy machine.
"""

from __future__ import annotations

import inspect

import pytest
from textual.command import Hit

from tests.tui.test_main_screen import wait_for
from tui.app import SvlApp
from tui.bindings import ACTIONS
from tui.commands import FunctionCommands, system_commands

PARTS = 4  # the example's functions are invoked from the palette in this many tests, a share each
ENTRIES = ("Select ", "Event template: ", "Event with parameters: ")  # the palette's entries that invoke nothing
SETTLE_S = 30  # generous: the machine may be busy, and the example has a function that times out on purpose


async def _settle(app: SvlApp, pilot) -> None:
    """Wait for a running invocation to end, then close whatever modal screen the command opened."""
    await wait_for(pilot, lambda: app.main_screen.run_area.in_flight is None, timeout=SETTLE_S)
    while app.screen is not app.main_screen:
        await pilot.press("escape")
        await pilot.pause()


async def _palette_hits(app: SvlApp) -> list[Hit]:
    """What the palette offers for "e": every function and every template has one."""
    hits = [hit async for hit in FunctionCommands(app.main_screen).search("e")]
    assert hits and all(isinstance(hit, Hit) for hit in hits)
    return hits  # type: ignore[return-value]


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


async def test_every_palette_system_command(example_app: SvlApp) -> None:
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


async def test_the_palette_offers_every_function_and_template(example_app: SvlApp) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        texts = {str(hit.text) for hit in await _palette_hits(example_app)}
        names = {spec.name for spec in example_app.catalogue.functions}
        assert texts >= {f"{verb} {name}" for name in names for verb in ("Invoke", "Select")}
        for prefix in ENTRIES:
            assert any(text.startswith(prefix) for text in texts), prefix


@pytest.mark.parametrize(("prefix", "part"), [pytest.param(prefix, part, id=f"{prefix.strip(': ')}-{part}")
                                              for prefix in ENTRIES for part in range(PARTS)])
async def test_every_palette_selection_and_template(example_app: SvlApp, prefix: str, part: int) -> None:
    """This share of one kind of entry: selecting a function, loading a template, opening a template's form."""
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        hits = [hit for hit in await _palette_hits(example_app) if str(hit.text).startswith(prefix)][part::PARTS]
        for hit in hits:
            hit.command()
            await pilot.pause()
            await _settle(example_app, pilot)
        assert not example_app.main_screen.run_area.runs  # selecting and loading templates invoke nothing


@pytest.mark.parametrize("part", range(PARTS))
async def test_palette_invokes_every_function(example_app: SvlApp, part: int) -> None:
    """Each function in this share, invoked from its palette entry (the shares together cover them all)."""
    async with example_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        names = sorted(spec.name for spec in example_app.catalogue.functions)[part::PARTS]
        assert names
        invoking = {str(hit.text): hit for hit in await _palette_hits(example_app)}
        for name in names:
            invoking[f"Invoke {name}"].command()
            await pilot.pause()
            await _settle(example_app, pilot)
        assert set(example_app.main_screen.run_area.runs) == set(names)  # those functions, and only those
