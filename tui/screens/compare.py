"""Local against deployed, side by side: the figures, the diff of the responses, the drift, both logs.

Only formats a ``SideBySide`` (invokers/side_by_side.py); the compare
controller runs it. Fits 80x24: the summary scrolls above, the two logs
share the lower half.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Log, Static

from invokers.cli_output import line_for
from invokers.models import Result
from invokers.side_by_side import SideBySide

from ..format import STATUS_STYLES, drift_table, ms, signed_ms, usd


def _start(result: Result) -> Text:
    if result.cold:
        return Text(f"cold, init {ms(result.init_ms)}" if result.init_ms is not None else "cold", style="yellow")
    return Text("warm", style="green")


def figures(found: SideBySide) -> Table:
    local, remote = found.local.result, found.deployed.result
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("", style="dim", no_wrap=True)
    table.add_column("local", no_wrap=True)
    table.add_column("deployed", no_wrap=True)
    table.add_row("status", Text(local.status, style=STATUS_STYLES.get(local.status, "")),
                  Text(remote.status, style=STATUS_STYLES.get(remote.status, "")))
    table.add_row("start", _start(local), _start(remote))
    table.add_row("duration", ms(local.duration_ms),
                  Text(ms(remote.duration_ms)).append(f" ({signed_ms(found.duration_delta_ms)})", style="dim"))
    table.add_row("billed", f"{local.billed_ms} ms", f"{remote.billed_ms} ms")
    table.add_row("memory", f"{local.max_memory_mb or '?'}/{local.memory_mb} MB",
                  f"{remote.max_memory_mb or '?'}/{remote.memory_mb} MB")
    table.add_row("cost", usd(local.cost_usd), usd(remote.cost_usd))
    return table


def differences(found: SideBySide) -> Text:
    what = "response" if found.local.result.ok and found.deployed.result.ok else "outcome"
    ignored = found.diff.ignored
    tail = f" · {len(ignored)} volatile path(s) ignored" if ignored else ""
    if found.diff.same:
        return Text(f"{what}: the same{tail}", style="green")
    text = Text(f"{what}: {len(found.diff.changes)} difference(s){tail}\n", style="bold yellow")
    for change in found.diff.changes:
        style = {"added": "green", "removed": "red"}.get(change.kind, "yellow")
        text.append(f"{change.describe()}\n", style=style)
    return text


class CompareScreen(ModalScreen[None]):
    """One event sent to a local function and its deployed twin (escape closes)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, function: str) -> None:
        super().__init__()
        self.function = function
        self.found: SideBySide | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-dialog"):
            with VerticalScroll(id="compare-summary"):
                yield Static(Text(f"finding the deployed twin of {self.function}…", style="italic"),
                             id="compare-text")
            with Horizontal(id="compare-logs"):
                yield Log(id="compare-local-log")
                yield Log(id="compare-deployed-log")

    def on_mount(self) -> None:
        self.query_one("#compare-dialog").border_title = f"Compare · {self.function} · local ⇄ deployed"
        self.query_one("#compare-dialog").border_subtitle = "escape closes"
        self.query_one("#compare-local-log").border_title = "local logs"
        self.query_one("#compare-deployed-log").border_title = "deployed logs"

    def say(self, text: str, style: str = "italic") -> None:
        if not self.is_attached:
            return  # closed while the comparison ran: nothing to show it on
        self.query_one("#compare-text", Static).update(Text(text, style=style))

    def show(self, found: SideBySide) -> None:
        self.found = found
        if not self.is_attached:
            return  # closed while the comparison ran
        self.query_one("#compare-dialog").border_title = (f"Compare · {found.local.spec.name} ⇄ "
                                                          f"{found.deployed.spec.name} ({found.deployed.spec.region})")
        parts: list[RenderableType] = [figures(found), Text(""), differences(found)]
        if found.drift is not None:
            parts += [Text(""), drift_table(found.drift)]
        self.query_one("#compare-text", Static).update(Group(*parts))
        for widget_id, side in (("#compare-local-log", found.local), ("#compare-deployed-log", found.deployed)):
            log = self.query_one(widget_id, Log)
            log.clear()
            log.write_lines([line_for(record) for record in side.records])
