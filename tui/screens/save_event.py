"""Ask for a name to save the editor's event under; the name is checked before closing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from event_samples import SavedEventError
from event_samples.saved import check_name


class SaveEventScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, function: str, suggestion: str = "") -> None:
        super().__init__()
        self.function = function
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog"):
            yield Input(value=self.suggestion, placeholder="event name, e.g. happy-path", id="save-name")
            yield Static("enter saves · esc cancels", id="save-hint")

    def on_mount(self) -> None:
        self.query_one("#save-dialog").border_title = f"Save event for {self.function}"
        self.query_one("#save-name").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(check_name(event.value))
        except SavedEventError as exc:
            self.query_one("#save-hint", Static).update(f"[red]{exc}[/]")
