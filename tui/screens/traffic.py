"""Every request the local endpoint answered: route, function, status, timing, and its logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Log

from invokers.serve.traffic import Traffic

if TYPE_CHECKING:
    from ..controllers.serve import ServeController

COLUMNS = ("time", "via", "request", "status", "ms", "function", "notes")


def row_of(traffic: Traffic) -> tuple[str, ...]:
    """One table row; the access line's fields, so the UI and the terminal say the same."""
    import time

    return (time.strftime("%H:%M:%S", time.localtime(traffic.started_at)), traffic.face,
            f"{traffic.method} {traffic.path}", str(traffic.status), f"{traffic.duration_ms:.1f}",
            traffic.function or "-", ", ".join(traffic.notes()))


class TrafficScreen(ModalScreen[None]):
    """The traffic of ``serve`` in the UI, newest last; the selected request's logs below."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, controller: ServeController) -> None:
        super().__init__()
        self.controller = controller
        self._shown: list[Traffic] = []

    def compose(self) -> ComposeResult:
        address = self.controller.url or "not running (palette: 'Serve: start/stop local endpoint')"
        yield Label(f"Local endpoint: {address} · esc closes", id="traffic-address")
        table: DataTable[str] = DataTable(id="traffic-table", cursor_type="row")
        table.add_columns(*COLUMNS)
        yield table
        yield Log(id="traffic-logs")

    def on_mount(self) -> None:
        for traffic in self.controller.traffic:
            self._add(traffic)
        self.controller.listeners.append(self._arrived)

    def on_unmount(self) -> None:
        if self._arrived in self.controller.listeners:
            self.controller.listeners.remove(self._arrived)

    def _arrived(self, traffic: Traffic) -> None:
        self._add(traffic)

    def _add(self, traffic: Traffic) -> None:
        self._shown.append(traffic)
        self.query_one(DataTable).add_row(*row_of(traffic))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        log = self.query_one(Log)
        log.clear()
        if 0 <= event.cursor_row < len(self._shown):
            traffic = self._shown[event.cursor_row]
            log.write_lines([record.message for record in traffic.logs] or ["(no log lines)"])
