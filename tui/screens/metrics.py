"""The metrics view of one function: its figures over every recorded run, charts, memory advice, and the
monthly cost at a rate the user types.

The runs come from the project's history (``.svl/history``, every session's), the
figures from ``invokers.metrics`` (what ``svl-tui stats`` prints), so the view only
draws. Charts are sized to the screen when it is laid out, and again on resize.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from invokers.aws.session import Aws
from invokers.history import History, Recorded
from invokers.metrics import Stats, advice_text, compute, parse_rate, summary_rows
from invokers.models import FunctionSpec, function_key

from ..format import place
from ..widgets.metrics_charts import cloud_chart, duration_chart, error_chart, memory_chart

ADVICE_STYLES = {"tight": "bold red", "wasteful": "bold yellow", "ok": "green", "unknown": "dim"}


class MetricsScreen(Screen[None]):
    """Figures and charts of ``spec``'s recorded runs; escape closes it.

    A full screen, not a modal one: a modal screen draws the main screen dimmed behind it, which
    cost as much as the view itself (the main screen holds the editor and the logs)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, spec: FunctionSpec, history: History, project: Path, aws: Aws | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.history = history
        self.project = project
        self.aws = aws if not spec.is_local else None
        """A deployed function's CloudWatch figures are read through this (None: local, or AWS is off)."""
        self.runs: list[Recorded] = history.load(function_key(spec), payloads=False)
        self.rate: float | None = None
        self.stats: Stats = self._compute()

    def _compute(self) -> Stats:
        return compute(self.runs, function=self.spec.name, memory_mb=self.spec.memory_mb,
                       rate_per_second=self.rate)

    def compose(self) -> ComposeResult:
        where = "deployed" if not self.spec.is_local else "local"
        with Vertical(id="metrics-body"):
            yield Label(f"Metrics: {self.spec.name} ({where}) · {len(self.runs):,} recorded runs", id="metrics-title")
            yield Label(f"every session's runs, from {place(self.history.folder, self.project)} · esc closes",
                        id="metrics-source")
            with Horizontal(id="metrics-top"):
                yield Static(self._figures(), id="metrics-figures")
                with Vertical(id="metrics-side"):
                    yield Input(placeholder="rate: 50/s, 2M/month",
                                id="metrics-rate")
                    yield Static(self._projection(), id="metrics-projection")
                    yield Static(self._advice(), id="metrics-advice")
            with VerticalScroll(id="metrics-charts"):
                yield Static("Duration over time", classes="metrics-heading")
                yield Static("", id="metrics-duration")
                yield Static("Peak memory against the configured size", classes="metrics-heading")
                yield Static("", id="metrics-memory")
                yield Static("Errors over time", classes="metrics-heading")
                yield Static("", id="metrics-errors")
                if self.aws is not None:
                    yield Static("CloudWatch", classes="metrics-heading")
                    with Horizontal(id="metrics-windows"):
                        for window in ("hour", "day", "week"):
                            yield Button(f"last {window}", id=f"metrics-window-{window}", compact=True)
                    yield Static("", id="metrics-cloud")

    def on_mount(self) -> None:
        for problem in self.history.problems[:3]:
            self.notify(problem, severity="warning", title="History")
        if self.aws is not None:
            self.load_cloud("hour")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("metrics-window-"):
            self.load_cloud(event.button.id.removeprefix("metrics-window-"))

    @work(group="cloud", exclusive=True)
    async def load_cloud(self, window: str) -> None:
        """CloudWatch's figures of the last ``window`` (hour, day, week), read in the background."""
        from invokers.aws.cloud_metrics import fetch
        from invokers.aws.session import AwsError

        assert self.aws is not None
        shown = self.query_one("#metrics-cloud", Static)
        shown.update(Text(f"reading CloudWatch metrics of the last {window}…", style="dim"))
        try:
            found = await fetch(self.aws, self.spec, window)
        except AwsError as exc:
            shown.update(Text(f"CloudWatch: {exc}", style="red"))
            return
        shown.update(cloud_chart(found, max(10, self.size.width - 22)))

    def on_resize(self, event: Resize) -> None:
        self._draw_charts(event.size.width)

    def _draw_charts(self, screen_width: int) -> None:
        width = max(10, screen_width - 18)  # room for the borders, the scroll bar and the labels
        self.query_one("#metrics-duration", Static).update(duration_chart(self.runs, width))
        self.query_one("#metrics-memory", Static).update(memory_chart(self.runs, self.stats.memory_mb, width))
        self.query_one("#metrics-errors", Static).update(error_chart(self.runs, width))

    def _figures(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        for name, value in summary_rows(self.stats, projection=False):
            table.add_row(name, value)
        return table

    def _projection(self) -> Text:
        rows = summary_rows(self.stats, figures=False)
        if not rows:
            return Text("type a rate to see the month's cost", style="dim")
        name, value = rows[-1]
        return Text.assemble((f"{name}: ", "bold"), value)

    def _advice(self) -> Text:
        advice = self.stats.advice
        verdict = advice.verdict if advice is not None else "unknown"
        return Text.assemble(("memory: ", "bold"), (advice_text(self.stats), ADVICE_STYLES.get(verdict, "")))

    def on_input_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        projection = self.query_one("#metrics-projection", Static)
        try:
            self.rate = parse_rate(text) if text else None
        except ValueError as exc:
            projection.update(Text(str(exc), style="red"))
            return
        self.stats = self._compute()
        projection.update(self._projection())
        self.query_one("#metrics-advice", Static).update(self._advice())
