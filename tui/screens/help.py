"""The help screen, generated from the key binding table (and the log view's own keys)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..bindings import ACTIONS, DEBUG_KEYS, LOG_KEYS


def _keys(spec: str) -> str:
    return " / ".join(k.replace("question_mark", "?") for k in spec.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for action in ACTIONS:
            table.add_row(_keys(self.keymap.get(action.id, action.key)), f"{action.help}  [dim]({action.id})[/]")
        table.add_row("ctrl+p", "Command palette: actions, functions, events")
        table.add_row("tab / shift+tab", "Move between panels (in the event editor tab indents: esc leaves it)")
        table.add_row("", "")
        table.add_row(Text("In the logs", style="bold"), "")
        for keys, text in LOG_KEYS:
            table.add_row(keys, text)
        table.add_row("", "")
        table.add_row(Text("In the debugger (a breakpoint() stopped the handler)", style="bold"), "")
        for _id, key, command, text in DEBUG_KEYS:
            table.add_row(key, f"{text} (pdb {command})")
        table.add_row(":", "Type any pdb command or expression")
        table.add_row("", "")
        table.add_row("", "[dim]Remap keys by id in config.yaml in svl-tui's config folder (Linux:\n"
                          "~/.config/svl-tui/), e.g.\nkeys:\n  invoke: ctrl+e[/]")
        with VerticalScroll(id="help-body"):
            yield Static(table)

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "svl-tui keys (esc closes)"
