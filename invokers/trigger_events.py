"""Which events a function is offered, and which one it opens with.

Order of precedence for the opening event: the configuration's explicit
``event:`` (svl.yaml), then a saved event named ``default``, then the event of
the function's first trigger (an Api route opens with that route's request),
else ``{}``. The picker and ``svl-tui events list --function F`` offer, after
the opening event, one event per trigger and the project's own event files,
those that suit the function first.

Generating is cheap (well under 5 ms a template), so this runs synchronously
when a function is selected: its event is in the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from event_samples import SavedEventError, SavedEvents, detect
from event_samples.patterns import PatternError
from event_samples.project import ProjectEvent, find
from event_samples.triggers import event_for

from .models import FunctionSpec, Trigger, _Json

SAVED_DEFAULT = "default"


@dataclass
class EventChoice(_Json):
    """One event offered for a function: where it comes from, a label to show, the event itself."""

    label: str
    source: str  # "default" | "saved" | "trigger" | "project" | "empty"
    event: Any
    kind: str | None = None
    trigger: str = ""  # the trigger's name, for source == "trigger"
    path: str = ""  # the file, relative to the project, for source == "project"
    suits: bool = True  # False: a project file whose kind none of the function's triggers sends


def _event_of(trigger: Trigger) -> EventChoice | None:
    try:
        made = event_for(trigger.kind, trigger.params)
    except (PatternError, ValueError):
        return None  # a malformed pattern or parameter: the function still opens, with another event
    return None if made is None else EventChoice(made.label, "trigger", made.event, made.kind, trigger.name)


def trigger_events(spec: FunctionSpec) -> list[EventChoice]:
    """One event per trigger the function declares (triggers we cannot model are left out)."""
    return [choice for choice in map(_event_of, spec.triggers) if choice is not None]


def opening_event(spec: FunctionSpec, project: Path | str | None = None) -> EventChoice:
    """The event the editor and ``svl-tui invoke`` start from (see the module's precedence)."""
    if spec.default_event is not None:
        return EventChoice("default event", "default", spec.default_event)
    if project is not None:
        saved = _saved_default(spec, Path(project))
        if saved is not None:
            return saved
    for trigger in spec.triggers:
        choice = _event_of(trigger)
        if choice is not None:
            return choice
    return EventChoice("empty event", "empty", {})


def _saved_default(spec: FunctionSpec, project: Path) -> EventChoice | None:
    store = SavedEvents(project)
    try:
        if not store.path(spec.name, SAVED_DEFAULT).is_file():
            return None
        return EventChoice(f"saved: {SAVED_DEFAULT}", "saved", store.load(spec.name, SAVED_DEFAULT))
    except SavedEventError:
        return None


def project_events(spec: FunctionSpec, project: Path | str) -> list[EventChoice]:
    """The project's event files, those that suit ``spec`` first.

    A file suits a function when it sits in ``events/<function>/``, or when its
    detected kind is one the function's triggers send (or its configured default
    event is). With neither to go
    by, every file is offered as suitable. Sorting is stable: paths stay in order.
    """
    kinds = {choice.kind for choice in trigger_events(spec) if choice.kind}
    if spec.default_event is not None:
        kinds.add(detect(spec.default_event) or "")
    kinds.discard("")
    files = find(project, [spec.code_dir] if spec.code_dir else None)
    out = []
    for item in files:
        named_for_it = item.folder is not None and item.folder.lower() == spec.name.lower()
        out.append(_choice(item, named_for_it or not kinds or item.kind in kinds))
    return sorted(out, key=lambda c: not c.suits)


def _choice(item: ProjectEvent, suits: bool) -> EventChoice:
    return EventChoice(item.path, "project", item.event, item.kind, path=item.path, suits=suits)


def offered(spec: FunctionSpec, project: Path | str | None) -> list[EventChoice]:
    """Everything the picker shows for ``spec``: the opening event, one per trigger, the project's files."""
    first = opening_event(spec, project)
    out = [first]
    out.extend(c for c in trigger_events(spec) if not (first.source == "trigger" and c.trigger == first.trigger))
    if project is not None:
        out.extend(project_events(spec, project))
    return out


_MAIN_PARAM = {"sqs": "queue", "sns": "topic", "kinesis": "stream", "dynamodb": "table", "s3": "bucket",
               "schedule": "expression", "eventbridge": "rule", "cloudwatch_logs": "log_group", "cognito": "trigger",
               "iot": "sql", "msk": "topics", "kafka": "topics", "mq": "queues", "websocket": "route",
               "function_url": "auth_type", "alexa": "skill_id"}
_TITLES = {"api": "API", "http_api": "HTTP API", "function_url": "URL", "sqs": "SQS", "sns": "SNS",
           "kinesis": "Kinesis", "dynamodb": "DynamoDB", "s3": "S3", "schedule": "schedule",
           "eventbridge": "EventBridge", "cloudwatch_logs": "logs", "cognito": "Cognito", "iot": "IoT",
           "msk": "MSK", "kafka": "Kafka", "mq": "MQ", "websocket": "WebSocket", "alb": "ALB", "alexa": "Alexa"}


def describe(trigger: Trigger) -> str:
    """A short line for a trigger: ``API GET /orders/{id}``, ``SQS orders``, ``schedule rate(5 minutes)``."""
    params = trigger.params
    if trigger.kind in ("api", "alb"):
        return f"{_TITLES[trigger.kind]} {params.get('method', 'ANY')} {params.get('path', '/')}"
    if trigger.kind == "http_api":
        return f"HTTP API {params.get('route_key', '$default')}"
    if trigger.kind.startswith("azure_"):
        detail = params.get("route") or params.get("schedule") or params.get("queueName") or params.get("path") or ""
        return f"Azure {trigger.kind.removeprefix('azure_')} {detail}".rstrip()
    value = params.get(_MAIN_PARAM.get(trigger.kind, ""), "")
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{_TITLES.get(trigger.kind, trigger.kind)} {text}".rstrip()


def summary(spec: FunctionSpec, width: int = 60) -> str:
    """Every trigger of ``spec`` on one line, cut at ``width`` characters."""
    text = "; ".join(describe(t) for t in spec.triggers)
    return text if len(text) <= width else text[: width - 1] + "…"


def rule_checks(spec: FunctionSpec, event: Any) -> list[tuple[str, str | None]]:
    """For each EventBridge rule of ``spec`` with a pattern: (rule, None if ``event`` matches, else why not).

    A malformed pattern counts as a failure that says what is wrong with it.
    """
    from event_samples.patterns import first_mismatch

    checks: list[tuple[str, str | None]] = []
    for trigger in spec.triggers:
        pattern = trigger.params.get("pattern")
        if trigger.kind != "eventbridge" or not isinstance(pattern, dict):
            continue
        rule = str(trigger.params.get("rule") or trigger.name)
        try:
            failure = first_mismatch(pattern, event)
        except PatternError as exc:
            checks.append((rule, f"the rule's pattern is malformed: {exc}"))
            continue
        checks.append((rule, None if failure is None else str(failure)))
    return checks
