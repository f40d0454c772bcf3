"""Send to an event source: a message on a queue, a record on a stream, an item in a table, an object in a
bucket, a notification on a topic, an event on a bus, or a schedule fired now.

The body starts as the editor's event: an event of the source's kind sends its records (the SQS bodies,
the Kinesis data, the S3 keys...), anything else is sent as it is. What is sent goes through the embedded
AWS, so it reaches the handler exactly as a message from ``aws --endpoint-url`` would.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from invokers.event_sources.send import payloads, send

if TYPE_CHECKING:
    from invokers.event_sources.base import Mapping

KEY_HINTS = {"sqs": "message group id (FIFO queues)", "kinesis": "partition key (default svl-tui)",
             "s3": "object key (default uploads/from-svl-tui.json)", "sns": "subject (optional)"}


class SendEventScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close"),
                                             Binding("ctrl+s", "send", "Send")]

    def __init__(self, mappings: list[Mapping], body: str) -> None:
        super().__init__()
        self.mappings = mappings
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="send-dialog"):
            yield Select([(f"{m.info.source} -> {m.function}", index) for index, m in enumerate(self.mappings)],
                         prompt="Send to…", id="send-target", allow_blank=not self.mappings,
                         value=0 if self.mappings else Select.BLANK)
            yield Input(placeholder=self._hint(), id="send-key")
            yield TextArea(self.body, language="json", id="send-body")
            yield Label("", id="send-result")
            yield Static("ctrl+s sends · esc closes", id="send-hint")

    def on_mount(self) -> None:
        self.query_one("#send-dialog").border_title = "Send to an event source"
        if not self.mappings:
            self.query_one("#send-result", Label).update(
                "No running event sources: start with --mock-aws and give functions queue, stream, topic, bucket, "
                "rule or schedule triggers whose resources exist.")

    def _target(self) -> Mapping | None:
        value = self.query_one("#send-target", Select).value
        return self.mappings[value] if isinstance(value, int) and 0 <= value < len(self.mappings) else None

    def _hint(self) -> str:
        target = self._target() if self.is_mounted else (self.mappings[0] if self.mappings else None)
        return KEY_HINTS.get(target.kind, "(no key for this source)") if target is not None else ""

    def on_select_changed(self, _event: Select.Changed) -> None:
        self.query_one("#send-key", Input).placeholder = self._hint()

    def action_send(self) -> None:
        target = self._target()
        if target is not None:
            self._send(target, self.query_one("#send-body", TextArea).text, self.query_one("#send-key", Input).value)

    @work(exclusive=True, group="send")
    async def _send(self, target: Mapping, text: str, key: str) -> None:
        result = self.query_one("#send-result", Label)
        said: list[str] = []
        try:
            for payload in payloads(target.kind, text):
                said.append(await send(target, replace(payload, key=key) if key else payload))
        except Exception as exc:  # noqa: BLE001 - shown in the form, which stays open with what was typed
            result.update(f"Not sent: {type(exc).__name__}: {exc}")
            return
        result.update(said[0] if len(said) == 1 else f"{len(said)} sent: {said[0]} …")
