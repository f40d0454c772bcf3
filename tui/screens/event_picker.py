"""Pick an event for the editor: what the function is offered (its default, one per trigger, the project's
event files), its saved events, or a generated template."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from event_samples import KINDS
from invokers.trigger_events import EventChoice

from ..widgets.filtered_options import FilteredOptions, FilterInput, is_typing

_OFFERED_MARK = {"default": "◆", "saved": "★", "trigger": "⚡", "project": "▤"}


@dataclass(frozen=True)
class Choice:
    source: str  # "offered" (name: its index in the offered list) | "saved" | "template" | "form" (its form)
    name: str = ""


class EventPickerScreen(ModalScreen[Choice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close"),
                Binding("ctrl+o", "form", "Parameters", priority=True)]  # priority: also while typing a filter

    FORM_HINT = "ctrl+o: fill in its parameters"

    def __init__(self, function: str, saved: list[str], offered: list[EventChoice]) -> None:
        super().__init__()
        self.function = function
        self.saved = saved
        self.offered = offered

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield FilterInput(placeholder="type to filter events…", id="picker-filter", select_on_focus=False)
            yield FilteredOptions(filter_id="picker-filter", id="picker-options")

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = f"Events for {self.function}"
        self._fill("")
        self.query_one("#picker-filter").focus()

    def _fill(self, needle: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        needle = needle.lower()
        sections = (("For this function", True), ("Other project events", False))
        for title, suits in sections:
            shown = [(i, c) for i, c in enumerate(self.offered)
                     if c.suits is suits and c.source != "empty" and needle in c.label.lower()]
            if shown:
                options.add_option(Option(Text(title, style="bold underline"), disabled=True))
            for index, choice in shown:
                label = Text(_OFFERED_MARK.get(choice.source, "·") + " " + choice.label)
                if choice.kind:
                    label.append(f"  {choice.kind}", style="dim")
                options.add_option(Option(label, id=f"offered:{index}"))
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

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#picker-filter", Input)
        if event.key in ("down", "up") and box.has_focus:
            options = self.query_one("#picker-options", OptionList)
            options.focus()
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()
        elif self.focused is None and is_typing(event) and event.character:
            # Typed just after ctrl+t, before the filter has taken the focus (nothing had it: the key
            # came to the screen); once the filter has it, the app sends typing keys there itself.
            box.value += event.character
            box.cursor_position = len(box.value)
            box.focus()
            event.stop()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A template is highlighted: say that its parameters have a form."""
        is_template = (event.option.id or "").startswith("template:")
        self.query_one("#picker").border_subtitle = self.FORM_HINT if is_template else ""

    def action_form(self) -> None:
        """The highlighted template's parameter form (as the palette's 'Event form' offers it)."""
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is None:
            return
        source, _, name = (options.get_option_at_index(options.highlighted).id or "").partition(":")
        if source == "template":
            self.dismiss(Choice("form", name))
        else:
            self.notify("highlight a template (under Templates) to fill in its parameters", severity="warning")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id:
            source, _, name = option_id.partition(":")
            self.dismiss(Choice(source, name))
