"""The run in view as a test file (``invokers.export_test``) or as a Markdown report on the clipboard.

Both act on the run the result panel shows: the last one, or the one picked
in the history (f9). Nothing here formats or writes by itself: the engine
modules do, the same as ``svl-tui export-test`` and ``svl-tui report``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.widget import Widget

if TYPE_CHECKING:
    from ..app import SvlApp
    from ..widgets.run_area import Run


class ShareController(Widget):
    DEFAULT_CSS = "ShareController { display: none; }"

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def _own_folder(self, name: str) -> Path | None:
        """Where files go instead of the project: None for a real project; for svl-tui's bundled example
        (installed with svl-tui, maybe read-only) a folder in svl-tui's cache, as its history has."""
        if not self.svl.discovery.example:
            return None
        from invokers.paths import cache_dir

        return cache_dir() / "example-project" / name

    def _run(self, what: str) -> Run | None:
        run = self.svl.main_screen.run_area.in_view
        if run is None:
            self.notify(f"Invoke a function first (or pick a run in the history, f9) to {what}.",
                        severity="warning")
        return run

    def export_test(self) -> None:
        run = self._run("export it as a test")
        if run is not None:
            self._export(run)

    @work(group="share", exclusive=True)
    async def _export(self, run: Run) -> None:
        from invokers.export_test import ExportError, ExportExists, Recording, export

        from ..screens.confirm import ConfirmScreen

        recording = Recording.of(run.event, run.result)
        project = self.svl.project
        folder = self._own_folder("tests")
        try:
            try:
                path = export(run.spec, recording, project, folder=folder)
            except ExportExists as exists:
                question = f"{_shown(exists.path, project)} exists. Replace it with this run?"
                if not await self.app.push_screen_wait(ConfirmScreen("Overwrite the test?", question,
                                                                     yes="Overwrite")):
                    return
                path = export(run.spec, recording, project, folder=folder, overwrite=True)
        except ExportError as exc:
            self.notify(str(exc), title="Not exported", severity="error", timeout=8)
            return
        runner = "pytest" if run.spec.language == "python" else "node --test"
        shown = _shown(path, project)
        self.notify(f"{shown} (expects {run.result.status}). Run it with: {runner} {shown}",
                    title="Test written", timeout=8)

    def copy_report(self) -> None:
        """The run as Markdown on the clipboard (OSC 52: the terminal must allow it) and in ``.svl/reports/``."""
        from event_samples.files import write_atomic
        from invokers.report import markdown

        run = self._run("copy its report")
        if run is None:
            return
        text = markdown(run.spec, run.event, run.result, run.records)
        self.app.copy_to_clipboard(text)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run.result.started_at or time.time()))
        name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in run.spec.name)
        path = (self._own_folder("reports") or self.svl.project / ".svl" / "reports") / f"{name}-{stamp}.md"
        try:
            write_atomic(path, text)
            saved = f"; also saved as {_shown(path, self.svl.project)}"
        except OSError as exc:
            saved = f" (not saved: {exc.strerror or exc})"
        self.notify(f"Markdown report of {run.title} copied to the clipboard{saved}.", title="Report", timeout=6)


def _shown(path: Path, project: Path) -> Path:
    """A path as the user reads it: relative to the project when inside it."""
    return path.relative_to(project) if path.is_relative_to(project) else path
