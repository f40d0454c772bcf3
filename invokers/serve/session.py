"""The address file of a running session, so ``svl-tui invoke`` can use its warm environments.

A running ``serve`` (or UI) writes ``.svl/session.json`` in the project: its
URL, its process id, the project folder and a random key. The file is created
with mode 0600 and only read back when it belongs to this user, is private,
names this project, and its process is alive; the session's endpoints for the
CLI answer only callers that send the key, so another local user (or a
web page making requests to 127.0.0.1) cannot drive it. Anything else about the
file (stale, foreign, unreadable, half-written) means: run in-process as usual.

Read on the fast path of ``svl-tui invoke`` (``invokers/cli_reuse.py``), before anything else of
svl-tui is imported: only ``os``, ``stat``, ``json`` and ``time`` here (``dataclasses`` and
``pathlib`` alone cost more than a whole reused invoke may add to Python's start).
"""

from __future__ import annotations

import json
import os
import stat
import time

TYPE_CHECKING = False  # not `typing`'s: importing typing would cost the fast path ~2 ms
if TYPE_CHECKING:
    from pathlib import Path

FILENAME = "session.json"


class Session:
    """What a running session published: where it listens, its key, its process and project."""

    __slots__ = ("url", "key", "pid", "project", "started_at")

    def __init__(self, *, url: str, key: str, pid: int, project: str, started_at: float) -> None:
        self.url, self.key, self.pid, self.project, self.started_at = url, key, pid, project, started_at

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


def path_for(project: str | os.PathLike[str]) -> Path:
    from pathlib import Path

    return Path(project) / ".svl" / FILENAME


def _file_of(project: str | os.PathLike[str]) -> str:
    return os.path.join(project, ".svl", FILENAME)


def write(project: str | os.PathLike[str], url: str, key: str) -> Path:
    """Publish this process's session for ``project`` (atomically, private to this user)."""
    folder = os.path.realpath(project)
    target = path_for(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    session = Session(url=url, key=key, pid=os.getpid(), project=folder, started_at=time.time())
    temporary = target.with_name(f".{FILENAME}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(session.to_dict(), handle)
    os.replace(temporary, target)
    return target


def remove(project: str | os.PathLike[str], key: str) -> None:
    """Withdraw the session file, only if it is still ours (another session may have replaced it)."""
    target = _file_of(os.path.realpath(project))
    found = _load(target)
    if found is not None and found.key == key:
        try:
            os.unlink(target)
        except OSError:
            pass


def find(project: str | os.PathLike[str]) -> Session | None:
    """The live session of ``project``, or None when there is none that we can trust."""
    folder = os.path.realpath(project)
    found = _load(_file_of(folder))
    if found is None or found.project != folder or not _alive(found.pid):
        return None
    return found


def _load(target: str) -> Session | None:
    try:
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None  # a link, someone else's file, or readable by others: not ours to trust
        with open(target, encoding="utf-8") as handle:
            data = json.load(handle)
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
