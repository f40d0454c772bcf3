"""The main screen composes the function list, the event editor, the run area and the controllers, and routes.

Each widget or controller does its own work (the run area invokes, the editor edits, the controllers
talk to AWS and watch files); the screen only passes messages and keys to them. A new pane is a new
widget module composed here, with its messages routed below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from invokers.models import FunctionSpec, function_key

from ..bindings import bindings
from ..controllers.compare import CompareController
from ..controllers.deployed import DeployedController
from ..controllers.invoke import InvokeController
from ..controllers.reload_watch import ReloadController
from ..controllers.share import ShareController
from ..messages import (
    CatalogueChanged,
    DetailsLoaded,
    DriftLoaded,
    FunctionSelected,
    FunctionStateChanged,
    LogsArrived,
    LogsOpened,
    Reloaded,
    RunShown,
)
from ..widgets.event_editor import EventEditor
from ..widgets.function_list import FunctionList
from ..widgets.run_area import RunArea

if TYPE_CHECKING:
    from ..app import SvlApp

STACKED = 140  # narrower than this, the result goes under the logs
COMPACT = 100  # narrower than this, a narrower function list and a compact footer


class MainScreen(Screen[None]):
    BINDINGS = bindings()

    def __init__(self) -> None:
        super().__init__()
        self.selected: FunctionSpec | None = None

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield FunctionList(id="function-list")
            with Vertical(id="main-area"):
                yield EventEditor(self.svl.project, id="event-editor")
                yield RunArea(id="run-area")
        yield Footer()
        yield DeployedController()
        yield InvokeController(id="invoker")
        yield ReloadController()
        yield CompareController(id="comparer")
        yield ShareController(id="sharer")

    @property
    def functions(self) -> FunctionList:
        return self.query_one(FunctionList)

    @property
    def editor(self) -> EventEditor:
        return self.query_one(EventEditor)

    @property
    def run_area(self) -> RunArea:
        return self.query_one(RunArea)

    @property
    def deployed(self) -> DeployedController:
        return self.query_one(DeployedController)

    def on_mount(self) -> None:
        catalogue = self.svl.catalogue
        self.functions.project_label = self.svl.project_label
        self.functions.set_functions(catalogue.functions)
        if catalogue.functions:
            self.select(function_key(catalogue.functions[0]))
            self.functions.options.focus()
        elif self.svl.discovery.errors:
            self.run_area.say("No functions could be loaded: the configuration has errors (in the notices; "
                              "'svl-tui list' prints them all).")
        else:
            self.run_area.say("No functions found. Add an svl.yaml, a SAM template.yaml or a serverless.yml "
                              "(see README).")
        self.call_after_refresh(self.query_one(ReloadController).start)  # after the first frame: start-up matters
        self.call_after_refresh(self.deployed.load)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < STACKED, "-stacked")
        self.set_class(event.size.width < COMPACT, "-compact")
        self.query_one(Footer).compact = event.size.width < COMPACT

    # ---- selection ------------------------------------------------------------------------

    def select(self, key: str) -> FunctionSpec | None:
        """Select a function now (the editor and the run area switch before this returns)."""
        spec = self.svl.catalogue.get(key)
        if spec is not None:
            self.functions.select(key)
            self._show(spec)
        return spec

    @on(FunctionSelected)
    def _selected(self, message: FunctionSelected) -> None:
        self._show(message.spec)

    def _show(self, spec: FunctionSpec) -> None:
        if self.selected is not None and function_key(self.selected) == function_key(spec):
            return
        self.selected = spec
        self.editor.switch_to(spec)
        if not self.run_area.show_function(spec) and not spec.is_local and self.run_area.in_flight is None:
            self.deployed.load_details(spec.name)
        self.query_one(CompareController).load_drift(spec)  # shown with the details when both sides exist

    # ---- routing ---------------------------------------------------------------------------

    @on(CatalogueChanged)
    def _catalogue_changed(self, message: CatalogueChanged) -> None:
        self.functions.apply(message.change, self.svl.catalogue)
        if self.selected is not None:  # a re-read config: the selection is the function as it now reads
            self.selected = self.svl.catalogue.get(function_key(self.selected)) or self.selected
        if message.change.kind == "deployed" and self.selected is not None:
            self.query_one(CompareController).load_drift(self.selected)  # its twin may have just been listed

    @on(FunctionStateChanged)
    def _state_changed(self, message: FunctionStateChanged) -> None:
        self.functions.set_state(message.key, message.state)

    @on(RunShown)
    def _run_shown(self, message: RunShown) -> None:
        self.editor.set_event(message.event, message.title)

    @on(DetailsLoaded)
    def _details_loaded(self, message: DetailsLoaded) -> None:
        if self.selected is not None and function_key(self.selected) == function_key(message.details.spec):
            self.run_area.show_details(message.details)

    @on(DriftLoaded)
    def _drift_loaded(self, message: DriftLoaded) -> None:
        if self.selected is not None and function_key(self.selected) == message.key:
            self.run_area.show_drift(message.drift)

    @on(LogsOpened)
    def _logs_opened(self, message: LogsOpened) -> None:
        self.run_area.open_logs(message.title, message.clear)

    @on(LogsArrived)
    def _logs_arrived(self, message: LogsArrived) -> None:
        self.run_area.add_logs(message.records)

    @on(Reloaded)
    def _reloaded(self, message: Reloaded) -> None:
        self.functions.show_reload(message.event)
        self.run_area.rerun_after(message.event, self.svl.catalogue.get)

    # ---- key actions (bindings.py) -------------------------------------------------------------

    def action_route(self, owner: str, method: str) -> None:
        """Most keys go straight to the widget that owns the work: bindings.py names both (a property, or an id)."""
        getattr(getattr(self, owner, None) or self.query_one(f"#{owner}"), method)()
