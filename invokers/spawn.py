"""Starting worker processes, without an event loop.

Kept apart from the asyncio side (and light on imports) so the CLI can start a
function's execution environment before it has imported the rest of the
engine: the worker's init phase then overlaps the parent's own start-up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass

from . import peer
from .api_key import api_address, new_key
from .env_watch import start_watcher
from .environment import lambda_environment, shell_environment
from .models import FunctionSpec
from .processes import end_environment

LIVE_PIDS: set[int] = set()
"""Every worker process group not yet reaped, for the last-resort cleanup at exit."""
LIVE_KEYS: dict[int, str] = {}
"""Each worker's environment key (its processes' marker, see ``processes``) until its environment is ended."""
WATCHERS: dict[int, int] = {}
"""A custom runtime's watcher pipe (see ``env_watch``), per worker pid: closed when its environment is ended."""


def kill_group(pid: int) -> None:
    """End a live worker's environment: its group, its descendants, every process carrying its key."""
    end_environment(pid, LIVE_KEYS.pop(pid, ""))
    _stop_watching(pid)


def kill_marked(pid: int) -> None:
    """End what is left of a worker already reaped (its pid may be reused): the processes carrying its key."""
    key = LIVE_KEYS.pop(pid, "")
    if key:
        end_environment(0, key)
    _stop_watching(pid)


def _stop_watching(pid: int) -> None:
    """The environment is ended: its watcher (if any) sees end of file, finds nothing left, and exits."""
    fd = WATCHERS.pop(pid, -1)
    if fd >= 0:
        os.close(fd)


def kill_all_workers() -> None:
    """Last-resort cleanup at interpreter exit: nothing a worker started outlives the engine."""
    for pid in list(LIVE_KEYS):
        if pid in LIVE_PIDS:
            kill_group(pid)
        else:
            kill_marked(pid)
    for pid in list(LIVE_PIDS):
        kill_group(pid)
    LIVE_PIDS.clear()


@dataclass
class Spawned:
    """A started worker process and the socket its Runtime API will be served on.

    Spawning needs no event loop, so the CLI can start the worker first and
    import the rest of the engine while the worker runs its init phase.
    """

    process: subprocess.Popen[bytes]
    listener: socket.socket
    fence: str
    spawned_at: float
    key: str = ""
    """The environment's Runtime API key (see ``api_key``): the server must demand this one."""
    debug_socket: socket.socket | None = None
    """The engine's end of the worker's debug channel (Python workers), see ``invokers.debug``."""
    peer_marker: str = ""
    """Set when the environment got a plain ``host:port`` (custom runtimes on Linux): its processes' marker,
    which the server checks on each connection's peer instead of a key (see ``peer``)."""


def spawn(spec: FunctionSpec, command: list[str], speaks_fence: bool,
          extra_env: dict[str, str] | None = None) -> Spawned:
    """Bind the Runtime API's socket and start the worker process, synchronously.

    ``extra_env`` sits between the user's shell and Lambda's reserved names
    (the embedded mock AWS uses it); the function's own variables still win.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    host, port = listener.getsockname()[:2]
    key = new_key()
    # A custom runtime may split AWS_LAMBDA_RUNTIME_API into host and port itself (AWS's Node.js interface
    # client, Rust's lambda_runtime): where the peer can be checked it gets exactly host:port, as on Lambda.
    peer_checked = not speaks_fence and peer.supported()
    address = f"{host}:{port}" if peer_checked else api_address(host, port, key)
    marker = peer.marker_for(address) if peer_checked else key
    env = lambda_environment(spec, address, base={**shell_environment(spec), **(extra_env or {})})
    fence = "\x1esvl-fence:" + os.urandom(8).hex() + "\x1e" if speaks_fence else ""
    if fence:
        env["SVL_LOG_FENCE"] = fence
    ours = theirs = None
    if speaks_fence and spec.language == "python":  # our bootstrap: it speaks the debug channel too
        ours, theirs = socket.socketpair()
        env["SVL_DEBUG_FD"] = str(theirs.fileno())
    started = time.perf_counter()
    try:
        process = subprocess.Popen(command, cwd=spec.code_dir or None, env=env, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                   pass_fds=(theirs.fileno(),) if theirs is not None else ())
    except OSError:
        listener.close()
        if ours is not None:
            ours.close()
        raise
    finally:
        if theirs is not None:
            theirs.close()
    LIVE_PIDS.add(process.pid)
    LIVE_KEYS[process.pid] = marker
    if not speaks_fence:  # a custom bootstrap cannot notice svl-tui's death: a watcher ends its environment then
        watcher = start_watcher(process.pid, marker)
        if watcher >= 0:
            WATCHERS[process.pid] = watcher
    return Spawned(process, listener, fence, started, key, ours, marker if peer_checked else "")
