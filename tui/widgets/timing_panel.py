"""Timing and result of the invocation in view: REPORT figures, then the response or the error."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from invokers.models import FunctionSpec, Result
from invokers.reload import Comparison

from ..format import figures, outcome


class TimingPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(Text("Press ctrl+r to invoke the selected function.", style="dim"), id="figures")
        yield Static("", id="outcome")

    def on_mount(self) -> None:
        self.border_title = "Result"

    def running(self, spec: FunctionSpec) -> None:
        self.border_title = f"Result · {spec.name}"
        self.query_one("#figures", Static).update(Text(f"invoking {spec.name}…", style="italic"))
        self.query_one("#outcome", Static).update("")

    def cancelled(self) -> None:
        self.query_one("#figures", Static).update(Text("cancelled: the environment was discarded", style="yellow"))

    def show(self, result: Result, comparison: Comparison | None = None) -> None:
        self.border_title = f"Result · {result.function}"
        self.query_one("#figures", Static).update(figures(result, comparison))
        self.query_one("#outcome", Static).update(outcome(result))
        self.scroll_home(animate=False)
