"""The embedded AWS's resources (``--mock-aws``): the configuration's, with their status, and what handlers made."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

if TYPE_CHECKING:
    from invokers.aws.resources import Resource

COLUMNS = ("logical id", "type", "status", "name", "ARN / URL", "note")


class ResourcesScreen(ModalScreen[None]):
    """One row per resource, as ``svl-tui aws resources`` prints it; ``r`` reads the mock again."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close"),
                                             Binding("r", "refresh_rows", "Refresh")]

    def __init__(self, title: str, load: Callable[[], list[Resource]]) -> None:
        super().__init__()
        self.title_text = title
        self.load = load

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, id="resources-title")
        table: DataTable[str] = DataTable(id="resources-table", cursor_type="row")
        table.add_columns(*COLUMNS)
        yield table

    def on_mount(self) -> None:
        self.action_refresh_rows()

    def action_refresh_rows(self) -> None:
        rows = self.load()
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(row.logical_id or "-", row.type, row.status, row.name or "-", row.url or row.arn or "-",
                          row.reason)
        if not rows:
            table.add_row("-", "", "", "", "", "nothing declared, nothing created yet")
