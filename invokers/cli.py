"""Headless command line: ``svl-tui list``, ``svl-tui invoke`` and friends.

Kept lean on purpose: no Textual, boto3 or Rich import on this path, so a
scripted ``svl-tui invoke`` starts about as fast as Python itself.

Exit codes: 0 success, 1 the function failed (error, timeout, crash),
2 the command could not run (bad arguments, unknown function, bad event,
broken config).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from . import jsonout
from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK, EXIT_USAGE, Painter, UsageError, print_updates, usage_line
from .cli_project import fetch_layers, find_function, history_for, load_project, read_event, start_mock
from .models import DebugStop, FunctionSpec, Result

if TYPE_CHECKING:
    from .aws.mock import MockAws
    from .discovery import Discovery
    from .history import History
    from .spawn import Spawned

def _common_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--project", metavar="DIR", default=default,
                        help="project folder (default: the current folder)")
    parser.add_argument("--profile", default=default, help="AWS profile for deployed functions")
    parser.add_argument("--region", default=default, help="AWS region for deployed functions")
    parser.add_argument("--no-aws", action="store_true", default=default, help="do not contact AWS at all")
    parser.add_argument("--mock-aws", action="store_true", default=default,
                        help="run an embedded AWS (moto) on 127.0.0.1 for local handlers")
    parser.add_argument("--parameter-overrides", metavar="OVERRIDES", action="append", default=default,
                        help="SAM template parameters, as sam takes them: 'Key=Value Key2=Value2' "
                             "(they win over samconfig.toml and Defaults)")
    parser.add_argument("--env-vars", metavar="FILE", default=default,
                        help="SAM env-vars JSON file: {\"Function\": {\"VAR\": \"v\"}, \"Parameters\": {...}}")
    parser.add_argument("--stage", default=default, help="Serverless Framework stage (${opt:stage})")
    parser.add_argument("--resolve-aws", action="store_true", default=default,
                        help="read SSM parameters, secrets and stack outputs the config refers to from AWS")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svl-tui", description="Invoke and debug serverless functions locally and on AWS Lambda. "
        "With no command, opens the terminal UI.")
    _common_options(parser, None)
    parser.set_defaults(no_aws=False, mock_aws=False, resolve_aws=False)
    parser.add_argument("--yes", "-y", action="store_true",
                        help="in the UI, do not ask before invoking a deployed function")
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)  # global options are accepted after the command too
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser("list", help="list the project's functions", parents=[common])
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    invoke = commands.add_parser("invoke", help="invoke a function once and print its result", parents=[common])
    invoke.add_argument("function", help="function name (see 'svl-tui list')")
    source = invoke.add_mutually_exclusive_group()
    source.add_argument("--event", "-e", metavar="FILE", help="event JSON file, or - for standard input")
    source.add_argument("--data", "-d", metavar="JSON", help="event JSON given inline")
    invoke.add_argument("--json", action="store_true", help="print the result and logs as one JSON document")
    invoke.add_argument("--quiet", "-q", action="store_true", help="print only the response (or the error)")
    source.add_argument("--saved", "-s", metavar="NAME", help="a saved event of this function (see 'events saved')")

    watch = commands.add_parser("watch", help="re-invoke a function every time its code changes", parents=[common])
    watch.add_argument("function", help="function name (see 'svl-tui list')")
    watch_source = watch.add_mutually_exclusive_group()
    watch_source.add_argument("--event", "-e", metavar="FILE", help="event JSON file")
    watch_source.add_argument("--data", "-d", metavar="JSON", help="event JSON given inline")
    watch_source.add_argument("--saved", "-s", metavar="NAME", help="a saved event of this function")
    watch.add_argument("--json", action="store_true", help="print each run as one line of JSON (result and logs)")
    watch.add_argument("--quiet", "-q", action="store_true", help="print only each run's response (or error)")

    from .cli_aws import add_arguments
    from .cli_burst import add_arguments as add_burst
    from .cli_cloud import add_parsers as add_cloud
    from .cli_compare import add_parsers as add_compare
    from .cli_debug import add_arguments as add_debug_arguments
    from .cli_events import add_parser
    from .cli_resources import add_parser as add_resources
    from .cli_sdk import add_parser as add_sdk_parser
    from .cli_serve import add_parser as add_serve
    from .cli_stats import add_parser as add_stats
    from .cli_tests import add_parsers as add_tests

    add_arguments(listing, invoke, commands, common)
    add_debug_arguments(invoke)
    add_parser(commands, common)
    add_sdk_parser(commands, common, invoke)
    add_serve(commands, common)
    add_resources(commands, common)
    add_stats(commands, common)
    add_cloud(commands, common)
    add_burst(invoke)
    add_compare(commands, common)
    add_tests(commands, common)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``events show`` keeps its free-form ``--param value`` pairs in ``extra``."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not (args.command == "events" and args.events_command == "show"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    return args


def run(args: argparse.Namespace) -> int:
    """Run a parsed headless command and return its exit code."""
    from .aws.session import AwsError

    try:
        if args.command == "list":
            return _list(args)
        if args.command == "invoke":
            return _invoke(args)
        if args.command == "watch":
            from .cli_watch import run as run_watch

            return run_watch(args)
        if args.command == "events":
            from .cli_events import run as run_events

            return run_events(args, args.extra)
        if args.command == "serve":
            from .cli_serve import run as run_serve

            return run_serve(args)
        if args.command == "aws":
            from .cli_resources import run as run_resources

            return run_resources(args)
        if args.command in ("insights", "tune"):
            from . import cli_cloud

            return cli_cloud.insights(args) if args.command == "insights" else cli_cloud.tune(args)
        if args.command == "stats":
            from .cli_stats import run as run_stats

            return run_stats(args)
        if args.command == "logs":
            from .cli_aws import logs

            return logs(args)
        if args.command in ("compare", "drift"):
            from .cli_compare import run_compare, run_drift

            return run_compare(args) if args.command == "compare" else run_drift(args)
        if args.command in ("export-test", "report", "test"):
            from .cli_tests import run_export, run_report, run_test

            return {"export-test": run_export, "report": run_report, "test": run_test}[args.command](args)
        if args.command == "sdk":
            from .cli_sdk import run as run_sdk

            return run_sdk(args, load_project(args).functions)
    except (UsageError, ValueError) as exc:
        print(usage_line(exc), file=sys.stderr)
        return EXIT_USAGE
    except AwsError as exc:
        print(f"svl-tui: AWS: {exc}", file=sys.stderr)
        return EXIT_USAGE
    raise AssertionError(f"unhandled command {args.command!r}")  # pragma: no cover - argparse guards this


def main(argv: list[str] | None = None) -> int:
    return run(parse(argv))


# ---- list ------------------------------------------------------------------

def _list(args: argparse.Namespace) -> int:
    """The catalogue: local functions, then deployed ones; when AWS fails the local ones still print, then why."""
    from .catalogue import Catalogue

    found = load_project(args)
    catalogue = Catalogue(found)
    if args.deployed:
        from .cli_aws import list_deployed

        list_deployed(args, catalogue)
    functions = catalogue.functions
    code = _print_list(args, found, functions)
    if catalogue.deployed_status:
        print(f"svl-tui: AWS: deployed functions not listed: {catalogue.deployed_status}", file=sys.stderr)
        return EXIT_FUNCTION_ERROR
    return code


def _print_list(args: argparse.Namespace, found: Discovery, functions: list[FunctionSpec]) -> int:
    if args.json:
        from .environment import mask_environment

        for spec in functions:  # never print secrets: tokens and passwords in configs included
            spec.environment = mask_environment(spec.environment)
        print(jsonout.dumps([spec.to_dict() for spec in functions], indent=2))
        return EXIT_OK
    if not found.functions:
        if found.errors:  # there are functions: the errors above say why none loaded
            print(f"No functions could be loaded from {found.project}: fix the errors above.", file=sys.stderr)
        else:
            print(f"No functions found in {found.project}. Add an svl.yaml (see README), a SAM template.yaml "
                  "or a serverless.yml.", file=sys.stderr)
        return EXIT_USAGE if found.errors else EXIT_OK
    from .trigger_events import summary

    rows = [("NAME", "RUNTIME", "MEMORY", "TIMEOUT", "SOURCE", "HANDLER", "TRIGGERS")]
    rows += [(s.name, s.runtime, f"{s.memory_mb} MB", f"{s.timeout_s:g} s", s.source, s.handler, summary(s))
             for s in functions]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


# ---- invoke ----------------------------------------------------------------

def _invoke(args: argparse.Namespace) -> int:
    if args.remote:
        import asyncio

        from .cli_aws import confirm, deployed_spec

        spec = deployed_spec(args, args.function)
        event = read_event(args, spec)
        confirm(spec, args)
        result = asyncio.run(_stream(spec, event, args, None, None, history_for(args)))
        return EXIT_OK if result.ok else EXIT_FUNCTION_ERROR
    if not args.mock_aws and not wanted_burst(args):
        from .cli_reuse import try_session

        reused = try_session(args)  # a running serve or UI of this project: its warm environment
        if reused is not None:
            return reused
    found = load_project(args)
    spec = find_function(found, args.function)
    event = read_event(args, spec)
    if not args.no_aws:
        fetch_layers([spec], args)
    if args.install_sdk:
        from .cli_sdk import install_for

        if not install_for(spec):
            return EXIT_FUNCTION_ERROR
    mock = start_mock(args, found)  # creates the template's resources, so spec's environment names them
    if wanted_burst(args):
        from .cli_burst import run as run_burst

        try:
            return run_burst(args, spec, event, mock.environment if mock else None, history_for(args, found))
        finally:
            if mock is not None:
                mock.stop()
    try:
        # under a debug port the engine starts the worker itself, wrapped in the debugger
        spawned = None if args.debug_port else _start_early(spec, mock.environment if mock else None)
        import asyncio  # only now: the worker's init overlaps this import, and a reused session never pays it

        result = asyncio.run(_stream(spec, event, args, spawned, mock, history_for(args, found)))
    finally:
        if mock is not None:
            if not args.json:
                for kind, names in mock.inventory().items():
                    if names:
                        Painter(sys.stderr).note(f"mock AWS {kind}: {', '.join(names)}")
            mock.stop()
    return EXIT_OK if result.ok else EXIT_FUNCTION_ERROR


def wanted_burst(args: argparse.Namespace) -> bool:
    return getattr(args, "repeat", 1) > 1 or getattr(args, "concurrency", 1) > 1


def _start_early(spec: FunctionSpec, extra_env: dict[str, str] | None) -> Spawned | None:
    """Start the execution environment now, so its init overlaps our import of asyncio and the engine."""
    from .build import BuildFailed, prepare
    from .runtimes import RuntimeUnavailable, launch_for
    from .spawn import spawn

    try:
        prepare(spec)
        launch = launch_for(spec)
        return spawn(spec, launch.command, launch.speaks_fence, {**(extra_env or {}), **launch.env})
    except (RuntimeUnavailable, BuildFailed, OSError):
        return None  # the engine reports it properly on invoke


async def _stream(spec: FunctionSpec, event: Any, args: argparse.Namespace, spawned: Spawned | None,
                  mock: MockAws | None, history: History) -> Result:
    """Run one invocation and print it as it happens."""
    from .engine import Engine

    painter = Painter(sys.stderr)
    if args.debug_port and spec.is_local:
        painter.note(f"svl-tui: {spec.name} waits for a debugger to attach on 127.0.0.1:{args.debug_port} "
                     "(timeouts suspended)")
    async with Engine(worker_env=mock.environment if mock else None, debug_port=args.debug_port,
                      aws=_aws(args) if not spec.is_local else None, history=history) as engine:
        if spawned is not None:
            engine.adopt(spec, spawned)
        return await _consume(engine, spec, event, args, painter)


def _aws(args: argparse.Namespace) -> Any:
    from .cli_aws import aws_for

    return aws_for(args)


async def _consume(engine: Any, spec: FunctionSpec, event: Any, args: argparse.Namespace,
                   painter: Painter) -> Result:
    from .cli_debug import answer, interactive

    debug = interactive(args)

    async def stop(update: DebugStop) -> None:
        await answer(engine, update, painter.stream)

    updates = engine.invoke(spec, event, invocation_type=getattr(args, "invocation_type", "RequestResponse"),
                            qualifier=getattr(args, "qualifier", None), debug=debug,
                            post_mortem=debug and args.post_mortem, chunks=not args.json)
    return await print_updates(updates, painter, as_json=args.json, quiet=args.quiet, on_stop=stop)
