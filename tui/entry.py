"""The ``svl-tui`` console script: headless commands, or the terminal UI.

Headless commands never import Textual, so ``svl-tui invoke`` in a script or CI
starts as fast as the engine allows.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    from invokers import cli

    args = cli.parse(argv)
    if args.command is not None:
        try:
            code = cli.run(args)
        except BrokenPipeError:  # `svl-tui invoke fn | head`: the reader left, which is not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 141  # what a shell reports for a process ended by SIGPIPE
        _exit_now(code)
    from tui.app import run_app

    return run_app(args)


def _exit_now(code: int) -> None:
    """End a headless command without the interpreter's teardown.

    Everything is finished by now (the engine closed its workers, output is
    flushed below), and tearing down the modules costs ~40 ms on these
    machines: a fifth of a whole ``svl-tui invoke``.
    """
    from invokers.spawn import kill_all_workers

    kill_all_workers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
