"""The main screen: function list, event editor, and the run area (logs beside timing and result).

It routes messages between widgets and runs the long work (invocations, the
reload watcher) in Textual workers, so the UI never waits on a handler.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from invokers.models import FunctionSpec, LogRecord, Result
from invokers.reload import Comparison, compare

from ..bindings import bindings
from ..messages import (
    DeployedFailed,
    DeployedPage,
    DetailsLoaded,
    FunctionSelected,
    InvocationFinished,
    LogBatch,
    Reloaded,
    RunSelected,
)
from ..widgets.event_editor import EventEditor
from ..widgets.function_list import FunctionList, function_key
from ..widgets.history_panel import HistoryPanel
from ..widgets.log_panel import LogPanel
from ..widgets.timing_panel import TimingPanel

if TYPE_CHECKING:
    from ..app import SvlApp
    from .event_picker import Choice

FLUSH_S = 0.03  # log batches reach the view at most every 30 ms
NARROW = 110
HISTORY_LIMIT = 50
UNFREEZE_AFTER_S = 5.0
DEPLOYED_SLICE = 50


def _span(minutes: int) -> str:
    """``15 minutes``, ``hour``, ``3 hours``, ``day``: as in "the last ..."."""
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes >= size:
            count = minutes // size
            return unit if count == 1 else f"{count} {unit}s"
    return f"{minutes} minutes"


def _collect_when_idle() -> None:
    """Logs stopped flowing a while ago: let the collector see every object again (one pause, unseen)."""
    gc.unfreeze()
    gc.collect()


def _check_qualifier(text: str) -> str:
    text = text.strip()
    if not text or not all(ch.isalnum() or ch in "-_$" for ch in text):
        raise ValueError("a version number (e.g. 3) or an alias name (letters, digits, - and _)")
    return text


@dataclass
class Run:
    """One invocation as the UI keeps it: what was sent, what was written, what came back."""

    event: Any
    records: list[LogRecord]
    result: Result
    comparison: Comparison | None = None


class MainScreen(Screen[None]):
    BINDINGS = bindings()

    def __init__(self) -> None:
        super().__init__()
        self.selected: FunctionSpec | None = None
        self.runs: dict[str, list[Run]] = {}
        self.last: tuple[FunctionSpec, Any] | None = None
        self.auto_rerun = False
        self.confirmed: set[str] = set()  # deployed functions the user agreed to invoke this session
        self._log_buffer: list[LogRecord] = []
        self._in_flight: FunctionSpec | None = None
        self._following: str | None = None
        self._unfreeze_timer: Timer | None = None

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield FunctionList(id="function-list")
            with Vertical(id="main-area"):
                yield EventEditor(id="event-editor")
                with Horizontal(id="run-area"):
                    yield LogPanel(id="log-panel")
                    with Vertical(id="side"):
                        yield TimingPanel(id="timing-panel")
                        yield HistoryPanel(id="history-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(HistoryPanel).display = False
        functions = self.query_one(FunctionList)
        functions.project_label = self.svl.project_label
        functions.set_functions(self.svl.functions)
        if self.svl.functions:
            functions.select(self.svl.functions[0].name)
            functions.options.focus()
        else:
            self.query_one(TimingPanel).say(
                "No functions found. Add an svl.yaml, a SAM template.yaml or a serverless.yml (see README).")
        self.set_interval(FLUSH_S, self._flush_logs)
        self.call_after_refresh(self._watch_reloads)  # after the first frame: start-up time matters
        if self.svl.aws is not None:
            functions.set_deployed_status("loading…")
            self.call_after_refresh(self._load_deployed)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    # ---- selection -----------------------------------------------------------

    @on(FunctionSelected)
    def _selected(self, message: FunctionSelected) -> None:
        self.selected = message.spec
        editor = self.query_one(EventEditor)
        label = message.spec.name if message.spec.is_local else f"{message.spec.name} (deployed)"
        editor.switch_to(function_key(message.spec), message.spec.default_event, label)
        runs = self.runs.get(function_key(message.spec), [])
        self.query_one(HistoryPanel).show_runs([run.result for run in runs])
        if runs and self._in_flight is None:
            self._show_run(runs[-1])
        elif not message.spec.is_local and self._in_flight is None:
            self._load_details(message.spec.name)

    def _show_run(self, run: Run) -> None:
        self.query_one(LogPanel).show_records(run.records)
        self.query_one(TimingPanel).show(run.result, run.comparison)

    @on(RunSelected)
    def _run_selected(self, message: RunSelected) -> None:
        if self.selected is None:
            return
        runs = self.runs.get(function_key(self.selected), [])
        if 0 <= message.index < len(runs):
            run = runs[message.index]
            self._show_run(run)
            self.query_one(EventEditor).set_event(run.event, f"event of the run at index {message.index + 1}")

    # ---- invoking ----------------------------------------------------------------

    def action_invoke(self) -> None:
        if self.selected is None:
            self.notify("Pick a function first.", severity="warning")
            return
        valid, event = self._editor_event("nothing was sent")
        if valid:
            self.start_invoke(self.selected, event)

    def _editor_event(self, consequence: str) -> tuple[bool, Any]:
        """The editor's event, or (False, None) after showing where its JSON is broken.

        The text stays as typed and the cursor goes to the error: bad input never loses the edit.
        """
        editor = self.query_one(EventEditor)
        event, problem = editor.parsed()
        if problem is None:
            return True, event
        self.notify(f"The event is not valid JSON (line {problem.line}, column {problem.column}): "
                    f"{problem.message}. Fix it in the editor; {consequence}.", severity="error",
                    title="Invalid event")
        editor.text_area.focus()
        if problem.line:
            editor.text_area.cursor_location = (problem.line - 1, max(0, (problem.column or 1) - 1))
        return False, None

    def _confirm_then(self, spec: FunctionSpec, go: Any) -> None:
        """Deployed functions can have side effects: ask once per function and session."""
        from .confirm import ConfirmScreen

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

    def action_repeat(self) -> None:
        if self.last is None:
            self.notify("Nothing to repeat yet: invoke a function first.", severity="warning")
            return
        self.start_invoke(*self.last)

    def start_invoke(self, spec: FunctionSpec, event: Any, previous: Result | None = None,
                     options: dict[str, Any] | None = None) -> None:
        """Invoke ``spec``; ``options`` (invocation_type, qualifier) apply to deployed functions."""
        if self._in_flight is not None:
            self.notify(f"{self._in_flight.name} is still running: ctrl+k cancels it.", severity="warning")
            return
        if (options or {}).get("invocation_type") == "DryRun":
            self._begin(spec, event, previous, options or {})  # a dry run has no side effects
            return
        self._confirm_then(spec, lambda: self._begin(spec, event, previous, options or {}))

    def invoke_deployed_with(self, invocation_type: str, ask_qualifier: bool = False) -> None:
        """Palette commands: Event / DryRun invocations, or a version or alias, of the selected deployed function."""
        from .prompt import PromptScreen

        spec = self.selected
        if spec is None or spec.is_local:
            self.notify("Pick a deployed function first.", severity="warning")
            return
        valid, event = self._editor_event("nothing was sent")
        if not valid:
            return
        if not ask_qualifier:
            self.start_invoke(spec, event, options={"invocation_type": invocation_type})
            return

        def chosen(qualifier: str | None) -> None:
            if qualifier:
                self.start_invoke(spec, event, options={"invocation_type": invocation_type, "qualifier": qualifier})

        self.app.push_screen(PromptScreen(f"Invoke {spec.name} at…", "version number or alias, e.g. live",
                                          _check_qualifier), chosen)

    def _begin(self, spec: FunctionSpec, event: Any, previous: Result | None, options: dict[str, Any]) -> None:
        self._stop_following()
        self.last = (spec, event)
        self._in_flight = spec
        self._log_buffer = []
        self.query_one(LogPanel).clear()
        self.query_one(TimingPanel).running(spec)
        self.query_one(FunctionList).set_state(function_key(spec), "running")
        self._invoke(spec, event, previous, options)

    @work(exclusive=True, group="invoke")
    async def _invoke(self, spec: FunctionSpec, event: Any, previous: Result | None, options: dict[str, Any]) -> None:
        records: list[LogRecord] = []
        count = 0
        async for update in self.svl.engine.invoke(spec, event, **options):
            if isinstance(update, Result):
                self._flush_logs()
                comparison = compare(previous, update) if previous is not None else None
                self.post_message(InvocationFinished(spec, update, records, comparison))
                return
            records.append(update)
            self._log_buffer.append(update)
            count += 1
            if count % 256 == 0:
                await asyncio.sleep(0)  # a flood of lines must not starve the UI

    def _flush_logs(self) -> None:
        if self._log_buffer:
            batch, self._log_buffer = self._log_buffer, []
            self.post_message(LogBatch(batch))

    @on(LogBatch)
    def _log_batch(self, message: LogBatch) -> None:
        self.query_one(LogPanel).add_records(message.records)
        # Hundreds of thousands of kept records make every full garbage collection walk them all
        # (60-90 ms stalls while streaming). Records hold no cycles, so moving them out of the
        # collector's reach is safe; the idle timer below gives the collector everything back.
        gc.freeze()
        if self._unfreeze_timer is not None:
            self._unfreeze_timer.stop()
        self._unfreeze_timer = self.set_timer(UNFREEZE_AFTER_S, _collect_when_idle)

    @on(InvocationFinished)
    def _finished(self, message: InvocationFinished) -> None:
        self._in_flight = None
        spec, result = message.spec, message.result
        assert self.last is not None
        runs = self.runs.setdefault(function_key(spec), [])
        runs.append(Run(self.last[1], message.records, result, message.comparison))
        del runs[:-HISTORY_LIMIT]
        self.query_one(TimingPanel).show(result, message.comparison)
        if spec.is_local:
            state = "warm" if self.svl.engine.is_warm(spec.name) else ("error" if result.cold and not result.ok
                                                                       else "cold")
        else:
            state = "remote"
        self.query_one(FunctionList).set_state(function_key(spec), state)
        if result.error and str(result.error.get("errorType", "")).startswith("AWS."):
            self.notify(result.error["errorMessage"], title="AWS", severity="error", timeout=8)
        if self.selected is not None and function_key(self.selected) == function_key(spec):
            self.query_one(HistoryPanel).show_runs([run.result for run in runs])
        if result.status in ("crashed", "timeout"):
            self.notify(f"{spec.name}: {(result.error or {}).get('errorMessage', result.status)}",
                        severity="error", title=result.status.capitalize())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "invoke":
            return
        if event.state == WorkerState.CANCELLED and self._in_flight is not None:
            self.query_one(FunctionList).set_state(function_key(self._in_flight),
                                                   "cold" if self._in_flight.is_local else "remote")
            self._in_flight = None
            self._flush_logs()
            self.query_one(TimingPanel).cancelled()
        elif event.state == WorkerState.ERROR and self._in_flight is not None:
            name, self._in_flight = self._in_flight.name, None
            self.query_one(FunctionList).set_state(name, "error")  # local: deployed failures are Results
            self.notify(f"{name}: the invocation failed inside svl-tui: {event.worker.error}", severity="error")

    def action_cancel(self) -> None:
        if self._in_flight is None:
            self.notify("Nothing is running.", timeout=2)
            return
        self.workers.cancel_group(self, "invoke")

    # ---- events in the editor ------------------------------------------------------

    def action_pick_event(self) -> None:
        from .event_picker import EventPickerScreen

        if self.selected is None:
            return
        spec = self.selected
        saved = self._saved_names(spec.name)
        self.app.push_screen(EventPickerScreen(spec.name, saved, spec.default_event is not None),
                             lambda choice: self.load_choice(spec, choice))

    def _saved_names(self, function: str) -> list[str]:
        from event_samples import SavedEventError, SavedEvents

        try:
            return SavedEvents(self.svl.project).list(function)
        except SavedEventError:
            return []

    def load_choice(self, spec: FunctionSpec, choice: Choice | None) -> None:
        """Put the picked event (default, saved or template) in the editor."""
        from event_samples import SavedEventError, SavedEvents, generate

        if choice is None:
            return
        editor = self.query_one(EventEditor)
        try:
            if choice.source == "default":
                editor.set_event(spec.default_event, "default event")
            elif choice.source == "saved":
                editor.set_event(SavedEvents(self.svl.project).load(spec.name, choice.name), f"saved: {choice.name}")
            else:
                editor.set_event(generate(choice.name), f"template: {choice.name}")
        except (SavedEventError, ValueError) as exc:
            self.notify(str(exc), severity="error")
        editor.text_area.focus()

    def action_save_event(self) -> None:
        from event_samples import SavedEventError, SavedEvents
        from event_samples.saved import check_name

        from .prompt import PromptScreen

        if self.selected is None:
            return
        spec = self.selected
        valid, event = self._editor_event("nothing was saved")
        if not valid:
            return

        def save(name: str | None) -> None:
            if name is None:
                return
            try:
                path = SavedEvents(self.svl.project).save(spec.name, name, event)
            except (SavedEventError, OSError) as exc:
                self.notify(f"Could not save: {exc}", severity="error")
                return
            self.notify(f"Saved {path.relative_to(self.svl.project)}", title="Event saved")

        self.app.push_screen(PromptScreen(f"Save event for {spec.name}", "event name, e.g. happy-path", check_name),
                             save)

    def action_decoded_view(self) -> None:
        from .decoded import DecodedScreen

        editor = self.query_one(EventEditor)
        valid, event = self._editor_event("the decoded view needs a valid event")
        if not valid:
            return

        def applied(updated: Any) -> None:
            if updated is not None:
                editor.set_event(updated, "edited in the decoded view")

        self.app.push_screen(DecodedScreen(event, editor.kind), applied)

    def action_format_event(self) -> None:
        if not self.query_one(EventEditor).format():
            self.notify("The event is not valid JSON yet, so it cannot be formatted.", severity="warning")

    # ---- other actions ---------------------------------------------------------------

    def action_filter_functions(self) -> None:
        self.query_one(FunctionList).focus_filter()

    def action_toggle_sidebar(self) -> None:
        functions = self.query_one(FunctionList)
        functions.display = not functions.display
        if not functions.display:
            self.query_one(EventEditor).text_area.focus()

    def action_toggle_auto_rerun(self) -> None:
        self.auto_rerun = not self.auto_rerun
        self.notify(f"Auto-rerun after reload is {'on' if self.auto_rerun else 'off'}.", timeout=3)

    def action_show_history(self) -> None:
        history = self.query_one(HistoryPanel)
        history.display = not history.display
        self.query_one(TimingPanel).display = not history.display
        if history.display:
            history.query_one("#history-runs").focus()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.svl.keymap))

    # ---- deployed functions ----------------------------------------------------------------

    @work(group="deployed", exclusive=True)
    async def _load_deployed(self) -> None:
        from invokers.aws.deployed import list_pages
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            async for page in list_pages(self.svl.aws):
                # Some endpoints (moto, LocalStack) ignore MaxItems and send thousands at once:
                # hand them over in slices so the first ones show at once and the UI stays live.
                for start in range(0, len(page), DEPLOYED_SLICE):
                    self.post_message(DeployedPage(page[start:start + DEPLOYED_SLICE]))
                    await asyncio.sleep(0)
        except AwsError as exc:
            self.post_message(DeployedFailed(str(exc), exc.kind))

    @on(DeployedPage)
    def _deployed_page(self, message: DeployedPage) -> None:
        self.svl.deployed.extend(message.specs)
        self.query_one(FunctionList).add_deployed(message.specs)

    @on(DeployedFailed)
    def _deployed_failed(self, message: DeployedFailed) -> None:
        self.query_one(FunctionList).set_deployed_status(f"unavailable: {message.reason}")
        if message.kind in ("config", "credentials") and not self.svl.aws_settings.profile:
            return  # AWS simply isn't set up here: the list says so, no need to interrupt
        self.notify(f"{message.reason}. Local functions keep working.", title="Deployed functions unavailable",
                    severity="warning", timeout=8)

    @work(group="details", exclusive=True)
    async def _load_details(self, name: str) -> None:
        from invokers.aws.deployed import details
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            self.post_message(DetailsLoaded(await details(self.svl.aws, name)))
        except AwsError as exc:
            self.notify(str(exc), title=f"Configuration of {name}", severity="warning")

    @on(DetailsLoaded)
    def _details_loaded(self, message: DetailsLoaded) -> None:
        selected = self.selected
        if selected is not None and not selected.is_local and selected.name == message.details.spec.name:
            self.query_one(TimingPanel).show_details(message.details)

    def action_follow_logs(self) -> None:
        spec = self.selected
        if spec is None or spec.is_local or self.svl.aws is None:
            self.notify("Pick a deployed function to follow its CloudWatch logs.", severity="warning")
            return
        if self._following == spec.name:
            self._stop_following()
            self.notify(f"Stopped following {spec.name}'s logs.", timeout=3)
            return
        self._stop_following()
        self._following = spec.name
        self.query_one(LogPanel).clear()
        self.query_one(LogPanel).border_title = f"Logs · following /aws/lambda/{spec.name}"
        self._follow(spec)

    def show_recent_logs(self, minutes: int) -> None:
        """A deployed function's CloudWatch logs of the last ``minutes``, in the log panel."""
        spec = self.selected
        if spec is None or spec.is_local or self.svl.aws is None:
            self.notify("Pick a deployed function to read its CloudWatch logs.", severity="warning")
            return
        self._stop_following()
        self.query_one(LogPanel).clear()
        self.query_one(LogPanel).border_title = f"Logs · /aws/lambda/{spec.name} · last {_span(minutes)}"
        self._recent(spec, minutes)

    @work(group="follow", exclusive=True)
    async def _recent(self, spec: FunctionSpec, minutes: int) -> None:
        import time

        from invokers.aws.cloudwatch import recent
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            records = await recent(self.svl.aws, spec, int((time.time() - minutes * 60) * 1000))
        except AwsError as exc:
            self.notify(str(exc), title="CloudWatch logs", severity="error")
            return
        if not records:
            self.notify(f"No log events in the last {_span(minutes)}.", timeout=4)
        self.post_message(LogBatch(records))

    def _stop_following(self) -> None:
        if self._following is not None:
            self.workers.cancel_group(self, "follow")
            self._following = None
            self.query_one(LogPanel).border_title = "Logs"

    @work(group="follow", exclusive=True)
    async def _follow(self, spec: FunctionSpec) -> None:
        import time

        from invokers.aws.cloudwatch import follow
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            async for record in follow(self.svl.aws, spec, since_ms=int((time.time() - 600) * 1000)):
                self._log_buffer.append(record)
        except AwsError as exc:
            self.notify(str(exc), title="Following logs stopped", severity="error")
            self._following = None

    def action_switch_aws(self, what: str) -> None:
        from invokers.aws.session import AwsSettings

        from .prompt import PromptScreen

        current = self.svl.aws_settings

        def switched(value: str | None) -> None:
            if value is None:
                return
            profile = value if what == "profile" else current.profile
            region = value if what == "region" else current.region
            self.svl.use_aws(AwsSettings(profile or None, region or None, current.endpoint_url))
            self.query_one(FunctionList).set_functions(self.svl.functions)
            self.query_one(FunctionList).set_deployed_status("loading…")
            self._load_deployed()

        def check(text: str) -> str:
            text = text.strip()
            if what == "region" and text and not all(part.isalnum() for part in text.split("-")):
                raise ValueError(f"{text!r} is not a region name such as eu-west-1")
            return text

        value = (current.region if what == "region" else current.profile) or ""
        self.app.push_screen(PromptScreen(f"AWS {what}", f"AWS {what} (empty: the default)", check, value),
                             switched)

    # ---- hot reload ----------------------------------------------------------------------

    @work(group="reload")
    async def _watch_reloads(self) -> None:
        async for event in self.svl.reloader.watch():
            self.post_message(Reloaded(event))

    @on(Reloaded)
    def _reloaded(self, message: Reloaded) -> None:
        event = message.event
        functions = self.query_one(FunctionList)
        if event.config_changed:
            self.svl.local = list(self.svl.reloader.functions)
            functions.set_local(self.svl.local)
        failed = {error.function for error in event.errors}
        for name in event.reloaded:
            functions.set_state(name, "error" if name in failed else "reloaded")
        for error in event.errors:
            where = f"{error.file}:{error.line}: " if error.file and error.line else ""
            self.notify(f"{where}{error.message}", title=f"{error.function} does not load", severity="error",
                        timeout=8)
        for problem in event.problems:
            self.notify(problem, title="Config problem", severity="warning", timeout=8)
        changed = ", ".join(event.files[:3]) + ("…" if len(event.files) > 3 else "")
        summary = [f"reloaded {', '.join(event.reloaded)}" if event.reloaded else ""]
        summary += [f"added {', '.join(event.added)}" if event.added else "",
                    f"removed {', '.join(event.removed)}" if event.removed else ""]
        if any(summary) and event.ok:
            self.notify("; ".join(s for s in summary if s), title=f"Changed {changed}", timeout=3)
        if self.auto_rerun and event.ok and self.last is not None and self.last[0].name in event.reloaded:
            spec = self.svl.reloader.discovery.get(self.last[0].name)
            runs = self.runs.get(self.last[0].name) or []
            if spec is not None:
                self.start_invoke(spec, self.last[1], runs[-1].result if runs else None)
