"""Who is on the other end of a Runtime API connection: a process of this environment, or not (Linux).

Clients that split ``AWS_LAMBDA_RUNTIME_API`` into a host and a port
themselves (AWS's Node.js runtime interface client ``aws-lambda-ric``, Rust's
``lambda_runtime``) drop any path after the port, so a key carried as a path
prefix (``api_key``) cannot reach the server from them. For custom runtimes
on Linux the engine therefore hands out a plain ``127.0.0.1:PORT``, as Lambda
does, and checks the *peer* of each new connection instead:

1. ``/proc/net/tcp`` maps the client's address to its socket's inode and owner
   (another user's socket is refused at once);
2. the environment's processes are found by their marker (the
   ``AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT`` line every descendant inherits;
   unique while the port is bound): first the worker and its descendants by
   parentage (cheap: ``/proc/<pid>/task/*/children``), then, for a daemon that
   left the tree, every process whose environment holds the marker;
3. the connection is the environment's when one of them holds that inode
   among its open files (``/proc/<pid>/fd``).

Once per connection (clients keep them alive), off the event loop.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
from collections.abc import Iterable, Iterator

from .processes import marked

MARKER_NAME = "AWS_LAMBDA_RUNTIME_API="


def supported() -> bool:
    return sys.platform.startswith("linux") and os.path.exists("/proc/net/tcp")


def marker_for(address: str) -> str:
    """The environment line every process of a peer-checked environment carries (``address`` = host:port)."""
    return MARKER_NAME + address


def is_environment_peer(client: tuple[str, int], server: tuple[str, int], worker_pid: int, marker: str) -> bool:
    """Whether the process that opened ``client`` -> ``server`` belongs to the environment (see module doc)."""
    found = _client_socket(client, server)
    if found is None:
        return False
    inode, uid = found
    if uid != os.getuid():
        return False
    link = f"socket:[{inode}]"
    checked: set[int] = set()
    for candidates in (_tree(worker_pid), marked(marker)):
        for pid in candidates:
            if pid in checked:
                continue
            checked.add(pid)
            if _holds(pid, link) and (pid == worker_pid or _carries(pid, marker)):
                return True
    return False


def _client_socket(client: tuple[str, int], server: tuple[str, int]) -> tuple[int, int] | None:
    """(inode, uid) of the client's end of the connection ``client`` -> ``server``, from ``/proc/net/tcp``."""
    local, remote = _hex_address(*client), _hex_address(*server)
    try:
        with open("/proc/net/tcp", encoding="ascii") as table:
            next(table, None)
            for line in table:
                fields = line.split()
                if len(fields) > 9 and fields[1] == local and fields[2] == remote:
                    return int(fields[9]), int(fields[7])
    except (OSError, ValueError):
        return None
    return None


def _hex_address(host: str, port: int) -> str:
    """``127.0.0.1``, 8080 as ``/proc/net/tcp`` prints them: the address as a native-order word, then the port."""
    word = struct.unpack("=I", socket.inet_aton(host))[0]
    return f"{word:08X}:{port:04X}"


def _tree(pid: int) -> Iterator[int]:
    """``pid`` and its descendants, by the kernel's own child lists."""
    todo = [pid]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(_children(current))


def _children(pid: int) -> Iterable[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return found


def _holds(pid: int, link: str) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == link:
                return True
        except OSError:
            continue
    return False


def _carries(pid: int, marker: str) -> bool:
    """The process's environment holds the marker (a descendant cannot have shed it short of exec'ing anew)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return (marker.encode() + b"\0") in environ.read()
    except OSError:
        return False
