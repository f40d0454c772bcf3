"""``svl-tui events ...``: list, show, validate, save and import sample events headlessly.

event_samples is imported inside each command: the parser is built on every
``svl-tui`` start, and ``invoke`` should not pay for it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .cli_output import EXIT_FUNCTION_ERROR as EXIT_PROBLEMS
from .cli_output import EXIT_OK, EXIT_USAGE, UsageError


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    events = commands.add_parser("events", help="generate, validate, save and import sample events", parents=[common])
    actions = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="list the event kinds")
    show = actions.add_parser("show", parents=[common],
                              help="print a generated event: svl-tui events show sqs --body '{\"id\": 1}'",
                              description="Print a freshly generated event. Parameters depend on the kind: "
                                          "see 'svl-tui events list --params'. As with 'sam local generate-event', "
                                          "a service and its variant work too, with SAM's parameter names: "
                                          "svl-tui events show kinesis analytics --application app --region eu-west-1 "
                                          "('svl-tui events list --sam' lists them).")
    show.add_argument("kind")
    check = actions.add_parser("validate", parents=[common], help="check an event file against its kind")
    check.add_argument("file", help="event JSON file, or - for standard input")
    check.add_argument("--kind", help="event kind (default: detected)")
    saved = actions.add_parser("saved", parents=[common], help="list a function's saved events")
    saved.add_argument("function")
    save = actions.add_parser("save", parents=[common], help="save an event for a function")
    save.add_argument("function")
    save.add_argument("name")
    save.add_argument("--event", "-e", metavar="FILE", required=True, help="event JSON file, or - for stdin")
    imports = actions.add_parser("import", parents=[common], help="import a SAM events/ folder or a Lambda console "
                                                "shareable test events export")
    imports.add_argument("function")
    imports.add_argument("path")
    actions.choices["list"].add_argument("--params", action="store_true", help="show each kind's parameters")
    actions.choices["list"].add_argument("--sam", action="store_true",
                                         help="list sam local generate-event's services and variants, and their kinds")
    actions.choices["list"].add_argument("--function", "-f", metavar="F",
                                         help="list the events offered for function F instead: its default, one "
                                              "per trigger, the project's event files (those that suit F first)")
    actions.choices["list"].add_argument("--json", action="store_true", help="with --function: print JSON")
    match = actions.add_parser("match", parents=[common], help="does an event match an EventBridge pattern? "
                                                                 "names the field that fails")
    match.add_argument("file", help="event JSON file, or - for standard input")
    source = match.add_mutually_exclusive_group(required=True)
    source.add_argument("--pattern", help="the pattern: JSON text, or a file holding it")
    source.add_argument("--function", "-f", metavar="F", help="use the patterns of F's EventBridge rules")


def run(args: argparse.Namespace, extra: list[str]) -> int:
    from event_samples import SavedEventError

    try:
        if extra and args.events_command != "show":
            raise ValueError(f"unrecognised arguments: {' '.join(extra)}")
        handler = {"list": _list, "show": _show, "validate": _validate, "saved": _saved, "save": _save,
                   "import": _import, "match": _match}[args.events_command]
        return handler(args, extra)
    except (ValueError, SavedEventError, UsageError) as exc:
        print(f"svl-tui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _list(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import KINDS

    if args.function:
        return _list_for_function(args)
    if args.sam:
        from event_samples.sam import VARIANTS

        for service, variants in VARIANTS.items():
            for name, found in variants.items():
                preset = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in found.preset.items())
                print(f"{service:<17} {name:<43} {found.kind} {preset}".rstrip())
        return EXIT_OK

    width = max(len(name) for name in KINDS)
    for kind in KINDS.values():
        print(f"{kind.name:<{width}}  {kind.title}: {kind.description}")
        if args.params:
            for param in kind.params:
                print(f"{'':<{width}}    --{param.cli_name:<14} {param.help}")
    return EXIT_OK


def parse_params(extra: list[str]) -> dict[str, str]:
    """``--name value`` / ``--name=value`` pairs; a flag with no value counts as true."""
    values: dict[str, str] = {}
    index = 0
    while index < len(extra):
        item = extra[index]
        if not item.startswith("--"):
            raise ValueError(f"expected --parameter value, got {item!r}")
        name, equals, value = item[2:].partition("=")
        if not equals:
            if index + 1 < len(extra) and not extra[index + 1].startswith("--"):
                value = extra[index + 1]
                index += 1
            else:
                value = "true"
        values[name.replace("-", "_")] = value
        index += 1
    return values


def _show(args: argparse.Namespace, extra: list[str]) -> int:
    from event_samples import get
    from event_samples.sam import VARIANTS, variant

    sam_form = bool(extra) and not extra[0].startswith("--") and args.kind in VARIANTS
    found = variant(args.kind, extra[0]) if sam_form else None
    kind = get(found.kind if found else args.kind)
    params = parse_params(extra[1:] if sam_form else extra)
    # --region and --stage are also svl-tui's own options, so argparse took them: they are the event's here
    for name in ("region", "stage"):
        value = getattr(args, name, None)
        if isinstance(value, str) and (name == "region" or any(p.name == name for p in kind.params)):
            params.setdefault(name, value)
    event = kind.generate(**(found.preset if found else {}), **params)
    print(json.dumps(event, indent=2))
    return EXIT_OK


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{source}: {exc.strerror or exc}") from None


def _validate(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import KINDS, detect, get, parse_json, validate

    event, problem = parse_json(_read(args.file))
    if problem is not None:
        print(f"{args.file}:{problem.line}:{problem.column}: {problem.message} ({problem.hint})", file=sys.stderr)
        return EXIT_PROBLEMS
    kind = get(args.kind).name if args.kind else detect(event)
    if kind is None:
        print(f"{args.file}: not a known event kind; pass --kind (one of {', '.join(KINDS)})", file=sys.stderr)
        return EXIT_PROBLEMS
    issues = validate(event, kind)
    for issue in issues:
        print(f"{args.file}: {issue}", file=sys.stderr)
    errors = [i for i in issues if i.severity == "error"]
    print(f"{args.file}: {kind} event, {len(errors)} error(s), {len(issues) - len(errors)} warning(s)")
    return EXIT_PROBLEMS if errors else EXIT_OK


def _project(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "project", None) or Path.cwd())


def _saved(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import SavedEvents

    for name in SavedEvents(_project(args)).list(args.function):
        print(name)
    return EXIT_OK


def _save(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import SavedEvents

    from .cli_project import parse_json

    event = parse_json(_read(args.event), args.event)
    path = SavedEvents(_project(args)).save(args.function, args.name, event)
    print(f"saved {path}")
    return EXIT_OK


def _import(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import SavedEvents

    store = SavedEvents(_project(args))
    source = Path(args.path)
    skipped: list[str] = []
    names = store.import_folder(args.function, source, skipped) if source.is_dir() else store.import_shareable(
        args.function, source)
    print(f"imported {len(names)} event(s) for {args.function}: {', '.join(names) or '-'}")
    for problem in skipped:
        print(f"svl-tui: not imported: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if skipped else EXIT_OK


def _function(args: argparse.Namespace, name: str) -> Any:
    from .cli_project import find_function, load_project

    return find_function(load_project(args), name)


def _list_for_function(args: argparse.Namespace) -> int:
    from .trigger_events import offered

    spec = _function(args, args.function)
    choices = offered(spec, _project(args))
    if args.json:
        print(json.dumps([choice.to_dict() for choice in choices], indent=2))
        return EXIT_OK
    width = max(len(choice.label) for choice in choices)
    for index, choice in enumerate(choices):
        source = "opens with" if index == 0 else choice.source
        note = "" if choice.suits else "  (not a kind this function's triggers send)"
        print(f"{source:<10}  {choice.label:<{width}}  {choice.kind or '-'}{note}")
    return EXIT_OK


def _match(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import parse_json
    from event_samples.patterns import PatternError, first_mismatch

    event, problem = parse_json(_read(args.file))
    if problem is not None:
        print(f"{args.file}:{problem.line}:{problem.column}: {problem.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.pattern is not None:
        text = args.pattern if args.pattern.lstrip().startswith("{") else _read(args.pattern)
        try:
            failure = first_mismatch(text, event)
        except PatternError as exc:
            raise ValueError(f"--pattern: {exc}") from None
        checks = [("--pattern", None if failure is None else str(failure))]
    else:
        from .trigger_events import rule_checks

        spec = _function(args, args.function)
        checks = rule_checks(spec, event)
        if not checks:
            raise ValueError(f"{spec.name} has no EventBridge rule with a pattern; pass --pattern")
    for name, why in checks:
        print(f"{name}: matches" if why is None else f"{name}: no match: {why}")
    return EXIT_OK if any(why is None for _, why in checks) else EXIT_PROBLEMS
