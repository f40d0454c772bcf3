"""The function list: local and deployed functions in groups, type-to-filter, warm/cold markers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from invokers.catalogue import Catalogue, CatalogueChange
from invokers.models import FunctionSpec, function_key

from ..messages import FunctionSelected

if TYPE_CHECKING:
    from invokers.reload import ReloadEvent
from .filtered_options import FilteredOptions, FilterInput

MARKERS = {"warm": ("●", "green"), "cold": ("○", "dim"), "reloaded": ("↻", "yellow"), "error": ("✗", "red"),
           "running": ("▶", "cyan"), "remote": ("☁", "blue")}


COMPACT_WIDTH = 16  # narrower than this, one line per function


def shorten(name: str, room: int) -> str:
    """``name`` in ``room`` columns, cut in the middle so that its start and its end both stay readable.

    ``kinesis-consumer`` and ``kinesis-consumer-node`` differ at the end: cutting the end would make them twins.
    """
    if len(name) <= room:
        return name
    if room < 5:
        return name[:max(1, room - 1)] + "…"
    tail = (room - 1) // 2
    return name[:room - 1 - tail] + "…" + name[-tail:]


def short_runtime(runtime: str) -> str:
    return runtime.replace("python", "py").replace("nodejs", "node").replace(".x", "")


def short_timeout(seconds: float) -> str:
    """``300`` -> ``5m``, ``30`` -> ``30s``: whole minutes read as minutes (and take less room)."""
    return f"{seconds / 60:g}m" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g}s"


class FunctionList(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._specs: list[FunctionSpec] = []
        self._states: dict[str, str] = {}
        self._selected: str | None = None
        self._compact = False
        self._rendered_width = 0
        self.project_label = ""
        self.deployed_status = ""  # "loading…", or why deployed functions are unavailable

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="filter…", id="function-filter", select_on_focus=False)
        yield FilteredOptions(filter_id="function-filter", id="function-options")

    def on_mount(self) -> None:
        self.border_title = "Functions"

    def on_resize(self) -> None:
        """Names are shortened to the list's width: a new width renders them again."""
        if self.size.width != self._rendered_width:
            self._rendered_width = self.size.width
            self._compact = self.size.width < COMPACT_WIDTH
            self._render_options()

    @property
    def options(self) -> OptionList:
        return self.query_one("#function-options", OptionList)

    def set_functions(self, specs: list[FunctionSpec]) -> None:
        self._specs = list(specs)
        self._render_options()

    def set_local(self, specs: list[FunctionSpec]) -> None:
        """New local functions (after a config change); deployed ones stay."""
        self.set_functions([*specs, *(s for s in self._specs if not s.is_local)])

    def apply(self, change: CatalogueChange, catalogue: Catalogue) -> None:
        """Show a change of the app's catalogue (only what changed is rebuilt)."""
        if change.kind == "local":
            self.set_local(change.specs)
        elif change.kind == "deployed":
            self.add_deployed(change.specs)
        else:
            self.deployed_status = catalogue.deployed_status
            self.set_functions(catalogue.functions)

    def add_deployed(self, specs: list[FunctionSpec]) -> None:
        """Append a page of deployed functions without rebuilding the whole list (thousands may come)."""
        first_page = not any(not s.is_local for s in self._specs)
        self._specs.extend(specs)
        self.deployed_status = ""
        if first_page or self.query_one("#function-filter", Input).value.strip():
            self._render_options()
        else:
            self.options.add_options([Option(self._label(spec), id=self._key(spec)) for spec in specs])
        local = {s.name for s in self._specs if s.is_local}
        for spec in specs:
            if spec.name in local:
                self._refresh_label(spec.name)

    def _key(self, spec: FunctionSpec) -> str:
        return function_key(spec)

    def set_state(self, key: str, state: str) -> None:
        """``key`` is the local name, or ``aws:<name>`` for a deployed function."""
        if self._states.get(key) != state:
            self._states[key] = state
            self._refresh_label(key)

    def show_reload(self, event: ReloadEvent) -> None:
        """Mark the reloaded functions, and those whose reload failed."""
        failed = {error.function for error in event.errors}
        for name in event.reloaded:
            self.set_state(name, "error" if name in failed else "reloaded")

    def toggle(self) -> None:
        """Hide or show the list (more room for the logs); hidden, it hands the focus on."""
        self.display = not self.display
        if not self.display:
            self.screen.focus_next()

    def focus_filter(self) -> None:
        self.query_one("#function-filter", Input).focus()

    def _render_options(self) -> None:
        needle = self.query_one("#function-filter", Input).value.strip().lower()
        options = self.options
        highlighted = self._selected
        options.clear_options()
        for group, local in (("Local", True), ("Deployed", False)):
            specs = [s for s in self._specs if s.is_local == local and (not needle or needle in s.name.lower())]
            if not local and self.deployed_status and not specs:
                options.add_option(Option(Text.assemble((group, "bold underline"), "\n",
                                                        (self.deployed_status, "dim")), disabled=True))
                continue
            if not specs:
                continue
            options.add_option(Option(Text(group, style="bold underline"), disabled=True))
            options.add_options([Option(self._label(spec), id=self._key(spec)) for spec in specs])
        if highlighted is not None:
            try:
                options.highlighted = options.get_option_index(highlighted)
            except OptionDoesNotExist:
                pass  # filtered out: nothing highlighted
        shown = f"{sum(1 for o in options.options if o.id)} of {len(self._specs)}" if needle else ""
        self.border_subtitle = " · ".join(part for part in (shown, self.project_label) if part)

    def _label(self, spec: FunctionSpec) -> Text:
        state = self._states.get(self._key(spec), "cold" if spec.is_local else "remote")
        symbol, style = MARKERS.get(state, MARKERS["cold"])
        label = Text(f"{symbol} ", style=style)
        twins = {s.is_local for s in self._specs if s.name == spec.name}
        room = max(4, self.size.width - 5 - (2 if len(twins) == 2 else 0)) if self.size.width else len(spec.name)
        label.append(shorten(spec.name, room), style="bold" if self._key(spec) == self._selected else "")
        if len(twins) == 2:
            label.append(" ☁" if spec.is_local else " ⌂", style="cyan")  # deployed too / local too
        if self._compact:
            return label
        parts = [("az·" if spec.style == "azure" else "") + short_runtime(spec.runtime), f"{spec.memory_mb}M",
                 short_timeout(spec.timeout_s)]
        if not spec.is_local and spec.architecture != "x86_64":
            parts.append(spec.architecture)
        details = " · ".join(parts)
        if self.size.width and len(details) > self.size.width - 4:  # one line, never wrapped: indent, scroll bar
            details = "·".join(parts)
        label.append(f"\n  {details}", style="dim")
        if spec.runtime_note:  # the declared runtime is not what runs it here: never silent
            label.append(" ⚠", style="yellow")
        if spec.triggers:
            from invokers.trigger_events import summary

            label.append(f"\n  ⚡ {summary(spec, max(10, self.size.width - 8))}", style="dim cyan")
        return label

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "function-filter":
            self._render_options()
            event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "function-filter":
            options = self.options
            first = next((i for i, o in enumerate(options.options) if o.id), None)
            if first is not None:
                options.highlighted = first
            options.focus()
            event.stop()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._choose(event.option.id)
        event.stop()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)
        event.stop()

    def _choose(self, key: str | None) -> None:
        spec = next((s for s in self._specs if self._key(s) == key), None)
        if spec is None or key == self._selected:
            return
        name = key
        previous, self._selected = self._selected, name
        self._refresh_label(previous)
        self._refresh_label(name)
        self.post_message(FunctionSelected(spec))

    def _refresh_label(self, name: str | None) -> None:
        for spec in (s for s in self._specs if name in (s.name, self._key(s))):
            try:
                self.options.replace_option_prompt(self._key(spec), self._label(spec))
            except OptionDoesNotExist:
                pass  # not shown under the current filter

    def select(self, name: str) -> None:
        try:
            self.options.highlighted = self.options.get_option_index(name)
        except OptionDoesNotExist:  # unknown name: keep the current selection
            return
        self._choose(name)
