"""Recent invocations of the selected function, with a chart of their durations.

Cold starts and failures are coloured in the chart, so a regression or a cold
start storm is visible at a glance; picking a run shows its logs and result.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from invokers.models import Result

from ..format import STATUS_STYLES, ms
from ..messages import RunSelected

BARS = "▁▂▃▄▅▆▇█"


def chart(results: list[Result], width: int) -> Text:
    """One bar per run, oldest to newest: green warm, yellow cold, red failed."""
    shown = results[-max(1, width):]
    if not shown:
        return Text("no runs yet", style="dim")
    top = max(r.duration_ms for r in shown) or 1.0
    text = Text()
    for result in shown:
        bar = BARS[min(len(BARS) - 1, int(result.duration_ms / top * (len(BARS) - 1)))]
        style = "red" if not result.ok else "yellow" if result.cold else "green"
        text.append(bar, style=style)
    text.append(f"\nmax {ms(top)}\n", style="dim").append("cold ", style="yellow").append("warm ", style="green")
    text.append("failed", style="red")
    return text


class HistoryPanel(Vertical):
    """The chart above the list when the run area has a side column; beside it when the run area is stacked
    (80 to 139 columns), so the list keeps every row of the short panel there (``app.tcss``)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._results: list[Result] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="history-chart")
        yield OptionList(id="history-runs")

    def on_mount(self) -> None:
        self.border_title = "History"
        self.border_subtitle = "enter shows a run · f9 closes"

    def on_resize(self) -> None:
        self._draw_chart()

    def _draw_chart(self) -> None:
        chart_box = self.query_one("#history-chart", Static)
        chart_box.update(chart(self._results, max(8, chart_box.size.width or self.size.width - 4)))

    def show_runs(self, results: list[Result], sources: list[str] | None = None) -> None:
        """Newest first; a run an event source started says which (``sqs:OrdersQueue``)."""
        self._results = results
        self._draw_chart()
        runs = self.query_one("#history-runs", OptionList)
        runs.clear_options()
        for index in range(len(results) - 1, -1, -1):
            result = results[index]
            label = Text(datetime.fromtimestamp(result.started_at).strftime("%H:%M:%S "), style="dim")
            label.append("cold " if result.cold else "warm ", style="yellow" if result.cold else "green")
            label.append(f"{ms(result.duration_ms)} ")
            label.append("✓" if result.ok else f"✗ {result.status}", style=STATUS_STYLES.get(result.status, ""))
            if sources and index < len(sources) and sources[index]:
                label.append(f" {sources[index]}", style="cyan")
            runs.add_option(Option(label, id=str(index)))
        if results:
            runs.highlighted = 0  # the newest run: enter shows it, down goes back in time

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(RunSelected(int(event.option.id)))
        event.stop()
