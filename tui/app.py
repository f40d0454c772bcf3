"""The svl-tui Textual application: composes the main screen over the engine.

The app owns the engine (one warm execution environment per local function),
the project's discovery and the hot-reload watcher; screens and widgets only
call their public API and render what comes back.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.command import Hit, Hits, Provider
from textual.screen import Screen

from invokers.discovery import Discovery, discover_or_example
from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.reload import Reloader

from .bindings import ACTIONS, load_keymap
from .screens.main import MainScreen


class FunctionCommands(Provider):
    """Command palette entries for every function and every event template."""

    async def search(self, query: str) -> Hits:
        from event_samples import KINDS

        app = self.app
        assert isinstance(app, SvlApp)
        matcher = self.matcher(query)
        screen = app.main_screen
        for spec in app.functions:
            for verb, callback, text in (
                    ("Select", partial(screen.query_one("#function-list").select, spec.name),
                     f"Select {spec.name} ({spec.runtime})"),
                    ("Invoke", partial(app.invoke_by_name, spec.name), f"Invoke {spec.name} with the editor's event")):
                title = f"{verb} {spec.name}"
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

    def __init__(self, discovery: Discovery, *, keymap_file: Path | None = None) -> None:
        super().__init__()
        self.discovery = discovery
        self.project = discovery.project
        self.functions: list[FunctionSpec] = list(discovery.functions)
        self.engine = Engine()
        self.reloader = Reloader(discovery.project, self.engine, discovery)
        self.keymap, self.keymap_problems = load_keymap(keymap_file)
        self.main_screen = MainScreen()

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
        for problem in self.keymap_problems:
            self.notify(problem, title="Key config", severity="warning", timeout=10)

    async def on_unmount(self) -> None:
        await self.engine.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.main_screen:
            for action in ACTIONS:
                if action.id not in ("quit", "help"):
                    yield SystemCommand(action.description, action.help,
                                        partial(self.main_screen.run_action, action.action))
            yield SystemCommand("Keys and help", "Show every key binding", partial(self.main_screen.run_action, "help"))

    def invoke_by_name(self, name: str) -> None:
        self.main_screen.query_one("#function-list").select(name)
        self.main_screen.action_invoke()

    def load_template(self, kind: str) -> None:
        from .screens.event_picker import Choice

        if self.main_screen.selected is not None:
            self.main_screen._load_choice(self.main_screen.selected, Choice("template", kind))


def run_app(args: argparse.Namespace) -> int:
    """Open the UI for ``--project`` (or the current folder, or the bundled example)."""
    project = Path(args.project) if args.project else None
    if project is not None and not project.is_dir():
        print(f"svl-tui: error: --project {args.project}: no such folder")
        return 2
    SvlApp(discover_or_example(project)).run()
    return 0
