"""Pilot tests of the debugger pane: a real handler stops at breakpoint(), keys step it, the result arrives."""

from __future__ import annotations

import asyncio
import textwrap

import pytest
from textual.widgets import Input, OptionList, Tree

from tests.tui.test_main_screen import finished, screen_text, wait_for
from tui.controllers.debug_port import ask_debug_port
from tui.widgets.debugger_panel import DebuggerPanel
from tui.widgets.timing_panel import TimingPanel

HANDLER = textwrap.dedent("""
    def helper(order):
        return order["qty"] * 2

    def handler(event, context):
        api_key = "k-123456"
        order = {"qty": 4, "items": ["a", "b"]}
        breakpoint()
        doubled = helper(order)
        return {"doubled": doubled}

    def fails(event, context):
        attempts = 7
        raise ValueError("broken")
""")

CONFIG = textwrap.dedent("""
    functions:
      stops:
        runtime: python3.12
        handler: app.handler
        timeout: 1
      fails:
        runtime: python3.12
        handler: app.fails
""")


def _labels(tree: Tree[None]) -> list[str]:
    return [str(node.label) for node in tree.root.children]


async def test_stop_inspect_step_continue_without_a_timeout(project_app) -> None:
    app, _root = project_app({"app.py": HANDLER, "svl.yaml": CONFIG})
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.main_screen
        screen.select("stops")
        await pilot.pause()
        await pilot.press("ctrl+r")
        panel = screen.query_one(DebuggerPanel)
        await wait_for(pilot, lambda: panel.display and panel.stop is not None)
        assert panel.stop is not None and panel.stop.line == 9
        assert "stopped at app.py:9 in handler" in screen_text(panel).replace("project/", "")
        tree = panel.query_one(Tree)
        labels = _labels(tree)
        assert any(label.startswith("api_key = ****") for label in labels)  # masked
        order = next(node for node in tree.root.children if str(node.label).startswith("order = "))
        order.expand()  # inspect a local: its entries are there to open
        await pilot.pause()
        assert [str(child.label).split("  ")[0] for child in order.children] == ["qty = 4", "items = [2 items]"]

        panel.focus()
        await pilot.press("s")  # step into helper()
        await wait_for(pilot, lambda: panel.stop is not None and not panel.waiting
                       and panel.stop.frames[panel.stop.index]["function"] == "helper")
        stack = panel.query_one(OptionList)
        assert stack.option_count == 2 and stack.highlighted == 0  # innermost first
        await pilot.press("u")  # back to the handler's frame
        await wait_for(pilot, lambda: panel.stop is not None and not panel.waiting and panel.stop.index == 0)
        assert any(label.startswith("order = ") for label in _labels(panel.query_one(Tree)))

        panel.query_one(Input).focus()
        await pilot.press(*"p order['qty'] + 10", "enter")
        await wait_for(pilot, lambda: panel.stop is not None and not panel.waiting and "14" in panel.stop.output)

        await asyncio.sleep(1.2)  # stopped for longer than the 1 s timeout
        panel.focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: finished(app, "stops"))
        await wait_for(pilot, lambda: "paused" in screen_text(screen.query_one(TimingPanel)))
        result = screen.run_area.runs["stops"][-1].result
        assert result.status == "ok" and result.response == {"doubled": 8}
        assert result.paused_ms >= 1200
        assert not panel.display
        text = screen_text(screen.query_one(TimingPanel))
        assert "OK" in text and "paused" in text and "in the debugger" in text


async def test_error_shows_locals_and_post_mortem_stops_where_it_raised(project_app) -> None:
    app, _root = project_app({"app.py": HANDLER, "svl.yaml": CONFIG})
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.main_screen
        screen.select("fails")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: finished(app, "fails"))
        await wait_for(pilot, lambda: "locals of fails" in screen_text(screen.query_one(TimingPanel)))
        text = screen_text(screen.query_one(TimingPanel))
        assert "ValueError" in text and "locals of fails" in text and "attempts = 7" in text
        await pilot.press("f4")
        panel = screen.query_one(DebuggerPanel)
        await wait_for(pilot, lambda: panel.display and panel.stop is not None)
        assert panel.stop is not None and panel.stop.post_mortem and panel.stop.line == 14
        assert "post-mortem" in screen_text(panel)
        panel.focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: finished(app, "fails", 2))
        assert screen.run_area.runs["fails"][-1].result.status == "error"


async def test_palette_debug_port_sets_and_clears_the_engine_port(project_app) -> None:
    app, _root = project_app({"app.py": HANDLER, "svl.yaml": CONFIG})
    async with app.run_test(size=(160, 45)) as pilot:
        ask_debug_port(app)
        await pilot.pause()
        await pilot.press(*"80", "enter")  # refused: stays open with the reason
        await pilot.pause()
        assert app.engine.debug_port is None and "1024-65535" in screen_text(app.screen)
        await pilot.press("backspace", "backspace", *"5890", "enter")
        await wait_for(pilot, lambda: app.engine.debug_port == 5890)
        ask_debug_port(app)
        await pilot.pause()
        await pilot.press(*["backspace"] * 4, "enter")
        await wait_for(pilot, lambda: app.engine.debug_port is None)


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_stacked_the_pane_takes_the_results_room_and_fits_the_width(project_app, size) -> None:
    """Below 140 columns the pane was squeezed between the logs and the result (4 rows, cut on the right)."""
    app, _root = project_app({"app.py": HANDLER, "svl.yaml": CONFIG})
    async with app.run_test(size=size) as pilot:
        screen = app.main_screen
        screen.select("stops")
        await pilot.pause()
        await pilot.press("ctrl+r")
        panel = screen.query_one(DebuggerPanel)
        await wait_for(pilot, lambda: panel.display and panel.stop is not None, timeout=30)
        await pilot.pause()
        assert panel.region.right <= size[0] and panel.region.height >= 9
        assert not screen.query_one(TimingPanel).region  # the result panel waits: nothing to show while stopped
        assert screen.query_one("#debug-where").region and "stopped" in screen_text(panel)
        source = panel.query_one("#debug-source")
        shown = [source.render_line(y).text for y in range(source.size.height)]
        assert any("doubled = helper(order)" in line for line in shown), shown  # the line it stopped at, in view
        panel.focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: finished(app, "stops"), timeout=30)
        await pilot.pause()
        assert screen.query_one(TimingPanel).region  # back once the invocation ended


async def test_the_footer_of_a_stopped_handler_fits_80_columns(project_app) -> None:
    """Each key and its word, whole: the footer read '... u Up a frame d Do' at 80 columns."""
    from textual.widgets import Footer

    app, _root = project_app({"app.py": HANDLER, "svl.yaml": CONFIG})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        screen.select("stops")
        await pilot.pause()
        await pilot.press("ctrl+r")
        panel = screen.query_one(DebuggerPanel)
        await wait_for(pilot, lambda: panel.display and panel.stop is not None, timeout=30)
        await pilot.pause()
        footer = screen.query_one(Footer)
        keys = [key for key in footer.query("FooterKey") if key.key_display in {"n", "s", "r", "c", "u", "d", ":"}]
        assert len(keys) == 7  # the pane's keys come first; the screen's follow (the footer scrolls)
        assert all(key.region.right <= footer.region.right - 12 for key in keys)  # the palette's ^p stays clear
        panel.focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: finished(app, "stops"), timeout=30)
