"""Power tuning from the UI: ask for the sizes, ask before changing anything, run, show the chart.

The run is ``invokers.aws.tune.tune`` (which always restores the function's memory) in an app worker;
progress goes to notifications, the outcome to ``TuneScreen``. Quitting the app mid-run cancels the
worker, and the engine's ``finally`` restores the configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invokers.models import FunctionSpec

if TYPE_CHECKING:
    from ..app import SvlApp

DEFAULT = "128,256,512,1024 x 10"


def parse_plan(text: str) -> tuple[list[int], int]:
    """``128,256,512 x 10`` -> ([128, 256, 512], 10); without ``x N``, 10 each. ValueError says the form."""
    from invokers.aws.tune import parse_sizes

    sizes_text, _, count_text = text.lower().partition("x")
    count_text = count_text.strip() or "10"
    if not count_text.isdigit() or int(count_text) < 1:
        raise ValueError(f"{text!r}: write the sizes, then x and invocations per size, e.g. {DEFAULT}")
    return parse_sizes(sizes_text), int(count_text)


class TuneController:
    """Runs one power-tuning session at a time for the app."""

    def __init__(self, app: SvlApp) -> None:
        self.app = app
        self.running = False

    def start(self, spec: FunctionSpec | None, event: Any) -> None:
        """Ask for the sizes of ``spec`` (a deployed function), then for confirmation, then run."""
        from ..screens.prompt import PromptScreen

        if spec is None or spec.is_local or self.app.aws is None:
            self.app.notify("Pick a deployed function to tune its memory.", severity="warning")
            return
        if self.running:
            self.app.notify("A tuning run is already going.", severity="warning")
            return

        def check(text: str) -> str:
            parse_plan(text)
            return text

        def planned(text: str | None) -> None:
            if text:
                self._confirm(spec, event, *parse_plan(text))

        self.app.push_screen(PromptScreen(f"Power-tune {spec.name}", f"memory sizes x invocations, e.g. {DEFAULT}",
                                          check, DEFAULT), planned)

    def _confirm(self, spec: FunctionSpec, event: Any, sizes: list[int], count: int) -> None:
        from ..screens.confirm import ConfirmScreen

        question = (f"Set the memory of the deployed {spec.name} to {', '.join(map(str, sizes))} MB in turn "
                    f"(a published version each), invoke it {len(sizes) * count} times with the editor's event "
                    f"(it may have side effects), then restore {spec.memory_mb} MB and delete those versions?")

        def answered(yes: bool | None) -> None:
            if yes:
                self.running = True
                self.app.run_worker(self._run(spec, event, sizes, count), group="tune", exclusive=True)

        self.app.push_screen(ConfirmScreen("Power tuning", question, yes="Tune"), answered)

    async def _run(self, spec: FunctionSpec, event: Any, sizes: list[int], count: int) -> None:
        from invokers.aws.session import AwsError
        from invokers.aws.tune import TuneFailed, tune

        from ..screens.tune import TuneScreen

        assert self.app.aws is not None

        def progress(memory: int, index: int, _result: Any) -> None:
            if index == count:
                self.app.notify(f"{memory} MB: {count} invocations done", title="Power tuning", timeout=3)

        try:
            report = await tune(self.app.aws, spec, sizes, count, event, on_progress=progress)
        except TuneFailed as exc:
            self.app.notify(str(exc), title="Power tuning", severity="error", timeout=15)
            if exc.report.sizes:
                self.app.push_screen(TuneScreen(exc.report))
            return
        except AwsError as exc:
            self.app.notify(str(exc), title="Power tuning", severity="error")
            return
        finally:
            self.running = False
        self.app.push_screen(TuneScreen(report))
