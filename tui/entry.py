"""The ``svl-tui`` console script: headless commands, or the terminal UI.

Headless commands never import Textual, so ``svl-tui invoke`` in a script or CI
starts as fast as the engine allows; a plain ``svl-tui invoke`` with a session
of the project running does not even import the CLI (``invokers/cli_reuse.py``).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `typing`'s: importing typing would cost the session path ~2 ms
if TYPE_CHECKING:
    from collections.abc import Callable


def main(argv: list[str] | None = None) -> int:
    from invokers.cli_reuse import TRIED, plain_invoke, through_session

    plain = plain_invoke(sys.argv[1:] if argv is None else argv)
    if plain is not None:
        _stop_on_signals()
        code = _headless(lambda: through_session(plain))
        if code is not None:
            _exit_now(code)
    from invokers import cli

    args = cli.parse(argv)
    if args.command is not None:
        setattr(args, TRIED, plain is not None)
        _stop_on_signals()
        _exit_now(_headless(lambda: cli.run(args)) or 0)
    from tui.app import run_app

    return run_app(args)


def _headless(command: Callable[[], int | None]) -> int | None:
    """Run a headless command; a closed pipe and ctrl+c end it with the shell's codes, not a traceback."""
    try:
        return command()
    except BrokenPipeError:  # `svl-tui invoke fn | head`: the reader left, which is not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a process ended by SIGPIPE
    except KeyboardInterrupt:  # ctrl+c: a message and the shell's code, not a traceback
        print("\nsvl-tui: interrupted", file=sys.stderr)
        return 130


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
    spawn = sys.modules.get("invokers.spawn")  # never imported: no worker was started (a reused session)
    if spawn is not None:
        spawn.kill_all_workers()
    history = sys.modules.get("invokers.history")
    if history is not None:  # runs the engine recorded and its writer thread has not written yet
        history.History.flush()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
