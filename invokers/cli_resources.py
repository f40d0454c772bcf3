"""``svl-tui aws resources``: what ``--mock-aws`` creates from the project's configuration.

Starts the embedded AWS, creates the declared resources as a session would,
prints each one (logical id, type, status, physical name, ARN or URL, why it
was skipped or failed) and stops. The UI shows the same list
(``invokers.aws.provision.listing``), with what handlers created later.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import jsonout
from .cli_output import EXIT_FUNCTION_ERROR, EXIT_OK
from .cli_project import load_project, start_mock


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    aws = commands.add_parser("aws", help="the embedded AWS of --mock-aws", parents=[common])
    sub = aws.add_subparsers(dest="aws_command", metavar="COMMAND", required=True)
    resources = sub.add_parser("resources", parents=[common],
                               help="create the project's declared resources in the embedded AWS and list them")
    resources.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    from .aws.resources import FAILED, listing

    args.mock_aws = True  # the command is about the embedded AWS: no flag needed
    found = load_project(args)
    mock = start_mock(args, found)
    assert mock is not None
    try:
        rows = listing(mock)
    finally:
        mock.stop()
    if args.json:
        print(jsonout.dumps([row.to_dict() for row in rows], indent=2))
    else:
        _print(rows, mock.provisioned.seconds if mock.provisioned else 0.0)
    return EXIT_FUNCTION_ERROR if any(row.status == FAILED for row in rows) else EXIT_OK


def _print(rows: list[Any], seconds: float) -> None:
    if not rows:
        print("No resources: the project declares none (template.yaml Resources, serverless.yml "
              "resources.Resources) and its events imply none.", file=sys.stderr)
        return
    table = [("LOGICAL ID", "TYPE", "STATUS", "NAME", "ARN / URL", "NOTE")]
    table += [(row.logical_id or "-", row.type, row.status, row.name or "-", row.url or row.arn or "-",
               row.reason) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    counts = {status: sum(1 for row in rows if row.status == status) for status in ("created", "skipped", "failed")}
    print(f"{counts['created']} created, {counts['skipped']} skipped, {counts['failed']} failed "
          f"in {seconds * 1000:.0f} ms", file=sys.stderr)
