"""The event editor: JSON with highlighting and line numbers, inline validation, per-function drafts.

Validation runs as you type and never blocks sending (malformed events are a
legitimate test). Unsaved edits are kept per function, so switching functions
and back loses nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

if TYPE_CHECKING:
    from event_samples import Issue

VALIDATE_DELAY_S = 0.15


class EventEditor(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drafts: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._function: str | None = None
        self._label = ""
        self._timer: Any = None
        self.issues: list[Issue] = []
        self.kind: str | None = None

    def compose(self) -> ComposeResult:
        yield TextArea.code_editor("{}", language="json", id="event-text", soft_wrap=False, tab_behavior="indent")
        yield Static("", id="event-status")

    def on_mount(self) -> None:
        self.border_title = "Event"

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#event-text", TextArea)

    @property
    def text(self) -> str:
        return self.text_area.text

    def switch_to(self, function: str, default_event: Any, label: str | None = None) -> None:
        """Show ``function``'s draft (by key), or its default event the first time."""
        if self._function is not None:
            self._drafts[self._function] = self.text
        self._function = function
        self._label = label or function
        if function in self._drafts:
            self._load(self._drafts[function], self._sources.get(function, "draft"))
        else:
            self.set_event(default_event if default_event is not None else {}, "default event")

    def set_event(self, value: Any, source: str) -> None:
        """Replace the editor's content (a template, a saved event, a past run's event)."""
        self._load(json.dumps(value, indent=2, ensure_ascii=False), source)

    def _load(self, text: str, source: str) -> None:
        if self._function is not None:
            self._sources[self._function] = source
        self.text_area.load_text(text)
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
            status.update(Text(f"✓ {label}", style="green"))
            return
        first = self.issues[0]
        style = "red" if errors else "yellow"
        more = f" (+{len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        status.update(Text(f"! {label}: {first.path}: {first.message}{more}", style=style))
