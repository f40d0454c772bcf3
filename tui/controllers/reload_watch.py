"""Hot reload in the UI: watch the project, update the catalogue, say what happened.

A non-visual widget running the reloader in a Textual worker. Each reload
updates the app's catalogue when the config changed, notifies what changed or
what does not load, and posts ``Reloaded`` so the screen can mark functions
and the run area can re-run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widget import Widget

from invokers.reload import ReloadEvent

from ..messages import Reloaded
from ..notices import notify_grouped

if TYPE_CHECKING:
    from ..app import SvlApp


def summary(event: ReloadEvent) -> str:
    """``reloaded a, b; added c``: one line for a successful reload, empty when nothing changed."""
    parts = [f"{verb} {', '.join(names)}" for verb, names in
             (("reloaded", event.reloaded), ("added", event.added), ("removed", event.removed)) if names]
    return "; ".join(parts)


class ReloadController(Widget):
    DEFAULT_CSS = "ReloadController { display: none; }"

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    @work(group="reload")
    async def start(self) -> None:
        async for event in self.svl.reloader.watch():
            self._tell(event)
            self.post_message(Reloaded(event))

    def ask_env_vars(self) -> None:
        """Palette: pick a SAM env-vars file (``sam local --env-vars``); empty stops using one."""
        from pathlib import Path

        from ..screens.prompt import PromptScreen

        project = self.svl.reloader.project

        def check(text: str) -> str:
            path = Path(text.strip()).expanduser()
            path = path if path.is_absolute() else project / path
            if text.strip() and not path.is_file():
                raise ValueError(f"{path}: no such file")
            return str(path) if text.strip() else ""

        def answered(text: str | None) -> None:
            if text is not None:
                self._use_env_vars(text)

        current = self.svl.reloader.discovery.settings.env_vars
        self.app.push_screen(PromptScreen("Env vars file, SAM format (empty: none)", "e.g. env.json", check,
                                          current), answered)

    @work(group="env-vars")
    async def _use_env_vars(self, path: str) -> None:
        from dataclasses import replace

        reloader = self.svl.reloader
        event = await reloader.reconfigure(replace(reloader.discovery.settings, env_vars=path))
        self._tell(event)
        self.post_message(Reloaded(event))
        self.notify(f"using {path}" if path else "no env vars file", title="Env vars", timeout=3)

    def ask_resolve_aws(self) -> None:
        """Palette: read the SSM parameters, secrets and stack outputs the functions' environments take from
        AWS, after asking. Kept for the session (a save does not undo them); secret values stay masked."""
        from invokers.discovery.placeholders import pending

        from ..screens.confirm import ConfirmScreen

        tokens = pending(self.svl.reloader.functions)
        if not tokens:
            self.notify("No function's environment uses a value stored in AWS.", title="AWS values", timeout=4)
            return
        settings = self.svl.aws_settings
        account = ", ".join(part for part in (settings.profile and f"profile {settings.profile}",
                                              settings.region and f"region {settings.region}") if part)
        shown = ", ".join(tokens[:4]) + (f" and {len(tokens) - 4} more" if len(tokens) > 4 else "")

        def answered(yes: bool | None) -> None:
            if yes:
                self._resolve_aws(tokens)

        self.app.push_screen(ConfirmScreen(
            "Read values from AWS?",
            f"{len(tokens)} value(s) this project's functions use are stored in AWS: {shown}. Read them with "
            f"{account or 'the default AWS credentials'}? They are kept for this session only, and secret ones "
            "stay masked wherever svl-tui shows them.", yes="Read"), answered)

    @work(group="resolve-aws")
    async def _resolve_aws(self, tokens: list[str]) -> None:
        import asyncio
        from dataclasses import replace

        from invokers.aws.session import Aws
        from invokers.discovery.placeholders import fetch

        aws = self.svl.aws or Aws(self.svl.aws_settings)
        values, problems = await asyncio.to_thread(fetch, tokens, aws)
        reloader = self.svl.reloader
        settings = reloader.discovery.settings
        event = await reloader.reconfigure(replace(settings, aws_values={**settings.aws_values, **values}))
        self._tell(event)
        self.post_message(Reloaded(event))
        notify_grouped(self, [str(problem) for problem in problems], title="AWS values not read")
        self.notify(f"read {len(values)} of {len(tokens)} value(s) from AWS", title="AWS values", timeout=4)

    def _tell(self, event: ReloadEvent) -> None:
        if event.config_changed:
            self.svl.catalogue.set_local(list(self.svl.reloader.functions))
        for error in event.errors:
            where = f"{error.file}:{error.line}: " if error.file and error.line else ""
            self.notify(f"{where}{error.message}", title=f"{error.function} does not load", severity="error",
                        timeout=8)
        notify_grouped(self, event.problems, title="Config problem", hint="'svl-tui list' prints them all")
        changed = ", ".join(event.files[:3]) + ("…" if len(event.files) > 3 else "")
        said = summary(event)
        if said and event.ok:
            self.notify(said, title=f"Changed {changed}", timeout=3)
