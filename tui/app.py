"""The svl-tui Textual application: composes the main screen over the engine.

The app owns the engine (one warm execution environment per local function),
the project's discovery and the hot-reload watcher; screens and widgets only
call their public API and render what comes back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen

from invokers.aws.session import Aws, AwsSettings
from invokers.catalogue import Catalogue, CatalogueChange
from invokers.discovery import Discovery, discover_or_example
from invokers.discovery.placeholders import HINT as CLI_HINT
from invokers.engine import Engine
from invokers.history import History
from invokers.reload import Reloader

from .bindings import load_keymap
from .commands import FunctionCommands, system_commands
from .controllers.burst import BurstController
from .controllers.event_sources import SourcesController
from .controllers.serve import ServeController
from .controllers.tune import TuneController
from .messages import CatalogueChanged
from .notices import notify_grouped
from .screens.main import MainScreen
from .widgets.filtered_options import retarget

if TYPE_CHECKING:
    from invokers.aws.mock import MockAws


class SvlApp(App[None]):
    """svl-tui: invoke and debug serverless functions."""

    CSS_PATH = "app.tcss"
    TITLE = "svl-tui"
    COMMANDS = App.COMMANDS | {FunctionCommands}

    def __init__(self, discovery: Discovery, *, keymap_file: Path | None = None, aws: AwsSettings | None = None,
                 mock: MockAws | None = None, confirm_deployed: bool = True) -> None:
        super().__init__()
        self.discovery = discovery
        self.project = discovery.project
        self.catalogue = Catalogue(discovery)
        self.mock = mock
        self.confirm_deployed = confirm_deployed
        self.history = History.for_project(discovery.project, example=discovery.example)
        """Every invocation of this session is recorded here (read back by the metrics view)."""
        self.engine = Engine(worker_env=mock.environment if mock else None, history=self.history)
        self.aws_settings = aws or AwsSettings()
        self.aws: Aws | None = None
        if aws is not None:
            self.use_aws(aws)
        self.reloader = Reloader(discovery.project, self.engine, discovery)
        self.keymap, self.keymap_problems = load_keymap(keymap_file)
        self.main_screen = MainScreen()
        self.serve = ServeController(self)
        """The local API Gateway / Lambda endpoint, started from the palette."""
        self.event_sources = SourcesController(self)
        """With --mock-aws: the functions' queues, streams, topics, buckets, rules and schedules."""
        self.burst = BurstController(self)
        """Bursts of the editor's event (palette: "Burst…")."""
        self.tuning = TuneController(self)
        """Power tuning of deployed functions, started from the palette."""
        self.catalogue.subscribe(self._catalogue_changed)

    def _catalogue_changed(self, change: CatalogueChange) -> None:
        self.main_screen.post_message(CatalogueChanged(change))

    @property
    def has_deployed(self) -> bool:
        """Deployed functions are listed: the palette offers their commands."""
        return self.aws is not None and bool(self.catalogue.deployed)

    def use_aws(self, settings: AwsSettings) -> None:
        """(Re)connect to AWS with these settings; the deployed controller lists the functions again."""
        self.aws_settings = settings
        self.aws = Aws(settings)
        self.engine.aws = self.aws
        self.catalogue.reset_deployed("")

    @property
    def project_label(self) -> str:
        return f"{self.project.name} (example)" if self.discovery.example else self.project.name

    def on_mount(self) -> None:
        self.sub_title = str(self.project)
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(self.main_screen)
        if self.discovery.example:
            self.notify("No functions in this folder, so this is svl-tui's bundled example project. "
                        "Press ctrl+r to invoke, f1 for help.", title="Example project", timeout=10)
        for severity in ("error", "warning"):
            found = [str(p).replace(CLI_HINT, self._stored_value_hint()) for p in self.discovery.problems
                     if p.severity == severity]
            notify_grouped(self, found, title=f"Config {severity}s" if len(found) > 1 else f"Config {severity}",
                           severity="error" if severity == "error" else "warning",
                           hint="'svl-tui list' prints them all")
        for complaint in self.keymap_problems:
            self.notify(complaint, title="Key config", severity="warning", timeout=10)
        if self.mock is not None:
            self.run_worker(self.event_sources.start(), group="event-sources")

    def _stored_value_hint(self) -> str:
        """What to do about a value kept in AWS, in the UI's terms (the CLI's hint names its flags)."""
        resolve = " or 'AWS: resolve stored values…'" if self.aws is not None else ""
        return f"give it in the palette (ctrl+p): 'Env vars file…'{resolve}, or start with --parameter-overrides"

    async def on_unmount(self) -> None:
        await self.serve.stop()
        await self.event_sources.stop()
        await self.engine.close()
        if self.mock is not None:
            self.mock.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            if not self.screen_stack:
                return  # typed (or still bubbling) on the way out: nothing is left to take it, Textual would raise
            if not event.is_forwarded:
                retarget(self.focused, event)  # type-to-filter, decided before the key is forwarded (fault 8)
        await super().on_event(event)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.main_screen:
            yield from system_commands(self, self.main_screen)

    def show_traffic(self) -> None:
        from .screens.traffic import TrafficScreen

        self.push_screen(TrafficScreen(self.serve))

    def show_event_sources(self) -> None:
        from .screens.event_sources import EventSourcesScreen

        self.push_screen(EventSourcesScreen(self.event_sources))

    def send_to_source(self) -> None:
        from .screens.send_event import SendEventScreen

        sources = self.event_sources.sources
        running = [m for m in sources.mappings if m.info.state == "running"] if sources is not None else []
        self.push_screen(SendEventScreen(running, self.main_screen.editor.text))
    def action_show_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen(self.keymap))

    def action_show_metrics(self) -> None:
        """The metrics view of the selected function (its recorded runs, every session's)."""
        from .screens.metrics import MetricsScreen

        spec = self.main_screen.selected
        if spec is None:
            self.notify("Select a function first: metrics are per function.", severity="warning")
            return
        self.push_screen(MetricsScreen(spec, self.history, self.project, self.aws))

    def show_mock_inventory(self) -> None:
        """The configuration's resources with their status, then what handlers created (``r`` refreshes)."""
        from invokers.aws.resources import listing

        from .screens.resources import ResourcesScreen

        mock = self.mock
        assert mock is not None
        self.push_screen(ResourcesScreen(f"Mock AWS at {mock.endpoint} (r: refresh, esc: close)",
                                         lambda: listing(mock)))


def run_app(args: argparse.Namespace) -> int:
    """Open the UI for ``--project`` (or the current folder, or the bundled example)."""
    project = Path(args.project) if args.project else None
    if project is not None and not project.is_dir():
        print(f"svl-tui: error: --project {args.project}: no such folder", file=sys.stderr)
        return 2
    from invokers.aws.session import AwsError
    from invokers.cli_project import discovery_settings, start_mock

    found = discover_or_example(project, discovery_settings(args))
    try:
        mock = start_mock(args, found, quiet=True)  # resources that failed are in found.problems: the app shows them
    except AwsError as exc:
        print(f"svl-tui: error: {exc}", file=sys.stderr)
        return 2
    aws = None if args.no_aws else AwsSettings.from_args(args.profile, args.region)
    SvlApp(found, aws=aws, mock=mock, confirm_deployed=not args.yes).run()
    return 0
