"""Timing and result of the invocation in view: REPORT figures, then the response or the error.

The configuration drift of a function whose deployed twin is listed goes under
the response (or the details): one column, whatever the layout.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from invokers.drift import Drift
from invokers.models import Comparison, FunctionSpec, ResponseChunk, Result

from ..format import configuration, drift_lines, figures, outcome

STREAM_SHOWN = 64 * 1024  # characters of a streamed response kept on screen while it grows


class TimingPanel(VerticalScroll):
    streamed = ""
    """A streamed response's text so far (Lambda response streaming), shown as it grows."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # hints go in the outcome column: the figures column is narrow when stacked and wrapped them
        self._outcome: RenderableType = Text("Press ctrl+r to invoke the selected function.", style="dim")
        self._drift: Drift | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="figures")
        yield Static(self._outcome, id="outcome")

    def on_mount(self) -> None:
        self.border_title = "Result"

    def _set_outcome(self, renderable: RenderableType) -> None:
        self._outcome = renderable
        shown = renderable if self._drift is None else Group(renderable, Text(""), drift_lines(self._drift))
        self.query_one("#outcome", Static).update(shown)

    def say(self, text: str) -> None:
        """A hint in place of figures (no functions yet, nothing run yet)."""
        self.query_one("#figures", Static).update("")
        self._set_outcome(Text(text, style="dim"))

    def running(self, spec: FunctionSpec) -> None:
        self.border_title = f"Result · {spec.name}"
        self.query_one("#figures", Static).update(Text(f"invoking {spec.name}…", style="italic"))
        self._set_outcome("")
        self.streamed = ""

    def stream(self, chunk: ResponseChunk) -> None:
        """A piece of a streamed response, the moment it comes: the result grows while the handler runs."""
        if chunk.prelude is not None:
            self.query_one("#figures", Static).update(Text(
                f"streaming response · status {chunk.prelude.get('statusCode', 200)}…", style="italic"))
        self.streamed = (self.streamed + chunk.text)[-STREAM_SHOWN:]
        self.query_one("#outcome", Static).update(Text(self.streamed))
        self.scroll_end(animate=False)

    def cancelled(self) -> None:
        self.query_one("#figures", Static).update(Text("cancelled", style="yellow"))
        self._set_outcome(Text("The environment was discarded: the next invoke is cold.", style="dim"))

    def show_details(self, details: Any) -> None:
        """A deployed function's configuration (secrets already masked), before any run."""
        self.border_title = f"Deployed · {details.spec.name}"
        self.query_one("#figures", Static).update(configuration(details))
        self._set_outcome(Text("ctrl+r invokes it (you will be asked first) · f8 follows its logs", style="dim"))

    def show_drift(self, drift: Drift | None) -> None:
        """Template against deployed (the function's twin exists on the other side); None: another function."""
        self._drift = drift
        self._set_outcome(self._outcome)

    def show(self, result: Result, comparison: Comparison | None = None) -> None:
        self.border_title = f"Result · {result.function}"
        self.query_one("#figures", Static).update(figures(result, comparison))
        self._set_outcome(outcome(result))
        self.scroll_home(animate=False)
