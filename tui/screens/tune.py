"""The outcome of a power-tuning run: duration and cost against memory, and whether the memory was restored."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from invokers.aws.tune import TuneReport

WIDTH = 16


def tune_table(report: TuneReport) -> Table:
    """One row per size: warm p50 duration and cost per million as bars, the cheapest and fastest marked."""
    table = Table(box=None, padding=(0, 1))
    for column, justify in (("memory", "right"), ("p50 duration", "right"), ("", "left"),
                            ("per million", "right"), ("", "left"), ("", "left")):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    slowest = max((size.duration_p50_ms or 0.0 for size in report.sizes), default=0.0) or 1.0
    dearest = max((size.cost_per_million_usd or 0.0 for size in report.sizes), default=0.0) or 1.0
    for size in report.sizes:
        duration, cost = size.duration_p50_ms or 0.0, size.cost_per_million_usd or 0.0
        marks = Text()
        if size.memory_mb == report.cheapest_mb:
            marks.append("cheapest ", style="bold green")
        if size.memory_mb == report.fastest_mb:
            marks.append("fastest ", style="bold cyan")
        if size.errors:
            marks.append(f"{size.errors} failed ({', '.join(size.error_types)})", style="red")
        table.add_row(f"{size.memory_mb} MB", f"{duration:,.2f} ms",
                      Text("█" * max(1, round(duration / slowest * WIDTH)), style="cyan"), f"${cost:,.4f}",
                      Text("█" * max(1, round(cost / dearest * WIDTH)), style="green"), marks)
    return table


class TuneScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, report: TuneReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        report = self.report
        restored = (Text(f"memory restored to {report.original_memory_mb} MB", style="green") if report.restored
                    else Text("MEMORY NOT RESTORED: " + "; ".join(report.cleanup_problems), style="bold red"))
        with Vertical(id="tune-body"):
            yield Static(Text(f"Power tuning: {report.function}", style="bold"), id="tune-title")
            yield Static(tune_table(report), id="tune-table")
            yield Static(restored, id="tune-restored")
