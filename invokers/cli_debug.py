"""Debugging on the headless command line.

``svl-tui invoke`` on a terminal answers a handler's ``breakpoint()`` with the
plain pdb prompt (the worker's pdb talks over the debug channel; this module
only relays lines between it and the terminal). Without a terminal (a pipe,
CI) the engine skips breakpoints with a warning line instead. ``--debug-port``
lets an editor attach, and a failing invocation prints the failing frames'
locals under its error.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from .models import DebugStop, Result

if TYPE_CHECKING:
    from .engine import Engine

LOCALS_SHOWN = 12  # variables per frame in the terminal summary (--json has them all)


def add_arguments(invoke: argparse.ArgumentParser) -> None:
    invoke.add_argument("--debug-port", type=port_number, metavar="N",
                        help="start the function under debugpy (Python) or node --inspect-brk on 127.0.0.1:N and "
                             "wait for an editor to attach; timeouts are suspended")
    invoke.add_argument("--post-mortem", action="store_true",
                        help="on a terminal: when the handler raises, stop in pdb at the frame that raised")


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1024-65535)") from None
    if not 1024 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is outside 1024-65535 (ports below 1024 need root)")
    return port


def interactive(args: argparse.Namespace, stdin: TextIO | None = None) -> bool:
    """Breakpoints stop only when someone can answer them: a terminal, and output meant for a person."""
    stream = stdin or sys.stdin
    return bool(stream.isatty()) and not args.json and getattr(args, "event", None) != "-"


async def answer(engine: Engine, stop: DebugStop, err: TextIO = sys.stderr, stdin: TextIO | None = None) -> None:
    """Show pdb's output and prompt on the terminal, and send the typed line back."""
    if stop.output:
        err.write(stop.output if stop.output.endswith("\n") else stop.output + "\n")
    import asyncio

    err.write("(Pdb) ")
    err.flush()
    line = await asyncio.to_thread((stdin or sys.stdin).readline)
    engine.debug_send(stop.request_id, line.rstrip("\n") if line else "c")  # end of input: run on


def locals_lines(result: Result) -> list[str]:
    """The failing frames' locals as short terminal lines (innermost frame first)."""
    lines: list[str] = []
    for frame in result.error_locals or []:
        lines.append(f"locals of {frame.get('function')} ({frame.get('file')}:{frame.get('line')}):")
        variables: list[dict[str, Any]] = frame.get("locals") or []
        for node in variables[:LOCALS_SHOWN]:
            lines.append(f"  {node.get('name')} = {node.get('value')}")
        if len(variables) > LOCALS_SHOWN:
            lines.append(f"  ... {len(variables) - LOCALS_SHOWN} more (--json shows all)")
    return lines
