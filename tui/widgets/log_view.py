"""A virtualised view of structured log records (time, level, request id, message).

Built on Textual's line API, like Toolong: only the visible rows are rendered,
so 100,000 records scroll as fast as 100. JSON records expand in place to show
their fields; a level and text filter narrow the rows; "follow" keeps the
newest line in view until the user scrolls up.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from invokers.models import LogRecord

MAX_RECORDS = 200_000
WIDE = 90  # below this width the request id column is left out (START/END/REPORT still carry it)
PREFIX_WIDE = 30  # "HH:MM:SS.mmm LEVEL request  ▸ " before the message
PREFIX_NARROW = 15  # "SS.mmm LEVEL ▸ " before the message
LEVEL_ORDER = ["", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
FILTER_LEVELS = ["", "DEBUG", "INFO", "WARN", "ERROR"]
LEVEL_STYLES = {"TRACE": "dim", "DEBUG": "dim", "INFO": "green", "WARN": "yellow", "ERROR": "bold red",
                "FATAL": "bold red"}


_START = re.compile(r"^START RequestId: (\S+) Version: (\S+)$")
_END = re.compile(r"^END RequestId: (\S+)$")
_STATUS = re.compile(r"Status: (\S+)")
_FIGURE = re.compile(r"(Init Duration|Billed Duration|Duration|Max Memory Used|Memory Size): ([\d.]+) (ms|MB)")
_EXECUTING = re.compile(r"^Executing '([^']+)' \(Reason='.*', Id=(\S+)\)$")  # the Azure host's lines
_EXECUTED = re.compile(r"^Executed '([^']+)' \((\w+), Id=(\S+), Duration=(\d+)ms\)$")


def platform_summary(message: str) -> str:
    """Lambda's START/END/REPORT lines in a few words for a narrow view (the full line is copied with ``c``).

    ``REPORT RequestId: … Duration: 12.34 ms Billed Duration: 13 ms Memory Size: 128 MB Max Memory Used: 45 MB
    Init Duration: 168.25 ms`` becomes ``REPORT 12.34 ms, 45/128 MB, init 168 ms``: the result panel under
    the logs has every figure.
    """
    if match := _START.match(message):
        return f"START {match[1][:8]} {match[2]}"
    if match := _EXECUTING.match(message):  # Azure: "Executing Functions.hello 8f5a2b1c"
        return f"Executing {match[1]} {match[2][:8]}"
    if match := _EXECUTED.match(message):  # Azure: "Executed Functions.hello Succeeded 12 ms"
        return f"Executed {match[1]} {match[2]} {match[4]} ms"
    if match := _END.match(message):
        return f"END {match[1][:8]}"
    if message.startswith("REPORT "):
        found = {name: value for name, value, _unit in _FIGURE.findall(message)}
        if "Duration" in found:
            memory = f"{found.get('Max Memory Used', '?')}/{found.get('Memory Size', '?')} MB"
            parts = [f"{found['Duration']} ms", memory]
            if "Init Duration" in found:
                parts.append(f"init {float(found['Init Duration']):.0f} ms")
            status = _STATUS.search(message)  # Status: timeout, error...
            return "REPORT " + ", ".join(parts) + (f", {status[1]}" if status else "")
    return message


def _rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0


class LogView(ScrollView, can_focus=True):
    """Rows of LogRecords; each row is a record, or one field of an expanded JSON record."""

    BINDINGS = [
        Binding("enter", "toggle_expand", "Expand", show=False),
        Binding("c", "copy_line", "Copy line", show=False),
        Binding("f,end", "follow", "Follow", show=False),
        Binding("l", "cycle_level", "Level", show=False),
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "top", show=False),
    ]

    follow: reactive[bool] = reactive(True)
    cursor: reactive[int] = reactive(-1)
    min_level: reactive[str] = reactive("")
    text_filter: reactive[str] = reactive("")

    class StatusChanged(Message):
        """Counts and modes for the panel's title bar."""

        def __init__(self, shown: int, total: int, hidden: int, follow: bool, level: str) -> None:
            super().__init__()
            self.shown, self.total, self.hidden, self.follow, self.level = shown, total, hidden, follow, level

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._records: list[LogRecord] = []
        self._dropped = 0  # oldest records let go past MAX_RECORDS
        self._rows: list[tuple[int, int]] = []  # (record index, field index or -1)
        self._shown = 0  # records that pass the filters (an expanded record's field rows are not records)
        self._expanded: set[int] = set()
        self._width = 0
        self._wide = False  # drawn with the request id column and raw platform lines (at least WIDE columns)

    # ---- data ---------------------------------------------------------------

    @property
    def records(self) -> list[LogRecord]:
        return self._records

    def clear(self) -> None:
        self._records = []
        self._dropped = 0
        self._expanded.clear()
        self._rebuild()

    def set_records(self, records: list[LogRecord]) -> None:
        """Show a past run's records."""
        self._records = list(records[-MAX_RECORDS:])
        self._dropped = max(0, len(records) - MAX_RECORDS)
        self._expanded.clear()
        self._rebuild()

    def add_records(self, records: list[LogRecord]) -> None:
        """Append a batch; only the new rows are filtered and measured."""
        start = len(self._records)
        self._records.extend(records)
        if len(self._records) > MAX_RECORDS:
            excess = len(self._records) - MAX_RECORDS
            del self._records[:excess]
            self._dropped += excess
            self._expanded = {i - excess for i in self._expanded if i >= excess}
            self._rebuild()
            return
        for index in range(start, len(self._records)):
            if self._matches(self._records[index]):
                self._rows.append((index, -1))
                self._shown += 1
                self._width = max(self._width, self._row_width(self._records[index]))
        self._resize()

    def _matches(self, record: LogRecord) -> bool:
        if self.min_level and record.stream != "platform" and _rank(record.level) < _rank(self.min_level):
            return False
        needle = self.text_filter.lower()
        return not needle or needle in record.message.lower() or (
            bool(record.fields) and needle in json.dumps(record.fields, default=str).lower())

    def _rebuild(self) -> None:
        rows: list[tuple[int, int]] = []
        width = shown = 0
        for index, record in enumerate(self._records):
            if not self._matches(record):
                continue
            rows.append((index, -1))
            shown += 1
            width = max(width, self._row_width(record))
            if index in self._expanded:
                rows.extend((index, field) for field in range(len(record.fields)))
        self._rows = rows
        self._shown = shown
        self._width = width
        self.cursor = min(self.cursor, len(rows) - 1)
        self._resize()

    def _row_width(self, record: LogRecord) -> int:
        """The columns ``record``'s row takes as ``_segments`` draws it at this width (a summarised platform
        line is short: its raw length would add a scroll bar leading nowhere)."""
        message = record.message
        if not self._wide and record.stream == "platform":
            message = platform_summary(message)
        return (PREFIX_WIDE if self._wide else PREFIX_NARROW) + len(message) + 3 * message.count("\t")  # tabs: 4

    def on_resize(self) -> None:
        if (self.size.width >= WIDE) != self._wide:
            self._wide = self.size.width >= WIDE
            self._rebuild()  # rows are drawn another way: measure them again

    def _resize(self) -> None:
        self.virtual_size = Size(self._width, len(self._rows))
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        self.post_message(self.StatusChanged(self._shown, len(self._records) + self._dropped, self._dropped,
                                             self.follow, self.min_level))

    def watch_min_level(self) -> None:
        self._rebuild()

    def watch_text_filter(self) -> None:
        self._rebuild()

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.cursor = -1
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.post_message(self.StatusChanged(self._shown, len(self._records) + self._dropped, self._dropped,
                                             follow, self.min_level))

    def watch_cursor(self) -> None:
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new < old and self.follow and new < self.max_scroll_y:
            self.follow = False  # the user scrolled up: stop following
        elif new >= self.max_scroll_y and not self.follow and self.cursor < 0:
            self.follow = True

    # ---- rendering -------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, base)
        strip = Strip(self._segments(row, base)).crop_extend(scroll_x, scroll_x + width, base)
        if row == self.cursor:
            strip = strip.apply_style(Style(reverse=True))
        return strip.apply_offsets(scroll_x, row)

    def _segments(self, row: int, base: Style) -> list[Segment]:
        index, field = self._rows[row]
        record = self._records[index]
        dim = base + Style(dim=True)
        if field >= 0:
            key, value = list(record.fields.items())[field]
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            indent = 29 if self._wide else 12
            return [Segment(" " * indent + "│ ", dim), Segment(f"{key}: ", base + Style(bold=True)),
                    Segment(_clean(text), base)]
        wide = self._wide
        stamp = datetime.fromtimestamp(record.timestamp).strftime("%H:%M:%S.%f" if wide else "%S.%f")[:-3]
        level = record.level
        level_style = base + Style.parse(LEVEL_STYLES.get(record.level, "default"))
        message_style = base
        if record.stream == "platform":
            message_style = base + Style(color="cyan") if record.level == "INFO" else level_style
            level = "PLAT"
        elif record.level in ("ERROR", "FATAL"):
            message_style = base + Style(color="red")
        marker = ("▾ " if index in self._expanded else "▸ ") if record.fields else "  "
        segments = [Segment(f"{stamp} ", dim), Segment(f"{level:<5} ", level_style)]
        if wide:
            segments.append(Segment(f"{record.request_id[:8]:<8} ", dim))
        message = record.message if wide or record.stream != "platform" else platform_summary(record.message)
        return [*segments, Segment(marker, dim), Segment(_clean(message), message_style)]

    # ---- actions -------------------------------------------------------------------

    def line_text(self, row: int) -> str:
        index, field = self._rows[row]
        record = self._records[index]
        if field >= 0:
            key, value = list(record.fields.items())[field]
            return f"{key}: {value if isinstance(value, str) else json.dumps(value, default=str)}"
        return json.dumps(record.fields, default=str) if record.fields else record.message

    def action_cursor(self, delta: int) -> None:
        if not self._rows:
            return
        start = self.cursor if self.cursor >= 0 else int(self.scroll_y + self.size.height - 1)
        self.cursor = max(0, min(len(self._rows) - 1, start + delta))
        self.follow = False
        self.scroll_to_region_row(self.cursor)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_top(self) -> None:
        self.action_cursor(-len(self._rows))

    def scroll_to_region_row(self, row: int) -> None:
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= self.scroll_y + self.size.height:
            self.scroll_to(y=row - self.size.height + 1, animate=False, immediate=True)

    def action_follow(self) -> None:
        self.follow = True

    def action_toggle_expand(self) -> None:
        if self.cursor < 0 or self.cursor >= len(self._rows):
            return
        index, _ = self._rows[self.cursor]
        if not self._records[index].fields:
            return
        self._expanded ^= {index}
        self.follow = False  # the user is reading this record: keep it in place
        self._rebuild()
        self.cursor = next(r for r, (i, f) in enumerate(self._rows) if i == index and f < 0)

    def action_copy_line(self) -> None:
        if 0 <= self.cursor < len(self._rows):
            self.app.copy_to_clipboard(self.line_text(self.cursor))
            self.notify("Copied the line to the clipboard", timeout=2)

    def action_cycle_level(self) -> None:
        position = FILTER_LEVELS.index(self.min_level) if self.min_level in FILTER_LEVELS else 0
        self.min_level = FILTER_LEVELS[(position + 1) % len(FILTER_LEVELS)]

    def on_click(self, event: Any) -> None:
        row = int(self.scroll_y + event.y)
        if 0 <= row < len(self._rows):
            self.follow = False
            self.cursor = row


def _clean(text: str) -> str:
    """One terminal line: control characters would corrupt the screen."""
    return "".join(ch if ch >= " " or ch == "\t" else "↵" if ch == "\n" else "�" for ch in text).expandtabs(4)
