"""The palette's "Debug port…": local functions start under debugpy / ``node --inspect-brk`` on a port.

Not the run area's work: it changes how the engine starts every local function, so it talks to the
app (its engine and catalogue) and leaves the runs alone.
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..app import SvlApp


def ask_debug_port(app: SvlApp) -> None:
    """Ask for the port (empty turns it off); the engine's local environments are recycled to use it."""
    from invokers.cli_debug import port_number

    from ..screens.prompt import PromptScreen

    def check(text: str) -> str:
        if text.strip():
            try:
                port_number(text.strip())
            except ArgumentTypeError as exc:
                raise ValueError(str(exc)) from None
        return text.strip()

    def answered(text: str | None) -> None:
        if text is not None:
            app.run_worker(_set_debug_port(app, int(text) if text else None), group="debug-port")

    current = app.engine.debug_port
    app.push_screen(PromptScreen("Debug port (editors attach here; empty turns it off)", "e.g. 5890",
                                 check, str(current or "")), answered)


async def _set_debug_port(app: SvlApp, port: int | None) -> None:
    engine = app.engine
    engine.debug_port = port
    for spec in app.catalogue.functions:  # the next invoke starts a fresh environment, under the debugger
        if spec.is_local:
            await engine.recycle(spec.name)
    if port is None:
        app.notify("Debug port off: functions start normally again.", timeout=4)
    else:
        app.notify(f"Next invocations wait for an editor on 127.0.0.1:{port} (debugpy for Python, "
                   "node --inspect for Node.js); timeouts are suspended.", timeout=8)
