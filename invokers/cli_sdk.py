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


def install_for(spec: FunctionSpec, out: Any = sys.stderr) -> bool:
    """``invoke --install-sdk``: install what ``spec`` imports and lacks; False (and why) when npm failed."""
    from .node_sdk import install, missing_packages

    missing = missing_packages(spec)
    if not missing:
        return True
    print(f"svl-tui: installing {', '.join(missing)} (bundled by Lambda's {spec.runtime}) with npm...", file=out)
    done = install(missing, spec.runtime)
    print(f"svl-tui: {done.message}", file=out)
    return done.ok


def run(args: argparse.Namespace, functions: list[FunctionSpec]) -> int:
    from .node_sdk import install

    if args.sdk_command == "status":
        missing = missing_by_function(functions)
        for name, packages in missing.items():
            print(f"{name}: {', '.join(packages)}")
        if not missing:
            print("Every AWS SDK package the Node functions import resolves.")
        return EXIT_OK
    wanted: dict[str, set[str]] = {args.runtime: set(args.packages)} if args.packages else {}
    for spec in [] if args.packages else functions:
        for package in missing_by_function([spec]).get(spec.name, []):
            wanted.setdefault(spec.runtime, set()).add(package)
    if not wanted:
        print("Nothing to install: every AWS SDK package the Node functions import resolves.")
        return EXIT_OK
    status = EXIT_OK
    for runtime, names in sorted(wanted.items()):
        done = install(sorted(names), runtime)
        print(done.message, file=sys.stdout if done.ok else sys.stderr)
        status = status if done.ok else EXIT_FAILED
    return status
