"""The event sources of a ``--mock-aws`` session: each mapping and its state, every delivery with its logs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Log

from invokers.event_sources import Delivery, Notice

if TYPE_CHECKING:
    from ..controllers.event_sources import SourcesController

COLUMNS = ("time", "source", "function", "records", "outcome", "ms", "notes")


def row_of(item: Delivery | Notice) -> tuple[str, ...]:
    """One row: a delivery's fields as ``serve --mock-aws`` prints them, or a notice across the row."""
    if isinstance(item, Notice):
        return (time.strftime("%H:%M:%S", time.localtime(item.at)), item.source, item.function or "-", "",
                item.level, "", item.message)
    return (time.strftime("%H:%M:%S", time.localtime(item.started_at)), item.source, item.function,
            str(item.records), item.outcome, f"{item.duration_ms:.1f}", ", ".join(item.notes))


class EventSourcesScreen(ModalScreen[None]):
    """Mappings on top, deliveries and notices below (newest last), the selected delivery's logs at the bottom."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, controller: SourcesController) -> None:
        super().__init__()
        self.controller = controller
        self._shown: list[Delivery | Notice] = []

    def compose(self) -> ComposeResult:
        sources = self.controller.sources
        infos = sources.infos if sources is not None else []
        lines = [f"{i.source} -> {i.function}: {i.state}" + (f" ({i.reason})" if i.reason else "") +
                 (f"  {', '.join(f'{k} {v}' for k, v in i.settings.items())}" if i.settings else "")
                 for i in infos] or ["No event sources: run with --mock-aws, and give functions SQS, stream, SNS, "
                                     "S3, EventBridge or schedule triggers."]
        mock = self.controller.app.mock
        if mock is not None:
            lines.insert(0, f"Embedded AWS: {mock.endpoint} (aws --endpoint-url {mock.endpoint} ..., boto3 with "
                            "endpoint_url: anything sent there reaches the handlers)")
        yield Label("\n".join(lines), id="sources-mappings")
        table: DataTable[str] = DataTable(id="sources-table", cursor_type="row")
        table.add_columns(*COLUMNS)
        yield table
        yield Log(id="sources-logs")

    def on_mount(self) -> None:
        for item in self.controller.items:
            self._add(item)
        self.controller.listeners.append(self._add)

    def on_unmount(self) -> None:
        if self._add in self.controller.listeners:
            self.controller.listeners.remove(self._add)

    def _add(self, item: Delivery | Notice) -> None:
        self._shown.append(item)
        self.query_one(DataTable).add_row(*row_of(item))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        log = self.query_one(Log)
        log.clear()
        if 0 <= event.cursor_row < len(self._shown):
            item = self._shown[event.cursor_row]
            if isinstance(item, Notice):
                log.write_lines([item.message])
            else:
                log.write_lines([record.message for record in item.logs] or ["(no log lines)"])
