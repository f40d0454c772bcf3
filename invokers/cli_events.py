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

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    events = commands.add_parser("events", help="generate, validate, save and import sample events", parents=[common])
    actions = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="list the event kinds")
    show = actions.add_parser("show", parents=[common],
                              help="print a generated event: svl-tui events show sqs --body '{\"id\": 1}'",
                              description="Print a freshly generated event. Parameters depend on the kind: "
                                          "see 'svl-tui events list --params'.")
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


def run(args: argparse.Namespace, extra: list[str]) -> int:
    from event_samples import SavedEventError

    try:
        if extra and args.events_command != "show":
            raise ValueError(f"unrecognised arguments: {' '.join(extra)}")
        handler = {"list": _list, "show": _show, "validate": _validate, "saved": _saved, "save": _save,
                   "import": _import}[args.events_command]
        return handler(args, extra)
    except (ValueError, SavedEventError) as exc:
        print(f"svl-tui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _list(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import KINDS

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
    from event_samples import generate, get

    event = generate(get(args.kind).name, **parse_params(extra))
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
    from event_samples import SavedEvents, parse_json

    event, problem = parse_json(_read(args.event))
    if problem is not None:
        raise ValueError(f"{args.event}:{problem.line}:{problem.column}: {problem.message}")
    path = SavedEvents(_project(args)).save(args.function, args.name, event)
    print(f"saved {path}")
    return EXIT_OK


def _import(args: argparse.Namespace, _extra: list[str]) -> int:
    from event_samples import SavedEvents

    store = SavedEvents(_project(args))
    source = Path(args.path)
    names = store.import_folder(args.function, source) if source.is_dir() else store.import_shareable(
        args.function, source)
    print(f"imported {len(names)} event(s) for {args.function}: {', '.join(names)}")
    return EXIT_OK
