"""The event editor: JSON with highlighting and line numbers, inline validation, per-function drafts.

Validation runs as you type and never blocks sending (malformed events are a
legitimate test). Unsaved edits are kept per function, so switching functions
and back loses nothing. The editor's own actions (pick, save, format, the
decoded view) live here too, next to the text they act on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from invokers.models import FunctionSpec, function_key

if TYPE_CHECKING:
    from event_samples import Issue
    from invokers.trigger_events import EventChoice

    from ..screens.event_picker import Choice

VALIDATE_DELAY_S = 0.15


class EventEditor(Vertical):
    def __init__(self, project: Path, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.project = project
        self.spec: FunctionSpec | None = None
        self._drafts: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._pristine: dict[str, str] = {}  # per function: the text last put in by set_event, before any edit
        self._function: str | None = None
        self._label = ""
        self._timer: Any = None
        self.issues: list[Issue] = []
        self.kind: str | None = None
        self._offered: list[EventChoice] = []  # what the picker showed: its choices index into this

    def compose(self) -> ComposeResult:
        yield TextArea.code_editor("{}", language="json", id="event-text", soft_wrap=False, tab_behavior="indent")
        yield Static("", id="event-status")

    def on_mount(self) -> None:
        self.border_title = "Event"
        self.border_subtitle = "tab indents · esc leaves"

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#event-text", TextArea)

    @property
    def text(self) -> str:
        return self.text_area.text

    def switch_to(self, spec: FunctionSpec) -> None:
        """Show ``spec``'s draft, or its default event the first time."""
        if self._function is not None:
            self._drafts[self._function] = self.text
        self.spec = spec
        function = self._function = function_key(spec)
        self._label = spec.name if spec.is_local else f"{spec.name} (deployed)"
        if function in self._drafts:
            self._load(self._drafts[function], self._sources.get(function, "draft"))
        else:
            from invokers.trigger_events import opening_event

            opening = opening_event(spec, self.project if spec.is_local else None)
            self.set_event(opening.event, opening.label if opening.source in ("trigger", "saved") else "default event")

    def set_event(self, value: Any, source: str) -> None:
        """Replace the editor's content (a template, a saved event, a past run's event).

        Edits are never lost silently: replacing an edited event is one undo step (ctrl+z) and says so.
        """
        text = json.dumps(value, indent=2, ensure_ascii=False)
        edited = self._function is not None and self.text != self._pristine.get(self._function, self.text)
        self._load(text, source, undoable=edited)
        if self._function is not None:
            self._pristine[self._function] = text
        if edited:
            self.notify(f"Your edited event was replaced by the {source}: ctrl+z in the editor brings it back.",
                        title="Event replaced", timeout=6)

    def _load(self, text: str, source: str, undoable: bool = False) -> None:
        if self._function is not None:
            self._sources[self._function] = source
        area = self.text_area
        if undoable:
            area.replace(text, area.document.start, area.document.end)
            area.move_cursor((0, 0))
        else:
            area.load_text(text)
        self.border_title = f"Event · {self._label} · {source}" if self._function else f"Event · {source}"
        self.call_after_refresh(self._validate)

    def parsed(self) -> tuple[Any, Issue | None]:
        from event_samples import parse_json

        return parse_json(self.text)

    def format(self) -> bool:
        value, problem = self.parsed()
        if problem is not None:
            return False
        self.text_area.replace(json.dumps(value, indent=2, ensure_ascii=False), self.text_area.document.start,
                               self.text_area.document.end)
        return True

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY_S, self._validate)

    def _validate(self) -> None:
        from event_samples import detect, validate

        status = self.query_one("#event-status", Static)
        value, problem = self.parsed()
        if problem is not None:
            self.issues, self.kind = [problem], None
            status.update(Text(f"✗ line {problem.line}, col {problem.column}: {problem.message}", style="red"))
            return
        self.kind = detect(value)
        self.issues = validate(value, self.kind) if self.kind else []
        label = self.kind or "custom event"
        errors = [i for i in self.issues if i.severity == "error"]
        if not self.issues:
            line = Text(f"✓ {label}", style="green")
        else:
            first = self.issues[0]
            style = "red" if errors else "yellow"
            more = f" (+{len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
            line = Text(f"! {label}: {first.path}: {first.message}{more}", style=style)
        status.update(self._with_rules(line, value))

    def _with_rules(self, line: Text, value: Any) -> Text:
        """The status line plus whether the event matches the function's EventBridge rules, and why not."""
        from invokers.trigger_events import rule_checks

        checks = rule_checks(self.spec, value) if self.spec is not None else []
        failing = [(rule, why) for rule, why in checks if why is not None]
        if checks and not failing:
            line.append(f" · matches rule {', '.join(rule for rule, _ in checks)}", style="green")
        elif failing:
            rule, why = failing[0]
            line.append(f" · rule {rule}: {why}", style="yellow")
        return line

    # ---- actions on the event ------------------------------------------------------------

    def checked_event(self, consequence: str) -> tuple[bool, Any]:
        """The editor's event, or (False, None) after showing where its JSON is broken.

        The text stays as typed and the cursor goes to the error: bad input never loses the edit.
        """
        event, problem = self.parsed()
        if problem is None:
            return True, event
        self.notify(f"The event is not valid JSON (line {problem.line}, column {problem.column}): "
                    f"{problem.message}. Fix it in the editor; {consequence}.", severity="error",
                    title="Invalid event")
        self.text_area.focus()
        if problem.line:
            self.text_area.cursor_location = (problem.line - 1, max(0, (problem.column or 1) - 1))
        return False, None

    def pick(self) -> None:
        """The event picker: what the function opens with, one event per trigger, the project's event
        files, its saved events, or a template."""
        from event_samples import SavedEventError, SavedEvents

        from ..screens.event_picker import EventPickerScreen

        spec = self.spec
        if spec is None:
            return
        from invokers.trigger_events import offered

        try:
            saved = SavedEvents(self.project).list(spec.name)
        except SavedEventError:
            saved = []
        self._offered = offered(spec, self.project if spec.is_local else None)
        self.app.push_screen(EventPickerScreen(spec.name, saved, self._offered), self.load_choice)

    def load_choice(self, choice: Choice | None) -> None:
        """Put the picked event (default, saved or template) in the editor."""
        from event_samples import SavedEventError, SavedEvents, generate

        spec = self.spec
        if choice is None or spec is None:
            return
        if choice.source == "form":  # ctrl+o on a template in the picker: its parameter form
            self.open_form(choice.name)
            return
        try:
            if choice.source == "offered":
                picked = self._offered[int(choice.name)]
                self.set_event(picked.event, picked.label)
            elif choice.source == "saved":
                self.set_event(SavedEvents(self.project).load(spec.name, choice.name), f"saved: {choice.name}")
            else:
                self.set_event(generate(choice.name), f"template: {choice.name}")
        except (SavedEventError, ValueError) as exc:
            self.notify(str(exc), severity="error")
        self.text_area.focus()

    def open_form(self, kind: str) -> None:
        """The parameter form for a template; its event replaces the editor's."""
        from ..screens.event_form import EventFormScreen

        def filled(event: Any) -> None:
            if event is not None:
                self.set_event(event, f"template: {kind} (with parameters)")
                self.text_area.focus()

        self.app.push_screen(EventFormScreen(kind), filled)

    def save(self) -> None:
        """Ask for a name and save the event under ``.svl/events/<function>/``."""
        from event_samples import SavedEventError, SavedEvents
        from event_samples.saved import check_name

        from ..screens.prompt import PromptScreen

        spec = self.spec
        if spec is None:
            return
        valid, event = self.checked_event("nothing was saved")
        if not valid:
            return

        def save(name: str | None) -> None:
            if name is None:
                return
            try:
                path = SavedEvents(self.project).save(spec.name, name, event)
            except (SavedEventError, OSError) as exc:
                self.notify(f"Could not save: {exc}", severity="error")
                return
            self.notify(f"Saved {path.relative_to(self.project)}", title="Event saved")

        self.app.push_screen(PromptScreen(f"Save event for {spec.name}", "event name, e.g. happy-path", check_name),
                             save)

    def decoded_view(self) -> None:
        from event_samples import detect

        from ..screens.decoded import DecodedScreen

        valid, event = self.checked_event("the decoded view needs a valid event")
        if not valid:
            return

        def applied(updated: Any) -> None:
            if updated is not None:
                self.set_event(updated, "edited in the decoded view")

        # The kind is detected from the event as it is now: ``self.kind`` trails a fresh load or
        # edit by the validation debounce, and a stale kind would decode the wrong pieces.
        self.app.push_screen(DecodedScreen(event, detect(event)), applied)

    def format_event(self) -> None:
        if not self.format():
            self.notify("The event is not valid JSON yet, so it cannot be formatted.", severity="warning")
