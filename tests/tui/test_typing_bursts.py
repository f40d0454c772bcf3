"""Fault 8: keys typed in a burst reach the filters whole and in order, as a bare Input gets them.

The terminal driver queues a burst's keys at the app all at once; pilot.press waits for the app to
be idle after each key, which hides the race, so these tests post the keys as the driver does.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from tests.tui.test_main_screen import wait_for
from tui.app import SvlApp


def _key(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


def _burst(app: SvlApp, keys: list[str]) -> None:
    """Queue every key at the app before it handles the first, as a fast typist's terminal does."""
    for key in keys:
        app.post_message(_key(key))


async def _settled(pilot, box: Input, expected: str) -> None:
    """Wait until the filter reads ``expected``; else fail saying what it reads (keys lost or reordered)."""
    try:
        await wait_for(pilot, lambda: box.value == expected, timeout=15)
    except AssertionError:
        raise AssertionError(f"the filter reads {box.value!r}, not {expected!r}") from None


@pytest.mark.parametrize(("keys", "expected"), [
    # typed in the list, which hands them to the filter; a backspace in the same burst must not be lost
    ([*"kinesiss", "backspace", *"-consumer-nx", "backspace"], "kinesis-consumer-n"),
    # ctrl+f then typing at once: every key, corrections included, lands in the filter
    (["ctrl+f", *"sqx", "backspace", *"s-consumer"], "sqs-consumer"),
])
async def test_a_burst_in_the_function_list(example_app: SvlApp, keys: list[str], expected: str) -> None:
    async with example_app.run_test(size=(120, 35)) as pilot:
        functions = example_app.main_screen.functions
        functions.options.focus()
        await pilot.pause()
        box = functions.query_one("#function-filter", Input)
        _burst(example_app, keys)
        await _settled(pilot, box, expected)
        shown = [o.id for o in functions.options.options if o.id]
        assert shown and all(expected in str(name) for name in shown)


async def test_a_burst_right_after_ctrl_t_and_in_the_pickers_list(example_app: SvlApp) -> None:
    """The event picker: keys typed before its filter has the focus, and typed in its list, with corrections."""
    async with example_app.run_test(size=(120, 35)) as pilot:
        example_app.main_screen.functions.options.focus()
        await pilot.pause()
        _burst(example_app, ["ctrl+t", *"dynx", "backspace", *"amodb"])
        await wait_for(pilot, lambda: example_app.screen.query("#picker-filter"))
        box = example_app.screen.query_one("#picker-filter", Input)
        await _settled(pilot, box, "dynamodb")
        _burst(example_app, ["down", "down", "backspace", "backspace", *"xx", "backspace", "backspace", *"db"])
        await _settled(pilot, box, "dynamodb")
        await pilot.pause()  # the burst's last keys finish bubbling before the app closes
