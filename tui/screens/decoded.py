"""The event's meaningful content, decoded: SQS/SNS bodies, Kinesis data, DynamoDB images, API bodies.

Edit one piece as plain JSON or text and it is encoded back into the event
(base64, typed JSON, md5OfBody ...), so nobody base64-encodes by hand.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option


class DecodedScreen(ModalScreen[Any]):
    """Returns the re-encoded event, or None when closed without applying."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close"), Binding("ctrl+s", "apply", "Apply", priority=True)]

    def __init__(self, event: Any, kind: str | None) -> None:
        super().__init__()
        from event_samples import contents

        self.event = event
        self.kind = kind
        self.pieces = contents(event, kind)
        self.current = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="decoded"):
            yield OptionList(*[Option(Text(f"{p.label}  ", style="bold").append(p.json_path, style="dim"), id=str(i))
                               for i, p in enumerate(self.pieces)], id="decoded-pieces")
            yield TextArea.code_editor("", language="json", id="decoded-text")
            yield Static("", id="decoded-hint")

    def on_mount(self) -> None:
        self.query_one("#decoded").border_title = f"Decoded content · {self.kind or 'event'}"
        hint = self.query_one("#decoded-hint", Static)
        if not self.pieces:
            hint.update("Nothing encoded in this event: edit it in the editor directly. esc closes.")
            return
        hint.update("edit, then ctrl+s writes it back into the event (encoded) · esc closes")
        self._show(0)

    def _show(self, index: int) -> None:
        self.current = index
        value = self.pieces[index].value
        text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
        self.query_one("#decoded-text", TextArea).load_text(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._show(int(event.option.id))

    def action_apply(self) -> None:
        from event_samples import encode

        if not self.pieces:
            self.dismiss(None)
            return
        text = self.query_one("#decoded-text", TextArea).text
        piece = self.pieces[self.current]
        try:
            value: Any = json.loads(text)
        except ValueError:
            if piece.encoding in ("dynamodb", "gzip-base64"):
                self.query_one("#decoded-hint", Static).update("[red]this piece must be valid JSON[/]")
                return
            value = text  # plain text bodies are allowed
        try:
            self.dismiss(encode(self.event, piece, value))
        except ValueError as exc:
            self.query_one("#decoded-hint", Static).update(f"[red]{exc}[/]")
