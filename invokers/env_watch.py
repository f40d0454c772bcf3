"""A watcher for environments whose runtime cannot watch svl-tui itself (custom ``bootstrap`` executables).

Our Python and Node bootstraps notice the engine's death (their stdin closes)
and end their own environment. A Go, Rust or shell ``bootstrap`` knows nothing
of svl-tui, so after ``kill -9`` of svl-tui it would poll a dead Runtime API,
or sleep forever with the daemons its handler started. Each such environment
therefore gets a tiny watcher process: it blocks on a pipe whose only writer is
svl-tui, and when that pipe reaches end of file (svl-tui exited, however it
died, or the engine ended the environment and closed it) it ends every process
of the environment the way the engine does (``processes.end_environment``: the
marker every descendant inherits, the worker's group and descendants).

Why a process and not ``PR_SET_PDEATHSIG``: the death signal reaches only the
direct child (not the daemons a handler double-forks), it is Linux-only, and
it fires when the *thread* that forked exits, which in an asyncio program may
be a short-lived executor thread. A pipe's end of file is portable and exact.

The watcher runs as ``python -S`` on svl-tui's interpreter with a clean
environment (it must not carry the key it hunts for) in a session of its own
(a terminal's ctrl+c is for svl-tui to handle), and imports only this module
and ``processes``: a start costs a few milliseconds, off the invoke's path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
_MAIN = (f"import sys; sys.path.insert(0, {_ROOT!r}); "
         "from invokers.env_watch import main; main(sys.argv[1:])")


def start_watcher(pid: int, key: str) -> int:
    """Start the watcher of environment ``pid``/``key``; returns the pipe's write end, to close when it ends.

    Returns -1 when no watcher could be started (the engine still ends the
    environment on every path but ``kill -9`` of svl-tui).
    """
    read_end, write_end = os.pipe()
    try:
        subprocess.Popen([sys.executable, "-S", "-c", _MAIN, str(read_end), str(pid), key],
                         env={"PATH": os.defpath}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, pass_fds=(read_end,), start_new_session=True, close_fds=True)
    except OSError:
        os.close(write_end)
        return -1
    finally:
        os.close(read_end)
    return write_end


def main(argv: list[str]) -> None:
    """``<fd> <pid> <key>``: wait for end of file on ``fd``, then end the environment."""
    from .processes import end_environment, marked

    fd, pid, key = int(argv[0]), int(argv[1]), argv[2]
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass
    # The worker's pid may have been reused once it was reaped: only a process still marked is ours.
    end_environment(pid if pid in set(marked(key)) else 0, key)
