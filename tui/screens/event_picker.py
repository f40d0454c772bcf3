"""Pick an event for the editor: the function's default, its saved events, or a generated template."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from event_samples import KINDS


@dataclass(frozen=True)
class Choice:
    source: str  # "default" | "saved" | "template"
    name: str = ""


class EventPickerScreen(ModalScreen[Choice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, function: str, saved: list[str], has_default: bool) -> None:
        super().__init__()
        self.function = function
        self.saved = saved
        self.has_default = has_default

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Input(placeholder="type to filter events…", id="picker-filter")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = f"Events for {self.function}"
        self._fill("")
        self.query_one("#picker-filter").focus()

    def _fill(self, needle: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        needle = needle.lower()
        if self.has_default and (not needle or needle in "default event"):
            options.add_option(Option(Text("default event (from the config)"), id="default:"))
        saved = [n for n in self.saved if needle in n.lower()]
        if saved:
            options.add_option(Option(Text("Saved", style="bold underline"), disabled=True))
            for name in saved:
                options.add_option(Option(Text(f"★ {name}"), id=f"saved:{name}"))
        kinds = [k for k in KINDS.values() if needle in k.name or needle in k.title.lower()]
        if kinds:
            options.add_option(Option(Text("Templates", style="bold underline"), disabled=True))
            for kind in kinds:
                label = Text(kind.name, style="bold").append(f"  {kind.title}", style="dim")
                options.add_option(Option(label, id=f"template:{kind.name}"))
        first = next((i for i, o in enumerate(options.options) if o.id), None)
        if first is not None:
            options.highlighted = first

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted).id)

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key in ("down", "up") and self.query_one("#picker-filter").has_focus:
            options = self.query_one("#picker-options", OptionList)
            options.focus()
            options.action_cursor_down() if key == "down" else options.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id:
            source, _, name = option_id.partition(":")
            self.dismiss(Choice(source, name))
