"""The help screen, generated from the key binding table (and the log view's own keys)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..bindings import ACTIONS, DEBUG_KEYS, LOG_KEYS


def _table(rows: Iterable[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for keys, text in rows:
        table.add_row(keys, text)
    return table


def _keys(spec: str) -> str:
    return " / ".join(k.replace("question_mark", "?") for k in spec.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        keys = [(_keys(self.keymap.get(a.id, a.key)), f"{a.help}  [dim]({a.id})[/]") for a in ACTIONS]
        keys += [("ctrl+p", "Command palette: actions, functions, events"),
                 ("tab / shift+tab", "Move between panels (in the event editor tab indents: esc leaves it)")]
        debugger = [(key, f"{text} (pdb {command})") for _id, key, command, _word, text in DEBUG_KEYS]
        debugger.append((":", "Type any pdb command or expression"))
        # Headings stand on lines of their own: in the key column they widened it for every row, and at
        # 80 columns the descriptions were left a dozen characters, a word per line.
        body = Group(_table(keys), "", Text("In the logs", style="bold"), _table(LOG_KEYS), "",
                     Text("In the debugger (a breakpoint() stopped the handler)", style="bold"), _table(debugger), "",
                     Text.from_markup("[dim]Remap keys by id in config.yaml in svl-tui's config folder (Linux: "
                                      "~/.config/svl-tui/), e.g.\nkeys:\n  invoke: ctrl+e[/]"))
        with VerticalScroll(id="help-body"):
            yield Static(body)

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "svl-tui keys (esc closes)"
