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
        _stop_on_signals()
        try:
            code = cli.run(args)
        except BrokenPipeError:  # `svl-tui invoke fn | head`: the reader left, which is not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 141  # what a shell reports for a process ended by SIGPIPE
        except KeyboardInterrupt:  # ctrl+c: a message and the shell's code, not a traceback
            print("\nsvl-tui: interrupted", file=sys.stderr)
            code = 130
        _exit_now(code)
    from tui.app import run_app

    return run_app(args)


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP end a headless command at once, its environments with it (see ``_exit_now``),
    with the shell's code for the signal, instead of leaving the workers to notice on their own."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        _exit_now(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


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
