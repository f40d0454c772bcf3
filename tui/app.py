"""The svl-tui Textual application: composes the main screen over the engine.

The app owns the engine (one warm execution environment per local function),
the project's discovery and the hot-reload watcher; screens and widgets only
call their public API and render what comes back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.command import Hit, Hits, Provider
from textual.screen import Screen

from invokers.aws.session import Aws, AwsSettings
from invokers.discovery import Discovery, discover_or_example
from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.reload import Reloader

from .bindings import ACTIONS, load_keymap

if TYPE_CHECKING:
    from invokers.aws.mock import MockAws
from .screens.main import MainScreen
from .widgets.function_list import FunctionList, function_key


class FunctionCommands(Provider):
    """Command palette entries for every function and every event template."""

    async def search(self, query: str) -> Hits:
        from event_samples import KINDS

        app = self.app
        assert isinstance(app, SvlApp)
        matcher = self.matcher(query)
        screen = app.main_screen
        for spec in app.functions:
            key = function_key(spec)
            for verb, callback, text in (
                    ("Select", partial(screen.query_one(FunctionList).select, key),
                     f"Select {spec.name} ({spec.runtime})"),
                    ("Invoke", partial(app.invoke_by_name, key), f"Invoke {spec.name} with the editor's event")):
                title = f"{verb} {spec.name}" + ("" if spec.is_local else " (deployed)")
                score = matcher.match(title)
                if score > 0:
                    yield Hit(score, matcher.highlight(title), callback, help=text)
        for kind in KINDS.values():
            title = f"Event template: {kind.name}"
            score = matcher.match(f"{title} {kind.title}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(app.load_template, kind.name), help=kind.title)


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
        self.local: list[FunctionSpec] = list(discovery.functions)
        self.deployed: list[FunctionSpec] = []
        self.mock = mock
        self.confirm_deployed = confirm_deployed
        self.engine = Engine(worker_env=mock.environment if mock else None)
        self.aws_settings = aws or AwsSettings()
        self.aws: Aws | None = None
        if aws is not None:
            self.use_aws(aws)
        self.reloader = Reloader(discovery.project, self.engine, discovery)
        self.keymap, self.keymap_problems = load_keymap(keymap_file)
        self.main_screen = MainScreen()

    @property
    def functions(self) -> list[FunctionSpec]:
        return [*self.local, *self.deployed]

    def use_aws(self, settings: AwsSettings) -> None:
        """(Re)connect to AWS with these settings; deployed functions are listed again by the screen."""
        self.aws_settings = settings
        self.aws = Aws(settings)
        self.engine.aws = self.aws
        self.deployed = []

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
        for problem in self.discovery.problems:
            self.notify(str(problem), title=f"Config {problem.severity}",
                        severity="error" if problem.severity == "error" else "warning", timeout=10)
        for complaint in self.keymap_problems:
            self.notify(complaint, title="Key config", severity="warning", timeout=10)

    async def on_unmount(self) -> None:
        await self.engine.close()
        if self.mock is not None:
            self.mock.stop()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.main_screen:
            for action in ACTIONS:
                if action.id not in ("quit", "help"):
                    yield SystemCommand(action.description, action.help,
                                        partial(self.main_screen.run_action, action.action))
            yield SystemCommand("Keys and help", "Show every key binding", partial(self.main_screen.run_action, "help"))
            if self.aws is not None:
                screen_ = self.main_screen
                yield SystemCommand("Invoke deployed asynchronously (Event)", "InvocationType=Event: queued, 202",
                                    partial(screen_.invoke_deployed_with, "Event"))
                yield SystemCommand("Dry run deployed function", "InvocationType=DryRun: checks parameters and "
                                    "permissions", partial(screen_.invoke_deployed_with, "DryRun"))
                yield SystemCommand("Invoke deployed version or alias…", "Qualifier: a version number or an alias",
                                    partial(screen_.invoke_deployed_with, "RequestResponse", True))
                for minutes, label in ((15, "15 minutes"), (60, "hour"), (1440, "day")):
                    yield SystemCommand(f"Deployed logs: last {label}", "CloudWatch history of the selected "
                                        "deployed function", partial(screen_.show_recent_logs, minutes))
                for what in ("region", "profile"):
                    yield SystemCommand(f"AWS: switch {what}", f"List deployed functions of another {what}",
                                        partial(self.main_screen.action_switch_aws, what))
            if self.mock is not None:
                yield SystemCommand("Mock AWS: show resources", "Tables, queues, topics and buckets the local "
                                    "handlers created in the embedded AWS", self.show_mock_inventory)

    def show_mock_inventory(self) -> None:
        assert self.mock is not None
        lines = [f"{kind}: {', '.join(names) or '-'}" for kind, names in self.mock.inventory().items()]
        self.notify("\n".join(lines), title=f"Mock AWS at {self.mock.endpoint}", timeout=10)

    def invoke_by_name(self, name: str) -> None:
        self.main_screen.query_one(FunctionList).select(name)
        self.main_screen.action_invoke()

    def load_template(self, kind: str) -> None:
        from .screens.event_picker import Choice

        if self.main_screen.selected is not None:
            self.main_screen.load_choice(self.main_screen.selected, Choice("template", kind))


def run_app(args: argparse.Namespace) -> int:
    """Open the UI for ``--project`` (or the current folder, or the bundled example)."""
    project = Path(args.project) if args.project else None
    if project is not None and not project.is_dir():
        print(f"svl-tui: error: --project {args.project}: no such folder", file=sys.stderr)
        return 2
    mock = None
    if args.mock_aws:
        from invokers.aws import mock as mock_aws
        from invokers.aws.session import AwsError

        try:
            mock = mock_aws.start(args.region or "us-east-1")
        except AwsError as exc:
            print(f"svl-tui: error: {exc}", file=sys.stderr)
            return 2
    aws = None if args.no_aws else AwsSettings.from_args(args.profile, args.region)
    SvlApp(discover_or_example(project), aws=aws, mock=mock, confirm_deployed=not args.yes).run()
    return 0
