"""The address file of a running session, so ``svl-tui invoke`` can use its warm environments.

A running ``serve`` (or UI) writes ``.svl/session.json`` in the project: its
URL, its process id, the project folder and a random key. The file is created
with mode 0600 and only read back when it belongs to this user, is private,
names this project, and its process is alive; the session's endpoints for the
CLI answer only callers that send the key, so another local user (or a
web page making requests to 127.0.0.1) cannot drive it. Anything else about the
file (stale, foreign, unreadable, half-written) means: run in-process as usual.

Kept free of asyncio and third-party imports: the CLI reads it on its fast path.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import asdict, dataclass
from pathlib import Path

FILENAME = "session.json"


@dataclass
class Session:
    url: str
    key: str
    pid: int
    project: str
    started_at: float


def path_for(project: Path) -> Path:
    return project / ".svl" / FILENAME


def write(project: Path, url: str, key: str) -> Path:
    """Publish this process's session for ``project`` (atomically, private to this user)."""
    project = project.resolve()
    target = path_for(project)
    target.parent.mkdir(parents=True, exist_ok=True)
    session = Session(url=url, key=key, pid=os.getpid(), project=str(project), started_at=time.time())
    temporary = target.with_name(f".{FILENAME}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(asdict(session), handle)
    os.replace(temporary, target)
    return target


def remove(project: Path, key: str) -> None:
    """Withdraw the session file, only if it is still ours (another session may have replaced it)."""
    target = path_for(project.resolve())
    found = _load(target)
    if found is not None and found.key == key:
        try:
            target.unlink()
        except OSError:
            pass


def find(project: Path) -> Session | None:
    """The live session of ``project``, or None when there is none that we can trust."""
    project = project.resolve()
    found = _load(path_for(project))
    if found is None or found.project != str(project) or not _alive(found.pid):
        return None
    return found


def _load(target: Path) -> Session | None:
    try:
        info = target.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None  # a link, someone else's file, or readable by others: not ours to trust
        data = json.loads(target.read_text(encoding="utf-8"))
        session = Session(url=str(data["url"]), key=str(data["key"]), pid=int(data["pid"]),
                          project=str(data["project"]), started_at=float(data["started_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not session.url.startswith("http://") or len(session.key) < 16:
        return None
    return session


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # a process of another user took the id over
    return True
