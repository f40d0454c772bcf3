"""Charts of a function's recorded runs, drawn with Rich text: duration, memory, error bursts.

Vertical bars in eighth blocks, one column per run (or per group of consecutive
runs when there are more runs than columns: the column shows the group's worst),
so 10,000 runs draw as fast as 100. The figures come from ``invokers.metrics``;
this module only draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from invokers.aws.cloud_metrics import CloudMetrics
from invokers.history import Recorded
from invokers.metrics import TIGHT_SHARE, WASTEFUL_SHARE, buckets

from ..format import ms

EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass
class Column:
    """One column of a chart: its bar's height (0..1) and style, and a marker under the axis."""

    value: float
    style: str
    marker: str = " "
    marker_style: str = ""


def groups(runs: Sequence[Recorded], width: int) -> list[Sequence[Recorded]]:
    """``runs`` cut into at most ``width`` consecutive groups, oldest first."""
    if not runs:
        return []
    count = min(width, len(runs))
    size = len(runs) / count
    return [runs[int(index * size):int((index + 1) * size)] for index in range(count)]


class _Runs:
    """Text built from (character, style) pairs, with neighbours of one style joined into one span: a chart
    of 150 columns is a few dozen spans, not 1,000 (rendering cost grows with spans)."""

    def __init__(self) -> None:
        self.text = Text(no_wrap=True, overflow="crop")
        self._chunk: list[str] = []
        self._style = ""

    def add(self, characters: str, style: str) -> None:
        if style != self._style:
            self.flush()
            self._style = style
        self._chunk.append(characters)

    def flush(self) -> Text:
        if self._chunk:
            self.text.append("".join(self._chunk), style=self._style or None)
            self._chunk = []
        return self.text


def bars(columns: list[Column], height: int, *, label_top: str = "", label_bottom: str = "") -> Text:
    """Columns as vertical bars ``height`` rows tall; labels on the right of the top and bottom rows."""
    runs = _Runs()
    for row in range(height - 1, -1, -1):
        for column in columns:
            fill = round(max(0.0, min(1.0, column.value)) * height * 8) - row * 8
            runs.add(EIGHTHS[max(0, min(8, fill))], column.style)
        label = label_top if row == height - 1 else label_bottom if row == 0 else ""
        runs.add(f" {label}\n" if label else "\n", "dim")
    if any(column.marker != " " for column in columns):
        for column in columns:
            runs.add(column.marker, column.marker_style if column.marker != " " else "")
        runs.add("\n", "")
    return runs.flush()


def duration_chart(runs: Sequence[Recorded], width: int, height: int = 6) -> Text:
    """Duration over time: a bar per run (or the longest of a group), cold starts marked ▴, failures red."""
    if not runs:
        return Text("no runs yet", style="dim")
    parts = groups(runs, width)
    tops = [max(run.duration_ms for run in part) for part in parts]
    top = max(tops) or 1.0
    columns = []
    for part, longest in zip(parts, tops, strict=True):
        failed = any(not run.ok for run in part)
        cold = any(run.cold for run in part)
        columns.append(Column(longest / top, "red" if failed else "yellow" if cold else "green",
                              "▴" if cold else " ", "yellow"))
    chart = bars(columns, height, label_top=ms(top), label_bottom="0")
    per = f"{len(runs) / len(parts):.0f} runs a column, the longest shown · " if len(parts) < len(runs) else ""
    chart.append(per, style="dim").append("▴ cold start ", style="yellow").append("warm ", style="green")
    chart.append("failed", style="red")
    return chart


def memory_chart(runs: Sequence[Recorded], configured_mb: int, width: int, height: int = 4) -> Text:
    """Peak memory of each run against the configured size (the top of the chart)."""
    if not runs:
        return Text("no runs yet", style="dim")
    parts = groups(runs, width)
    size = configured_mb or max(run.max_memory_mb for run in runs) or 1
    columns = []
    for part in parts:
        peak = max(run.max_memory_mb for run in part)
        share = peak / size
        style = "red" if share >= TIGHT_SHARE else "blue" if share < WASTEFUL_SHARE else "green"
        columns.append(Column(share, style))
    chart = bars(columns, height, label_top=f"{size} MB", label_bottom="0 MB")
    chart.append(f"top: the configured {size} MB · ", style="dim")
    chart.append(f"≥ {TIGHT_SHARE:.0%} too tight ", style="red").append("ok ", style="green")
    chart.append(f"< {WASTEFUL_SHARE:.0%} wasteful", style="blue")
    return chart


def error_chart(runs: Sequence[Recorded], width: int, height: int = 4) -> Text:
    """Runs per slice of time (grey) with their failures (red) stacked from the bottom: error bursts."""
    if not runs:
        return Text("no runs yet", style="dim")
    slices = buckets(list(runs), width)
    busiest = max(piece.count for piece in slices) or 1
    out = _Runs()
    for row in range(height - 1, -1, -1):
        for piece in slices:
            total = round(piece.count / busiest * height * 8) - row * 8
            failed = round(piece.errors / busiest * height * 8) - row * 8
            out.add(EIGHTHS[max(0, min(8, total))], "red" if failed > 0 else "grey50")
        label = f" {busiest} runs" if row == height - 1 else " 0" if row == 0 else ""
        out.add(f"{label}\n", "dim")
    text = out.flush()
    errors = sum(piece.errors for piece in slices)
    text.append(f"{errors} failed ", style="red").append("of all runs, over time", style="dim")
    return text


def cloud_chart(found: CloudMetrics, width: int, height: int = 4) -> Text:
    """CloudWatch's figures of a deployed function: totals, then invocations per period (red where some
    failed) and the duration's p99 (or maximum) per period."""
    text = Text(no_wrap=True, overflow="crop")
    rate = f" ({found.error_rate:.2%})" if found.invocations else ""
    text.append(f"{found.invocations:,} invocations · {found.errors:,} errors{rate} · {found.throttles:,} throttles"
                f" · duration avg {ms(found.duration_avg_ms)} p50 {ms(found.duration_p50_ms)} "
                f"p99 {ms(found.duration_p99_ms)} max {ms(found.duration_max_ms)}"
                + (f" · concurrency max {found.max_concurrency:g}" if found.max_concurrency is not None else "")
                + "\n")
    counts = found.series.get("invocations", [])[-width:]
    if not counts:
        return text.append(f"no invocations in the last {found.window}", style="dim")
    errors = dict(found.series.get("errors", []))
    busiest = max(value for _, value in counts) or 1.0
    text.append_text(bars([Column(value / busiest, "red" if errors.get(stamp) else "green") for stamp, value in counts],
                          height, label_top=f"{busiest:g}", label_bottom="0"))
    text.append(f"invocations per {found.period_s // 60} min, red: some failed\n", style="dim")
    durations = (found.series.get("duration_p99") or found.series.get("duration_max") or [])[-width:]
    if durations:
        slowest = max(value for _, value in durations) or 1.0
        which = "p99" if found.series.get("duration_p99") else "max"
        text.append_text(bars([Column(value / slowest, "yellow") for _, value in durations], height,
                              label_top=f"{ms(slowest)} ({which})", label_bottom="0"))
    for note in found.notes:
        text.append(f"{note}\n", style="dim")
    return text
