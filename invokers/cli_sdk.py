"""``svl-tui sdk``: the AWS SDK packages Lambda's Node runtimes bundle, installed once with the user's consent.

``svl-tui sdk install`` installs what the project's Node functions import but
cannot resolve; ``svl-tui sdk install @aws-sdk/client-sqs`` names packages;
``svl-tui sdk status`` lists what is missing. ``invoke --install-sdk`` does the
install for one function before invoking it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .models import FunctionSpec

EXIT_OK = 0
EXIT_FAILED = 1


def add_parser(commands: Any, common: argparse.ArgumentParser, invoke: argparse.ArgumentParser) -> None:
    sdk = commands.add_parser("sdk", parents=[common],
                              help="install the AWS SDK packages Lambda's Node runtimes bundle (once, with npm)")
    actions = sdk.add_subparsers(dest="sdk_command", metavar="ACTION", required=True)
    install = actions.add_parser("install", parents=[common],
                                 help="install the bundled SDK packages the project's Node functions import")
    install.add_argument("packages", nargs="*", help="e.g. @aws-sdk/client-sqs (default: what the project imports)")
    install.add_argument("--runtime", default="nodejs20.x",
                         help="whose bundled SDK, when naming packages (default nodejs20.x: SDK v3)")
    actions.add_parser("status", parents=[common], help="list the bundled SDK packages the project's functions lack")
    invoke.add_argument("--install-sdk", action="store_true",
                        help="first install the AWS SDK packages Lambda bundles that the function imports")


def missing_by_function(functions: list[FunctionSpec]) -> dict[str, list[str]]:
    from .node_sdk import missing_packages

    return {spec.name: missing for spec in functions if (missing := missing_packages(spec))}


def python_lacking_boto3(functions: list[FunctionSpec]) -> dict[str, FunctionSpec]:
    """Python functions whose (older) interpreter cannot use svl-tui's boto3 and has none installed: one per version."""
    from .interpreters import InterpreterUnavailable, python_for
    from .python_path import needs_own_boto3

    lacking: dict[str, FunctionSpec] = {}
    for spec in functions:
        if spec.language != "python" or not spec.is_local:
            continue
        try:
            interpreter = python_for(spec.runtime)
        except InterpreterUnavailable:
            continue
        if needs_own_boto3(interpreter):
            lacking.setdefault(interpreter.label, spec)
    return lacking


def _install_boto3(spec: FunctionSpec, out: Any) -> bool:
    from .interpreters import python_for
    from .python_path import install_boto3

    interpreter = python_for(spec.runtime)
    print(f"svl-tui: installing boto3 for {interpreter.label} (bundled by Lambda's {spec.runtime}) with pip...",
          file=out)
    ok, message = install_boto3(interpreter)
    print(f"svl-tui: {message}", file=out)
    return ok


def install_for(spec: FunctionSpec, out: Any = sys.stderr) -> bool:
    """``invoke --install-sdk``: install what ``spec`` imports and lacks; False (and why) when npm/pip failed."""
    from .node_sdk import install, missing_packages

    if python_lacking_boto3([spec]):
        return _install_boto3(spec, out)
    missing = missing_packages(spec)
    if not missing:
        return True
    print(f"svl-tui: installing {', '.join(missing)} (bundled by Lambda's {spec.runtime}) with npm...", file=out)
    done = install(missing, spec.runtime)
    print(f"svl-tui: {done.message}", file=out)
    return done.ok


def run(args: argparse.Namespace, functions: list[FunctionSpec]) -> int:
    from .node_sdk import install

    lacking = python_lacking_boto3(functions)
    if args.sdk_command == "status":
        missing = missing_by_function(functions)
        for name, packages in missing.items():
            print(f"{name}: {', '.join(packages)}")
        for label, spec in lacking.items():
            print(f"{label} functions ({spec.runtime}): boto3 (svl-tui's own needs a newer Python)")
        if not missing and not lacking:
            print("Every AWS SDK package the Node functions import resolves.")
        return EXIT_OK
    status = EXIT_OK
    for spec in [] if args.packages else lacking.values():
        status = status if _install_boto3(spec, sys.stdout) else EXIT_FAILED
    wanted: dict[str, set[str]] = {args.runtime: set(args.packages)} if args.packages else {}
    for spec in [] if args.packages else functions:
        for package in missing_by_function([spec]).get(spec.name, []):
            wanted.setdefault(spec.runtime, set()).add(package)
    if not wanted:
        if not lacking or args.packages:
            print("Nothing to install: every AWS SDK package the Node functions import resolves.")
        return status
    for runtime, names in sorted(wanted.items()):
        done = install(sorted(names), runtime)
        print(done.message, file=sys.stdout if done.ok else sys.stderr)
        status = status if done.ok else EXIT_FAILED
    return status
