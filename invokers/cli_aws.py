"""Headless commands for deployed functions: ``list --deployed``, ``invoke --remote``, ``logs``."""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import TYPE_CHECKING, Any

from .aws.session import Aws, AwsError, AwsSettings
from .models import FunctionSpec

if TYPE_CHECKING:
    from .catalogue import Catalogue

_SINCE = re.compile(r"^(\d+)([smhd])$")


def add_arguments(listing: Any, invoke: Any, commands: Any, common: argparse.ArgumentParser) -> None:
    listing.add_argument("--deployed", action="store_true", help="also list functions deployed to AWS Lambda")
    invoke.add_argument("--remote", action="store_true", help="invoke the function deployed to AWS Lambda")
    invoke.add_argument("--type", dest="invocation_type", default="RequestResponse",
                        choices=("RequestResponse", "Event", "DryRun"), help="invocation type (deployed only)")
    invoke.add_argument("--qualifier", help="version or alias (deployed only)")
    invoke.add_argument("--yes", "-y", action="store_true", help="do not ask before invoking a deployed function")
    logs = commands.add_parser("logs", help="show or follow a deployed function's CloudWatch logs", parents=[common])
    logs.add_argument("function")
    logs.add_argument("--since", default="10m", help="how far back: 30s, 10m, 2h, 1d (default 10m)")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines (Ctrl-C stops)")


def aws_for(args: argparse.Namespace) -> Aws:
    if getattr(args, "no_aws", False):
        raise AwsError("config", "--no-aws was given, so deployed functions are off")
    return Aws(AwsSettings.from_args(args.profile, args.region))


def list_deployed(args: argparse.Namespace, catalogue: Catalogue) -> None:
    """Add the deployed functions to ``catalogue``; when AWS fails, its deployed status says why."""
    import asyncio  # not at module level: this module is imported on every command

    from .catalogue import deployed_pages

    async def collect() -> None:
        async for page in deployed_pages(aws_for(args)):
            catalogue.add_deployed(page)

    try:
        asyncio.run(collect())
    except AwsError as exc:
        catalogue.set_deployed_status(str(exc))


def deployed_spec(args: argparse.Namespace, name: str) -> FunctionSpec:
    import asyncio  # not at module level: this module is imported on every command

    from .aws.deployed import details

    return asyncio.run(details(aws_for(args), name)).spec


def confirm(spec: FunctionSpec, args: argparse.Namespace) -> None:
    """Deployed functions can have side effects: ask first, unless --yes."""
    if args.yes or args.invocation_type == "DryRun":
        return
    where = f"{spec.region or 'the default region'}" + (f", qualifier {args.qualifier}" if args.qualifier else "")
    if not sys.stdin.isatty():
        raise AwsError("confirm", f"not invoking the deployed function {spec.name} ({where}) without confirmation: "
                                  "pass --yes to allow it from a script")
    answer = input(f"Invoke the deployed function {spec.name} in {where}? It may have side effects. [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise AwsError("confirm", "not invoked")


def since_ms(text: str) -> int:
    match = _SINCE.match(text.strip())
    if not match:
        raise ValueError(f"--since {text!r}: use a number and s, m, h or d, e.g. 10m")
    seconds = int(match[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    return int((time.time() - seconds) * 1000)


def logs(args: argparse.Namespace) -> int:
    import asyncio  # not at module level: this module is imported on every command

    from .aws.cloudwatch import follow, recent
    from .cli_output import Painter

    aws = aws_for(args)
    spec = FunctionSpec(name=args.function, source="deployed", runtime="", handler="")
    painter = Painter(sys.stdout)
    start = since_ms(args.since)

    async def run() -> None:
        if not args.follow:
            for record in await recent(aws, spec, start):
                painter.log(record)
            return
        async for record in follow(aws, spec, since_ms=start):
            painter.log(record)

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0
