"""The session file and the CLI reusing a running session (and ignoring stale or foreign ones)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from invokers.discovery import discover
from invokers.serve import session
from invokers.serve.client import SessionGone, invoke
from tests.invokers.serve.conftest import serving

HANDLER = """
import os
CALLS = 0
def handler(event, context):
    global CALLS
    CALLS += 1
    print("called", CALLS)
    return {"pid": os.getpid(), "calls": CALLS, "event": event}
"""


def project(folder: Path) -> Path:
    (folder / "app.py").write_text(HANDLER)
    (folder / "svl.yaml").write_text("functions:\n  counter:\n    handler: app.handler\n"
                                     "    event: {\"default\": true}\n")
    return folder


def test_written_session_is_found_while_its_process_lives(tmp_path: Path) -> None:
    session.write(tmp_path, "http://127.0.0.1:9", "k" * 32)
    found = session.find(tmp_path)
    assert found is not None and found.pid == os.getpid() and found.url == "http://127.0.0.1:9"
    assert (session.path_for(tmp_path).stat().st_mode & 0o777) == 0o600


def test_stale_foreign_and_broken_session_files_are_ignored(tmp_path: Path) -> None:
    path = session.write(tmp_path, "http://127.0.0.1:9", "k" * 32)
    data = json.loads(path.read_text())

    def rewrite(**changes: object) -> None:
        path.write_text(json.dumps({**data, **changes}))
        path.chmod(0o600)

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    rewrite(pid=int(dead.stdout))
    assert session.find(tmp_path) is None  # its process is gone
    rewrite(project=str(tmp_path / "elsewhere"))
    assert session.find(tmp_path) is None  # another project's session
    rewrite(key="short")
    assert session.find(tmp_path) is None
    rewrite()
    path.chmod(0o644)
    assert session.find(tmp_path) is None  # readable by others: someone else could have written it
    path.write_text("{half a file")
    path.chmod(0o600)
    assert session.find(tmp_path) is None


def test_remove_leaves_another_sessions_file(tmp_path: Path) -> None:
    session.write(tmp_path, "http://127.0.0.1:9", "a" * 32)
    session.remove(tmp_path, "b" * 32)
    assert session.find(tmp_path) is not None
    session.remove(tmp_path, "a" * 32)
    assert not session.path_for(tmp_path).exists()


async def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "tui.entry", *args], cwd=folder,
                                   capture_output=True, text=True, timeout=60)


async def test_invoke_runs_in_the_running_session_warm_and_shows_there(tmp_path: Path) -> None:
    folder = project(tmp_path)
    spec = discover(folder).functions[0]
    async with serving(spec) as (server, traffic):
        session.write(folder, server.url, server.key)
        first = await cli(folder, "invoke", "counter", "--json")
        second = await cli(folder, "invoke", "counter", "--data", '{"n": 2}')
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert first.returncode == 0 and second.returncode == 0
    assert one["response"]["event"] == {"default": True} and one["cold"]
    assert two == {"pid": one["response"]["pid"], "calls": 2, "event": {"n": 2}}  # same warm environment
    assert "called 2" in second.stderr and "warm" in second.stderr
    assert [(t.face, t.function) for t in traffic] == [("cli", "counter"), ("cli", "counter")]


async def test_invoke_with_a_wrong_key_runs_in_process(tmp_path: Path) -> None:
    folder = project(tmp_path)
    spec = discover(folder).functions[0]
    async with serving(spec) as (server, traffic):
        session.write(folder, server.url, "not-the-key-of-this-session")
        done = await cli(folder, "invoke", "counter", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["response"]["calls"] == 1
    assert traffic == []


async def test_invoke_after_the_session_stopped_runs_in_process(tmp_path: Path) -> None:
    folder = project(tmp_path)
    spec = discover(folder).functions[0]
    async with serving(spec) as (server, _):
        session.write(folder, server.url, server.key)
    done = await cli(folder, "invoke", "counter", "-q")  # the file names a live pid (ours) but nothing listens
    assert done.returncode == 0 and json.loads(done.stdout)["calls"] == 1


def test_a_port_that_does_not_speak_http_is_a_gone_session(tmp_path: Path) -> None:
    """Another program now holds the session's port: the CLI gives up on it at once and runs in-process."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        peer, _ = listener.accept()
        with peer:
            peer.recv(65536)
            peer.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    with listener, pytest.raises(SessionGone, match="not an HTTP answer"):
        invoke(session.Session(url=f"http://127.0.0.1:{port}", key="k", pid=os.getpid(), project=str(tmp_path),
                               started_at=0.0), "counter", {})
    thread.join(5)
