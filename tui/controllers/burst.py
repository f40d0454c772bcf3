"""A burst from the UI: the editor's event N times, C at a time, on the app's own engine.

The engine side is ``invokers.burst`` (the same code as ``svl-tui invoke F
--repeat N --concurrency C``); this asks for N and C, runs it in a worker and
shows the report: cold starts, throttles, errors, p50/p95/p99.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from invokers.burst import BurstReport, burst
from invokers.models import FunctionSpec

if TYPE_CHECKING:
    from ..app import SvlApp
    from ..screens.main import MainScreen

MAX_REPEAT = 10_000
MAX_CONCURRENCY = 1_000
_SHAPE = re.compile(r"^\s*(\d+)\s*(?:[x×*,\s]\s*(\d+))?\s*$", re.IGNORECASE)


def parse(text: str) -> tuple[int, int]:
    """``20`` (one at a time), ``20 x 5``, ``20x5`` or ``20 5`` -> (repeat, concurrency); ValueError says why not."""
    match = _SHAPE.match(text)
    if match is None:
        raise ValueError(f"{text.strip()!r}: write N or N x C, e.g. 20 x 5 (20 invocations, 5 at a time)")
    repeat, concurrency = int(match.group(1)), int(match.group(2) or 1)
    if not 1 <= repeat <= MAX_REPEAT:
        raise ValueError(f"N must be from 1 to {MAX_REPEAT:,}, not {repeat}")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"C must be from 1 to {MAX_CONCURRENCY:,}, not {concurrency}")
    return repeat, concurrency


def summary(report: BurstReport) -> str:
    """The report in a few lines, as the CLI prints it."""
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f} ms"

    lines = [f"{report.repeat} × {report.function}, {report.concurrency} at a time: {report.ok} ok, "
             f"{report.errors} errors, {report.throttled} throttled, {report.cold_starts} cold starts",
             f"duration p50 {ms(report.p50_ms)} · p95 {ms(report.p95_ms)} · p99 {ms(report.p99_ms)} · "
             f"wall {report.wall_ms:.0f} ms"]
    lines += [f"{count} × {error_type}" for error_type, count in sorted(report.error_types.items())]
    return "\n".join(lines)


class BurstController:
    """Asks for N and C, fires the burst in a worker, notifies the report (kept as ``last``)."""

    def __init__(self, app: SvlApp) -> None:
        self.app = app
        self.last: BurstReport | None = None

    def ask(self, screen: MainScreen) -> None:
        """The palette's command: the selected function, the editor's event (when it is valid JSON)."""
        from ..screens.prompt import PromptScreen

        spec = screen.selected
        if spec is None or not spec.is_local:
            self.app.notify("Pick a local function first: a burst runs local environments.", severity="warning")
            return
        valid, event = screen.editor.checked_event("no burst was fired")
        if not valid:
            return

        def check(text: str) -> str:
            parse(text)
            return text

        def answered(text: str | None) -> None:
            if text is not None:
                repeat, concurrency = parse(text)
                self.app.run_worker(self.run(spec, event, repeat, concurrency), group="burst", exclusive=True)

        self.app.push_screen(PromptScreen(f"Burst {spec.name}: N invocations, C at a time", "e.g. 20 x 5",
                                          check, "20 x 5"), answered)

    async def run(self, spec: FunctionSpec, event: Any, repeat: int, concurrency: int) -> BurstReport:
        self.app.notify(f"{repeat} invocations of {spec.name}, {concurrency} at a time…", title="Burst")
        report = await burst(self.app.engine, spec, event, repeat=repeat, concurrency=concurrency)
        self.last = report
        failed = report.errors or report.throttled
        self.app.notify(summary(report), title="Burst", severity="warning" if failed else "information",
                        timeout=30)
        return report
