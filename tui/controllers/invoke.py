"""The invoke key and the palette's invoke entries: the editor's event, checked, to the run area.

The editor owns the event and the run area the invocation; this controller joins them for a key or a
palette entry (as ``CompareController`` does for f2), so the screen only routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from invokers.models import FunctionSpec

if TYPE_CHECKING:
    from ..app import SvlApp


class InvokeController(Widget):
    DEFAULT_CSS = "InvokeController { display: none; }"

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def invoke(self, spec: FunctionSpec | None = None) -> None:
        """Invoke ``spec`` (default: the selected function) with the editor's event."""
        screen = self.svl.main_screen
        spec = spec or screen.selected
        if spec is None:
            self.notify("Pick a function first.", severity="warning")
            return
        valid, event = screen.editor.checked_event("nothing was sent")
        if valid:
            screen.run_area.start(spec, event, before=screen.deployed.stop_following)

    def invoke_function(self, key: str) -> None:
        """The palette's "Invoke <function>": that function, whatever was selected before."""
        spec = self.svl.main_screen.select(key)
        if spec is not None:
            self.invoke(spec)

    def invoke_deployed_with(self, invocation_type: str, ask_qualifier: bool = False) -> None:
        """Palette commands: Event / DryRun invocations, or a version or alias, of the selected deployed function."""
        screen = self.svl.main_screen
        valid, event = screen.editor.checked_event("nothing was sent")
        if valid:
            screen.deployed.ask_options(screen.selected, invocation_type, ask_qualifier,
                                        lambda spec, options: screen.run_area.start(
                                            spec, event, options=options, before=screen.deployed.stop_following))
