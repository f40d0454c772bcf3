"""The log side of the run area: a text filter over a LogView, with counts in the title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from invokers.models import LogRecord

from .log_view import LogView


class LogPanel(Vertical):
    BINDINGS = [Binding("slash", "filter", "Filter logs", show=False),
                Binding("escape", "clear_filter", "Clear filter", show=False)]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter logs (text); esc clears", id="log-filter")
        yield LogView(id="log-view")

    def on_mount(self) -> None:
        self.border_title = "Logs"
        self.query_one("#log-filter").display = False

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def clear(self) -> None:
        self.view.clear()

    def add_records(self, records: list[LogRecord]) -> None:
        self.view.add_records(records)

    def show_records(self, records: list[LogRecord]) -> None:
        self.view.set_records(records)

    def action_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.value = ""
        box.display = False
        self.view.text_filter = ""
        self.view.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "log-filter":
            self.view.text_filter = event.value
            event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "log-filter":
            self.view.focus()
            event.stop()

    def on_log_view_status_changed(self, event: LogView.StatusChanged) -> None:
        parts = [f"{event.shown}" if event.shown == event.total else f"{event.shown}/{event.total}"]
        if event.level:
            parts.append(f"≥{event.level}")
        if self.view.text_filter:
            parts.append(f"“{self.view.text_filter}”")
        parts.append("following" if event.follow else "paused (f to follow)")
        if event.hidden:
            parts.append(f"{event.hidden} older lines hidden")
        self.border_subtitle = " · ".join(parts)
        event.stop()
