"""Local against deployed from the UI: the compare screen's run, and the drift shown with a function's details.

A non-visual widget: its AWS calls and both invocations run as Textual workers;
the side-by-side itself is ``invokers.side_by_side`` on the app's engine, so the
UI shows exactly what ``svl-tui compare`` prints. The deployed side is only
invoked after the same confirmation as any deployed invoke (unless ``--yes``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.widget import Widget

from invokers.models import FunctionSpec, function_key

from ..messages import DriftLoaded

if TYPE_CHECKING:
    from ..app import SvlApp
    from ..screens.compare import CompareScreen


def local_twin(deployed: FunctionSpec, local: list[FunctionSpec]) -> FunctionSpec | None:
    """The local function whose deployed twin ``deployed`` is (``invokers.aws.twin``'s naming rule)."""
    from invokers.aws.session import AwsError
    from invokers.aws.twin import twin_name

    for spec in local:
        try:
            twin_name(spec.name, [deployed.name])
        except AwsError:
            continue
        return spec
    return None


def deployed_twin(local: FunctionSpec, deployed: list[FunctionSpec]) -> str | None:
    """The listed deployed name of ``local``'s twin, or None (none listed, or several: the CLI says which)."""
    from invokers.aws.session import AwsError
    from invokers.aws.twin import twin_name

    try:
        return twin_name(local.name, [spec.name for spec in deployed])
    except AwsError:
        return None


class CompareController(Widget):
    DEFAULT_CSS = "CompareController { display: none; }"

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def start(self) -> None:
        """The key: the selected function with the editor's event."""
        screen = self.svl.main_screen
        valid, event = screen.editor.checked_event("nothing was compared")
        if valid:
            self.compare(screen.selected, event)

    def compare(self, spec: FunctionSpec | None, event: Any) -> None:
        """Compare ``spec`` (local, or a deployed function with a local twin) with the other side."""
        from ..screens.compare import CompareScreen

        if spec is None:
            self.notify("Pick a function first.", severity="warning")
            return
        if self.svl.aws is None:
            self.notify("Comparing needs AWS (svl-tui was started with --no-aws).", severity="warning")
            return
        local, deployed_name = spec, None
        if not spec.is_local:
            found = local_twin(spec, self.svl.catalogue.local)
            if found is None:
                self.notify(f"No local function matches {spec.name}: select the local one and compare from there.",
                            severity="warning")
                return
            local, deployed_name = found, spec.name
        if local.style != "lambda":
            self.notify("Compare works for Lambda functions.", severity="warning")
            return
        view = CompareScreen(local.name)
        self.app.push_screen(view)
        self._run(local, deployed_name, event, view)

    @work(group="compare", exclusive=True)
    async def _run(self, local: FunctionSpec, deployed_name: str | None, event: Any, view: CompareScreen) -> None:
        from invokers import side_by_side
        from invokers.aws.session import AwsError
        from invokers.aws.twin import configuration, deployed_spec

        from ..screens.confirm import ConfirmScreen

        aws = self.svl.aws
        assert aws is not None
        try:
            config = await configuration(aws, local, deployed_name)
        except AwsError as exc:
            view.say(f"no deployed twin: {exc}", "yellow")
            return
        remote = deployed_spec(config, aws.region)
        run_area = self.svl.main_screen.run_area
        if self.svl.confirm_deployed and remote.name not in run_area.confirmed:
            question = (f"{remote.name} runs in AWS ({remote.region}) with its real permissions and may have side "
                        f"effects. Send it the same event as {local.name}?")
            if not await self.app.push_screen_wait(ConfirmScreen("Invoke the deployed twin?", question)):
                view.say("not compared: the deployed function was not invoked", "yellow")
                return
            run_area.confirmed.add(remote.name)
        view.say(f"invoking {local.name} here and {remote.name} in {remote.region}…")
        view.show(await side_by_side.run(self.svl.engine, local, remote, event, config))

    def load_drift(self, spec: FunctionSpec) -> None:
        """The drift between ``spec`` and its twin, when both are listed (shown with the function's details)."""
        if self.svl.aws is None or spec.style != "lambda":
            return
        local: FunctionSpec | None = spec
        if spec.is_local:
            name = deployed_twin(spec, self.svl.catalogue.deployed)
        else:
            local, name = local_twin(spec, self.svl.catalogue.local), spec.name
        if local is not None and name is not None:
            self._drift(function_key(spec), local, name)

    @work(group="drift", exclusive=True)
    async def _drift(self, key: str, local: FunctionSpec, deployed_name: str) -> None:
        from invokers.aws.session import AwsError
        from invokers.aws.twin import configuration
        from invokers.drift import compare_configuration

        assert self.svl.aws is not None
        try:
            config = await configuration(self.svl.aws, local, deployed_name)
        except AwsError:
            return  # details are a bonus: the function list already says why AWS is unavailable
        self.post_message(DriftLoaded(key, compare_configuration(local, config)))
