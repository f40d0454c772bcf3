"""A small form for an event template's parameters, as ``svl-tui events show KIND --param value`` takes them.

Empty fields keep the template's default; a bad value (a number that is not one,
an unknown choice) is reported under the form, which stays open with what was typed.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class EventFormScreen(ModalScreen[Any]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, kind: str) -> None:
        from event_samples import get

        super().__init__()
        self.kind = get(kind)

    def compose(self) -> ComposeResult:
        defaults = self.kind.defaults()
        with VerticalScroll(id="form-dialog"):
            for param in self.kind.params:
                default = defaults.get(param.name)
                yield Label(f"--{param.cli_name}: {param.help}", classes="form-label")
                yield Input(placeholder="" if default is None else f"default: {default}",
                            id=f"param-{param.name}", classes="form-input")
            yield Static("enter generates · empty keeps the default · esc cancels", id="form-hint")

    def on_mount(self) -> None:
        self.query_one("#form-dialog").border_title = f"{self.kind.name}: {self.kind.title}"
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def values(self) -> dict[str, str]:
        """The fields the user filled in, by parameter name."""
        return {param.name: field.value for param in self.kind.params
                if (field := self.query_one(f"#param-{param.name}", Input)).value.strip()}

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        try:
            event = self.kind.generate(**self.values())
        except ValueError as exc:
            self.query_one("#form-hint", Static).update(f"[red]{exc}[/]")
            return
        self.dismiss(event)
