"""The command palette: every function, every event template, every key action, and the AWS commands.

Entries call the main screen's routing methods, so a palette command and its
key binding do exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider

from invokers.models import function_key

from .bindings import ACTIONS
from .controllers.debug_port import ask_debug_port
from .controllers.invoke import InvokeController
from .controllers.reload_watch import ReloadController

if TYPE_CHECKING:
    from .app import SvlApp
    from .screens.main import MainScreen


class FunctionCommands(Provider):
    """Select or invoke any function of the catalogue; load any event template into the editor."""

    async def search(self, query: str) -> Hits:
        from event_samples import KINDS

        from .screens.event_picker import Choice

        app: SvlApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        screen = app.main_screen
        invoker = screen.query_one(InvokeController)
        for spec in app.catalogue.functions:
            key = function_key(spec)
            where = "" if spec.is_local else " (deployed)"
            for title, callback, text in (
                    (f"Select {spec.name}{where}", partial(screen.select, key), f"Select {spec.name} ({spec.runtime})"),
                    (f"Invoke {spec.name}{where}", partial(invoker.invoke_function, key),
                     f"Invoke {spec.name} with its event in the editor")):
                score = matcher.match(title)
                if score > 0:
                    yield Hit(score, matcher.highlight(title), callback, help=text)
        for kind in KINDS.values():
            title = f"Event template: {kind.name}"
            score = matcher.match(f"{title} {kind.title}")
            if score > 0:
                yield Hit(score, matcher.highlight(title),
                          partial(screen.editor.load_choice, Choice("template", kind.name)), help=kind.title)
            title = f"Event with parameters: {kind.name}"
            score = matcher.match(f"{title} {kind.title}")
            if score > 0 and kind.params:
                yield Hit(score, matcher.highlight(title), partial(screen.editor.open_form, kind.name),
                          help=f"{kind.title}: a form for its parameters")


def tune_selected(app: SvlApp, screen: MainScreen) -> None:
    """The palette's power tuning: the selected deployed function with the editor's event."""
    valid, event = screen.editor.checked_event("nothing was tuned")
    if valid:
        app.tuning.start(screen.selected, event)


def system_commands(app: SvlApp, screen: MainScreen) -> Iterator[SystemCommand]:
    """The main screen's entries of the palette's system list (after Textual's own)."""
    for action in ACTIONS:
        if action.id not in ("quit", "help") and (action.id != "follow-logs" or app.has_deployed):
            yield SystemCommand(action.description, action.help, partial(screen.run_action, action.action))
    yield SystemCommand("Keys and help", "Show every key binding", partial(screen.run_action, "app.show_help"))
    yield SystemCommand("Env vars file…", "Override functions' environment from a SAM env-vars JSON file "
                        "(sam local --env-vars)", screen.query_one(ReloadController).ask_env_vars)
    if app.aws is not None:  # --no-aws: "do not contact AWS at all"
        yield SystemCommand("AWS: resolve stored values…", "Read the SSM parameters, secrets and stack outputs "
                            "the functions' environments use, from AWS (asks first; kept for this session)",
                            screen.query_one(ReloadController).ask_resolve_aws)
    yield SystemCommand("Debug port…", "Start local functions under debugpy / node --inspect on a port, "
                        "for VS Code or another editor to attach", partial(ask_debug_port, app))
    yield SystemCommand("Serve: start/stop local endpoint", "API Gateway routes and the Lambda Invoke API on "
                        "127.0.0.1:3000, on this session's warm environments", app.serve.toggle)
    yield SystemCommand("Serve: traffic", "Every request the local endpoint answered, with its logs",
                        app.show_traffic)
    yield SystemCommand("Burst…", "Invoke the selected function with the editor's event N times, C at a time: "
                        "cold starts, throttles, errors, p50/p95/p99", partial(app.burst.ask, screen))
    if app.has_deployed:
        invoker = screen.query_one(InvokeController)
        yield SystemCommand("Invoke deployed asynchronously (Event)", "InvocationType=Event: queued, 202",
                            partial(invoker.invoke_deployed_with, "Event"))
        yield SystemCommand("Dry run deployed function", "InvocationType=DryRun: checks parameters and "
                            "permissions", partial(invoker.invoke_deployed_with, "DryRun"))
        yield SystemCommand("Invoke deployed version or alias…", "Qualifier: a version number or an alias",
                            partial(invoker.invoke_deployed_with, "RequestResponse", True))
        for minutes, label in ((15, "15 minutes"), (60, "hour"), (1440, "day")):
            yield SystemCommand(f"Deployed logs: last {label}", "CloudWatch history of the selected "
                                "deployed function", partial(screen.deployed.show_recent, screen.selected, minutes))
        yield SystemCommand("Power-tune memory…", "Invoke the selected deployed function at several memory sizes "
                            "with the editor's event, chart cost and duration, restore its memory (asks first)",
                            partial(tune_selected, app, screen))
        from invokers.aws.insights import PRESETS

        for preset in PRESETS.values():
            yield SystemCommand(f"Logs Insights: {preset.title}", "A Logs Insights query over the selected deployed "
                                "function's last day of logs, rows in the log panel",
                                partial(screen.deployed.show_insights, screen.selected, preset.name))
    if app.aws is not None:
        for what in ("region", "profile"):
            yield SystemCommand(f"AWS: switch {what}", f"List deployed functions of another {what}",
                                partial(screen.deployed.switch, what))
    if app.mock is not None:
        yield SystemCommand("Mock AWS: show resources", "The configuration's resources in the embedded AWS "
                            "(created, skipped, failed) and what handlers created", app.show_mock_inventory)
        yield SystemCommand("Event sources", "Queues, streams, topics, buckets, rules and schedules invoking the "
                            "functions: their state and every delivery", app.show_event_sources)
        yield SystemCommand("Event sources: send…", "Put the editor's event (or a message you type) on a queue, "
                            "stream, table, bucket, topic or bus, or fire a schedule now", app.send_to_source)
