"""Ask for one line of text (an event name, a region, a profile); the answer is checked before closing."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, placeholder: str, check: Callable[[str], str], value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.check = check
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("enter accepts · esc cancels", id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-dialog").border_title = self.title_text
        self.query_one("#prompt-input").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(self.check(event.value))
        except ValueError as exc:
            self.query_one("#prompt-hint", Static).update(f"[red]{exc}[/]")
