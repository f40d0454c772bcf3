"""Deployed functions: listing them into the catalogue, their details, their CloudWatch logs, AWS switching.

A non-visual widget so its AWS calls run as Textual workers and its results
travel as messages (``DetailsLoaded``, ``LogsOpened``, ``LogsArrived``) that
the screen routes; the listing itself lands in the app's catalogue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widget import Widget

from invokers.models import FunctionSpec

from ..messages import DetailsLoaded, LogsArrived, LogsOpened

if TYPE_CHECKING:
    from ..app import SvlApp


def span(minutes: int) -> str:
    """``15 minutes``, ``hour``, ``3 hours``, ``day``: as in "the last ..."."""
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes >= size:
            count = minutes // size
            return unit if count == 1 else f"{count} {unit}s"
    return f"{minutes} minutes"


def check_qualifier(text: str) -> str:
    text = text.strip()
    if not text or not all(ch.isalnum() or ch in "-_$" for ch in text):
        raise ValueError("a version number (e.g. 3) or an alias name (letters, digits, - and _)")
    return text


class DeployedController(Widget):
    DEFAULT_CSS = "DeployedController { display: none; }"

    def __init__(self) -> None:
        super().__init__()
        self.following: str | None = None

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def _usable(self, spec: FunctionSpec | None, what: str) -> FunctionSpec | None:
        if spec is None or spec.is_local or self.svl.aws is None:
            self.notify(f"Pick a deployed function to {what}.", severity="warning")
            return None
        return spec

    # ---- the listing ----------------------------------------------------------------------

    def load(self) -> None:
        if self.svl.aws is not None:
            self.svl.catalogue.set_deployed_status("loading…")
            self._list()

    @work(group="deployed", exclusive=True)
    async def _list(self) -> None:
        from invokers.aws.session import AwsError
        from invokers.catalogue import deployed_pages

        assert self.svl.aws is not None
        try:
            async for page in deployed_pages(self.svl.aws):
                self.svl.catalogue.add_deployed(page)
        except AwsError as exc:
            self.svl.catalogue.set_deployed_status(f"unavailable: {exc}")
            if exc.kind in ("config", "credentials") and not self.svl.aws_settings.profile:
                return  # AWS simply isn't set up here: the list says so, no need to interrupt
            self.notify(f"{exc}. Local functions keep working.", title="Deployed functions unavailable",
                        severity="warning", timeout=8)

    def switch(self, what: str) -> None:
        """Ask for another AWS region or profile, then list that one's functions."""
        from invokers.aws.session import AwsSettings

        from ..screens.prompt import PromptScreen

        current = self.svl.aws_settings

        def switched(value: str | None) -> None:
            if value is None:
                return
            profile = value if what == "profile" else current.profile
            region = value if what == "region" else current.region
            self.stop_following()
            self.svl.use_aws(AwsSettings.from_args(profile, region))  # empty: AWS_REGION, then the profile's
            self.load()

        def check(text: str) -> str:
            text = text.strip()
            if what == "region" and text and not all(part.isalnum() for part in text.split("-")):
                raise ValueError(f"{text!r} is not a region name such as eu-west-1")
            return text

        value = (current.region if what == "region" else current.profile) or ""
        self.app.push_screen(PromptScreen(f"AWS {what}", f"AWS {what} (empty: the default)", check, value),
                             switched)

    # ---- one function ------------------------------------------------------------------------

    @work(group="details", exclusive=True)
    async def load_details(self, name: str) -> None:
        from invokers.aws.deployed import details
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            self.post_message(DetailsLoaded(await details(self.svl.aws, name)))
        except AwsError as exc:
            self.notify(str(exc), title=f"Configuration of {name}", severity="warning")

    def ask_options(self, spec: FunctionSpec | None, invocation_type: str, ask_qualifier: bool,
                    then: Callable[[FunctionSpec, dict[str, Any]], None]) -> None:
        """Event / DryRun invocations, or a version or alias: the options for ``Engine.invoke``."""
        from ..screens.prompt import PromptScreen

        chosen_spec = self._usable(spec, "invoke it this way")
        if chosen_spec is None:
            return
        if not ask_qualifier:
            then(chosen_spec, {"invocation_type": invocation_type})
            return

        def chosen(qualifier: str | None) -> None:
            if qualifier:
                then(chosen_spec, {"invocation_type": invocation_type, "qualifier": qualifier})

        self.app.push_screen(PromptScreen(f"Invoke {chosen_spec.name} at…", "version number or alias, e.g. live",
                                          check_qualifier), chosen)

    # ---- CloudWatch logs ---------------------------------------------------------------------

    def toggle_follow(self) -> None:
        """The selected deployed function's CloudWatch logs as they are written (again: stop)."""
        chosen = self._usable(self.svl.main_screen.selected, "follow its CloudWatch logs")
        if chosen is None:
            return
        if self.following == chosen.name:
            self.stop_following()
            self.notify(f"Stopped following {chosen.name}'s logs.", timeout=3)
            return
        self.stop_following()
        self.following = chosen.name
        self.post_message(LogsOpened(f"Logs · following /aws/lambda/{chosen.name}"))
        self._follow(chosen)

    def show_recent(self, spec: FunctionSpec | None, minutes: int) -> None:
        """A deployed function's CloudWatch logs of the last ``minutes``, in the log panel."""
        chosen = self._usable(spec, "read its CloudWatch logs")
        if chosen is None:
            return
        self.stop_following()
        self.post_message(LogsOpened(f"Logs · /aws/lambda/{chosen.name} · last {span(minutes)}"))
        self._recent(chosen, minutes)

    def show_insights(self, spec: FunctionSpec | None, preset: str) -> None:
        """A Logs Insights preset over the last day of a deployed function's logs, its rows in the log panel."""
        from invokers.aws.insights import PRESETS

        chosen = self._usable(spec, "query its logs with Logs Insights")
        if chosen is None:
            return
        self.stop_following()
        self.post_message(LogsOpened(f"Logs Insights · {chosen.name} · {PRESETS[preset].title} · last day"))
        self._insights(chosen, preset)

    @work(group="follow", exclusive=True)
    async def _insights(self, spec: FunctionSpec, preset: str) -> None:
        from invokers.aws.insights import run, to_records
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            result = await run(self.svl.aws, spec, preset, since_s=86_400)
        except AwsError as exc:
            self.notify(str(exc), title="Logs Insights", severity="error")
            return
        if not result.rows:
            self.notify("The query found nothing in the last day.", timeout=4)
        self.post_message(LogsArrived(to_records(result.rows)))

    def stop_following(self) -> None:
        if self.following is not None:
            self.workers.cancel_group(self, "follow")
            self.following = None
            self.post_message(LogsOpened("Logs", clear=False))

    @work(group="follow", exclusive=True)
    async def _recent(self, spec: FunctionSpec, minutes: int) -> None:
        from invokers.aws.cloudwatch import recent
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            records = await recent(self.svl.aws, spec, int((time.time() - minutes * 60) * 1000))
        except AwsError as exc:
            self.notify(str(exc), title="CloudWatch logs", severity="error")
            return
        if not records:
            self.notify(f"No log events in the last {span(minutes)}.", timeout=4)
        self.post_message(LogsArrived(records))

    @work(group="follow", exclusive=True)
    async def _follow(self, spec: FunctionSpec) -> None:
        from invokers.aws.cloudwatch import follow
        from invokers.aws.session import AwsError

        assert self.svl.aws is not None
        try:
            async for record in follow(self.svl.aws, spec, since_ms=int((time.time() - 600) * 1000)):
                self.post_message(LogsArrived([record]))
        except AwsError as exc:
            self.notify(str(exc), title="Following logs stopped", severity="error")
            self.following = None
