"""The run area: logs beside the result and the history, and the invocations that fill them.

It owns the invoke lifecycle (one Textual worker consuming the engine's
stream), the run history of every function, and log batching: records reach
the log view at most every ``FLUSH_S``, not one message per line.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from invokers.models import Comparison, DebugStop, FunctionSpec, LogRecord, ResponseChunk, Result, compare, function_key

from ..format import ms
from ..messages import DeliveryArrived, FunctionStateChanged, InvocationFinished, RunSelected, RunShown
from .debugger_panel import DebuggerPanel
from .history_panel import HistoryPanel
from .log_panel import LogPanel
from .timing_panel import TimingPanel

if TYPE_CHECKING:
    from invokers.aws.deployed import FunctionDetails
    from invokers.drift import Drift
    from invokers.reload import ReloadEvent

    from ..app import SvlApp

FLUSH_S = 0.03  # log batches reach the view at most every 30 ms
HISTORY_LIMIT = 50
UNFREEZE_AFTER_S = 5.0


@dataclass
class Run:
    """One invocation as the UI keeps it: what was sent, what was written, what came back."""

    spec: FunctionSpec
    event: Any
    records: list[LogRecord]
    result: Result
    comparison: Comparison | None = None
    source: str = ""
    """What triggered it when it was not the user: ``sqs:OrdersQueue``, ``schedule:Nightly``."""

    @property
    def title(self) -> str:
        """How a person names this run: ``the 14:03:12 run (warm, 12 ms, ok)``."""
        result = self.result
        when = datetime.fromtimestamp(result.started_at).strftime("%H:%M:%S")
        via = f"{self.source}, " if self.source else ""
        return f"the {when} run ({via}{'cold' if result.cold else 'warm'}, {ms(result.duration_ms)}, {result.status})"


def _collect_when_idle() -> None:
    """Logs stopped flowing a while ago: let the collector see every object again (one pause, unseen)."""
    gc.unfreeze()
    gc.collect()


class RunArea(Horizontal):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.runs: dict[str, list[Run]] = {}
        self.last: tuple[FunctionSpec, Any] | None = None
        self.in_flight: FunctionSpec | None = None
        self.auto_rerun = False
        self.confirmed: set[str] = set()  # deployed functions the user agreed to invoke this session
        self.sdk_offered: set[str] = set()  # bundled SDK packages already offered this session: ask once
        self._shown: FunctionSpec | None = None
        self.in_view: Run | None = None
        """The run the result panel shows: what export-test and copy-report act on."""
        self._buffer: list[LogRecord] = []
        self._unfreeze_timer: Timer | None = None

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield LogPanel(id="log-panel")
        yield DebuggerPanel(id="debugger-panel")
        with Vertical(id="side"):
            yield TimingPanel(id="timing-panel")
            yield HistoryPanel(id="history-panel")

    def on_mount(self) -> None:
        self.query_one(HistoryPanel).display = False
        self.query_one(DebuggerPanel).display = False
        self.set_interval(FLUSH_S, self._flush)

    # ---- what is on show ---------------------------------------------------------

    def show_function(self, spec: FunctionSpec) -> bool:
        """Show ``spec``'s last run and its history; False when it has none (nothing replaced the view)."""
        self._shown = spec
        self.query_one(TimingPanel).show_drift(None)  # the new function's own arrives after, if it has a twin
        runs = self.runs.get(function_key(spec), [])
        self._show_history(runs)
        if runs and self.in_flight is None:
            self._show_run(runs[-1])
        elif not runs:
            self.in_view = None
        return bool(runs)

    def _show_history(self, runs: list[Run]) -> None:
        self.query_one(HistoryPanel).show_runs([run.result for run in runs], [run.source for run in runs])

    def _show_run(self, run: Run) -> None:
        self.in_view = run
        self.query_one(LogPanel).show_records(run.records)
        self.query_one(TimingPanel).show(run.result, run.comparison)

    @on(RunSelected)
    def _run_selected(self, message: RunSelected) -> None:
        message.stop()
        runs = self.runs.get(function_key(self._shown), []) if self._shown is not None else []
        if 0 <= message.index < len(runs) and self.in_flight is None:
            run = runs[message.index]
            if self.query_one(HistoryPanel).display:
                self.toggle_history()  # back to the result panel, now showing that run
            self._show_run(run)
            timing = self.query_one(TimingPanel)
            timing.border_title = f"{timing.border_title or 'Result'} · {run.title}"  # a past run: say which
            self.post_message(RunShown(run.event, f"event of {run.title}"))

    def show_details(self, details: FunctionDetails) -> None:
        if self.in_flight is None:
            self.query_one(TimingPanel).show_details(details)

    def show_drift(self, drift: Drift | None) -> None:
        self.query_one(TimingPanel).show_drift(drift)

    def say(self, text: str) -> None:
        self.query_one(TimingPanel).say(text)

    def toggle_history(self) -> None:
        history = self.query_one(HistoryPanel)
        history.display = not history.display
        self.query_one(TimingPanel).display = not history.display
        if history.display:
            history.query_one("#history-runs").focus()

    # ---- logs from elsewhere (CloudWatch) ------------------------------------------

    def open_logs(self, title: str, clear: bool = True) -> None:
        panel = self.query_one(LogPanel)
        if clear:
            panel.clear()
        panel.border_title = title

    def add_logs(self, records: list[LogRecord]) -> None:
        self._buffer.extend(records)

    def _flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        self.query_one(LogPanel).add_records(batch)
        # Hundreds of thousands of kept records make every full garbage collection walk them all
        # (60-90 ms stalls while streaming). Records hold no cycles, so moving them out of the
        # collector's reach is safe; the idle timer below gives the collector everything back.
        gc.freeze()
        if self._unfreeze_timer is not None:
            self._unfreeze_timer.stop()
        self._unfreeze_timer = self.set_timer(UNFREEZE_AFTER_S, _collect_when_idle)

    # ---- invoking ----------------------------------------------------------------------

    def start(self, spec: FunctionSpec, event: Any, previous: Result | None = None,
              options: dict[str, Any] | None = None, before: Callable[[], None] | None = None) -> None:
        """Invoke ``spec``; ``options`` (invocation_type, qualifier) apply to deployed functions.

        ``before`` runs once the invocation is really going ahead (after a confirmation, if one was asked).
        """
        if self.in_flight is not None:
            self.notify(f"{self.in_flight.name} is still running: ctrl+k cancels it.", severity="warning")
            return

        def go() -> None:
            if before is not None:
                before()
            self._begin(spec, event, previous, options or {})

        if (options or {}).get("invocation_type") == "DryRun":
            go()  # a dry run has no side effects
        else:
            self._confirm_then(spec, go)

    def repeat(self) -> None:
        if self.last is None:
            self.notify("Nothing to repeat yet: invoke a function first.", severity="warning")
            return
        self.start(*self.last)

    def _confirm_then(self, spec: FunctionSpec, go: Callable[[], None]) -> None:
        """Deployed functions can have side effects: ask once per function and session."""
        from ..screens.confirm import ConfirmScreen

        if spec.is_local or spec.name in self.confirmed or not self.svl.confirm_deployed:
            go()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirmed.add(spec.name)
                go()

        region = spec.region or "the default region"
        self.app.push_screen(ConfirmScreen("Invoke a deployed function?",
                                           f"{spec.name} runs in AWS ({region}) with its real permissions and "
                                           "may have side effects. Invoke it?"), answered)

    def _begin(self, spec: FunctionSpec, event: Any, previous: Result | None, options: dict[str, Any]) -> None:
        self.last = (spec, event)
        self.in_flight = spec
        self._buffer = []
        self.open_logs("Logs")
        self.query_one(TimingPanel).running(spec)
        port = self.svl.engine.debug_port
        if port and spec.is_local and spec.language in ("python", "node") and not self.svl.engine.is_warm(spec.name):
            self.notify(f"{spec.name} starts under the debugger and waits: attach your editor to "
                        f"127.0.0.1:{port} (timeouts are suspended).", timeout=8)
        self.post_message(FunctionStateChanged(function_key(spec), "running"))
        self._invoke(spec, event, previous, options)

    @work(exclusive=True, group="invoke")
    async def _invoke(self, spec: FunctionSpec, event: Any, previous: Result | None, options: dict[str, Any]) -> None:
        records: list[LogRecord] = []
        options = {"debug": spec.is_local, "chunks": True, **options}  # a breakpoint() stops in the debugger pane
        async for update in self.svl.engine.invoke(spec, event, **options):
            if isinstance(update, DebugStop):
                self._flush()
                self.query_one(DebuggerPanel).show_stop(update)
                self.add_class("-debugging")  # stacked, the pane takes the result panel's room (app.tcss)
                continue
            if isinstance(update, ResponseChunk):
                self.query_one(TimingPanel).stream(update)
                continue
            if isinstance(update, Result):
                self._flush()
                comparison = compare(previous, update) if previous is not None else None
                self.post_message(InvocationFinished(spec, event, update, records, comparison))
                return
            records.append(update)
            self._buffer.append(update)
            if len(records) % 256 == 0:
                await asyncio.sleep(0)  # a flood of lines must not starve the UI

    @on(DeliveryArrived)
    def _delivered(self, message: DeliveryArrived) -> None:
        """An event source ran a function: kept in its history, shown when it is the function on show."""
        message.stop()
        delivery = message.delivery
        spec = next((s for s in self.svl.catalogue.functions if s.is_local and s.name == delivery.function), None)
        if spec is None or delivery.result is None:
            return
        runs = self.runs.setdefault(function_key(spec), [])
        runs.append(Run(spec, delivery.event, delivery.logs, delivery.result, source=delivery.source))
        del runs[:-HISTORY_LIMIT]
        self.post_message(FunctionStateChanged(function_key(spec), "warm" if delivery.result.ok else "error"))
        if self._shown is not None and function_key(self._shown) == function_key(spec) and self.in_flight is None:
            self._show_run(runs[-1])
            self._show_history(runs)

    @on(InvocationFinished)
    def _finished(self, message: InvocationFinished) -> None:
        message.stop()
        self.in_flight = None
        self.query_one(DebuggerPanel).finished()
        self.remove_class("-debugging")
        spec, result = message.spec, message.result
        runs = self.runs.setdefault(function_key(spec), [])
        runs.append(Run(spec, message.event, message.records, result, message.comparison))
        del runs[:-HISTORY_LIMIT]
        self.in_view = runs[-1]
        self.query_one(TimingPanel).show(result, message.comparison)
        if spec.is_local:
            warm = self.svl.engine.is_warm(spec.name)
            state = "warm" if warm else ("error" if result.cold and not result.ok else "cold")
        else:
            state = "remote"
        self.post_message(FunctionStateChanged(function_key(spec), state))
        if result.error and str(result.error.get("errorType", "")).startswith("AWS."):
            self.notify(result.error["errorMessage"], title="AWS", severity="error", timeout=8)
        if self._shown is not None and function_key(self._shown) == function_key(spec):
            self._show_history(runs)
        if result.status in ("crashed", "timeout"):
            self.notify(f"{spec.name}: {(result.error or {}).get('errorMessage', result.status)}",
                        severity="error", title=result.status.capitalize())
        if spec.is_local and result.missing_sdk:
            self._offer_sdk(spec, result.missing_sdk)

    def _offer_sdk(self, spec: FunctionSpec, packages: list[str]) -> None:
        """Lambda bundles the AWS SDK; offer once to fetch what is missing (npm, into svl-tui's cache)."""
        from ..screens.confirm import ConfirmScreen

        wanted = [package for package in packages if package not in self.sdk_offered]
        if not wanted:
            return
        self.sdk_offered.update(wanted)

        def answered(yes: bool | None) -> None:
            if yes:
                self._install_sdk(spec, wanted)

        self.app.push_screen(ConfirmScreen(
            "Install the AWS SDK?",
            f"{spec.name} needs {', '.join(wanted)}, which Lambda's {spec.runtime} runtime bundles but this machine "
            "lacks. Install it once with npm into svl-tui's cache (shared by all projects, never into yours)?",
            yes="Install"), answered)

    @work(group="sdk-install")
    async def _install_sdk(self, spec: FunctionSpec, packages: list[str]) -> None:
        from invokers.node_sdk import install_async

        self.notify(f"Installing {', '.join(packages)} with npm…", title="AWS SDK")
        done = await install_async(packages, spec.runtime)
        if done.ok:
            self.notify(f"{done.message}. Invoke {spec.name} again (ctrl+r).", title="AWS SDK installed")
        else:
            self.sdk_offered.difference_update(packages)  # failed: offer again next time
            self.notify(done.message, title="AWS SDK not installed", severity="error", timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "invoke" or self.in_flight is None:
            return
        spec = self.in_flight
        if event.state in (WorkerState.CANCELLED, WorkerState.ERROR):
            self.query_one(DebuggerPanel).finished()
            self.remove_class("-debugging")
        if event.state == WorkerState.CANCELLED:
            self.in_flight = None
            self._flush()
            self.post_message(FunctionStateChanged(function_key(spec), "cold" if spec.is_local else "remote"))
            self.query_one(TimingPanel).cancelled()
        elif event.state == WorkerState.ERROR:
            self.in_flight = None
            self.post_message(FunctionStateChanged(function_key(spec), "error"))
            self.notify(f"{spec.name}: the invocation failed inside svl-tui: {event.worker.error}", severity="error")

    def post_mortem(self) -> None:
        """Re-run the last invocation's event, stopping in the debugger at the frame that raised."""
        runs = self.runs.get(function_key(self.last[0])) if self.last is not None else None
        if self.last is None or not runs or runs[-1].result.ok:
            self.notify("Post-mortem needs a failed invocation: invoke a function that raises first.",
                        severity="warning")
            return
        spec, event = self.last
        if spec.language != "python" or not spec.is_local:
            self.notify("Post-mortem works for local Python functions.", severity="warning")
            return
        self.start(spec, event, options={"post_mortem": True})

    def cancel(self) -> None:
        if self.in_flight is None:
            self.notify("Nothing is running.", timeout=2)
            return
        self.workers.cancel_group(self, "invoke")

    # ---- after a reload ----------------------------------------------------------------

    def toggle_auto_rerun(self) -> None:
        self.auto_rerun = not self.auto_rerun
        self.notify(f"Auto-rerun after reload is {'on' if self.auto_rerun else 'off'}.", timeout=3)

    def rerun_after(self, event: ReloadEvent, current: Callable[[str], FunctionSpec | None]) -> None:
        """Auto-rerun: the last invocation again, with the reloaded spec, compared with the run before."""
        if not (self.auto_rerun and event.ok and self.last is not None and self.last[0].name in event.reloaded):
            return
        spec = current(self.last[0].name)
        runs = self.runs.get(function_key(self.last[0])) or []
        if spec is not None:
            self.start(spec, self.last[1], runs[-1].result if runs else None)
