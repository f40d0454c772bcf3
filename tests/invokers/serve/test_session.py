"""The session file and the CLI reusing a running session (and ignoring stale or foreign ones)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from invokers.discovery import discover
from invokers.serve import session
from invokers.serve.client import SessionGone, run
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
        run(session.Session(url=f"http://127.0.0.1:{port}", key="k", pid=os.getpid(), project=str(tmp_path),
                            started_at=0.0), "counter", {})
    thread.join(5)


PLAIN = """
def handler(event, context):
    print("log line", event)
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"got": event}
"""


def plain_project(folder: Path) -> Path:
    (folder / "app.py").write_text(PLAIN)
    (folder / "svl.yaml").write_text("functions:\n  plain:\n    handler: app.handler\n")
    return folder


def _steady(text: str) -> list[str]:
    """Output lines without what differs between two runs (request ids, the figures of REPORT and the summary)."""
    return [re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", line) for line in text.splitlines()
            if not line.startswith(("REPORT", "ok ·", "error ·"))]


@pytest.mark.parametrize("options", [["-q"], [], ["--data", '{"fail": 1}'], ["--data", '{"n": 1}', "--json"]])
async def test_the_session_prints_what_the_in_process_cli_prints(tmp_path: Path, options: list[str]) -> None:
    """Same stdout, same log lines and the same exit code, whether the session or this process runs it."""
    folder = plain_project(tmp_path)
    alone = await cli(folder, "invoke", "plain", *options)
    async with serving(discover(folder).functions[0]) as (server, traffic):
        session.write(folder, server.url, server.key)
        reused = await cli(folder, "invoke", "plain", *options)
    assert len(traffic) == 1  # it did run in the session
    assert reused.returncode == alone.returncode == (1 if "fail" in " ".join(options) else 0)
    if "--json" in options:
        one, two = json.loads(alone.stdout), json.loads(reused.stdout)
        assert one["response"] == two["response"] == {"got": {"n": 1}}
        assert [r["message"] for r in one["logs"] if r["stream"] != "platform"] == \
               [r["message"] for r in two["logs"] if r["stream"] != "platform"]
    else:
        assert _steady(reused.stdout) == _steady(alone.stdout)
    assert _steady(reused.stderr) == _steady(alone.stderr)
    if "-q" not in options and "--json" not in options:
        assert "REPORT RequestId" in reused.stderr and " · duration " in reused.stderr


async def test_a_bad_event_is_reported_as_the_cli_reports_it(tmp_path: Path) -> None:
    folder = plain_project(tmp_path)
    (folder / "bad.json").write_text('{"a": 1,}')
    alone = await cli(folder, "invoke", "plain", "--event", "bad.json")
    async with serving(discover(folder).functions[0]) as (server, traffic):
        session.write(folder, server.url, server.key)
        reused = await cli(folder, "invoke", "plain", "--event", "bad.json")
    assert reused.returncode == alone.returncode == 2
    assert reused.stderr == alone.stderr and reused.stderr.startswith("svl-tui: error: bad.json:1:")
    assert traffic == []  # nothing was invoked


async def test_an_event_on_standard_input_reaches_the_session(tmp_path: Path) -> None:
    folder = plain_project(tmp_path)
    async with serving(discover(folder).functions[0]) as (server, traffic):
        session.write(folder, server.url, server.key)
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "tui.entry", "invoke", "plain", "-e",
                                                        "-", "-q"], cwd=folder, input='{"from": "stdin"}',
                                       capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout) == {"got": {"from": "stdin"}}
    assert len(traffic) == 1


def test_standard_input_is_kept_for_the_in_process_run_when_the_session_is_gone(tmp_path: Path) -> None:
    folder = plain_project(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers HTTP: the session looks gone
    with listener:
        session.write(folder, f"http://127.0.0.1:{listener.getsockname()[1]}", "k" * 32)
        listener.close()
        done = subprocess.run([sys.executable, "-m", "tui.entry", "invoke", "plain", "-e", "-", "-q"], cwd=folder,
                              input='{"from": "stdin"}', capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"got": {"from": "stdin"}}


async def test_a_reused_invoke_imports_no_cli_engine_or_models(tmp_path: Path) -> None:
    """The session path reads the command line itself and relays printed bytes: argparse, the CLI's modules,
    the models (dataclasses), typing and asyncio stay unimported in the client."""
    folder = plain_project(tmp_path)
    async with serving(discover(folder).functions[0]) as (server, traffic):
        session.write(folder, server.url, server.key)
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-X", "importtime", "-m", "tui.entry",
                                                        "invoke", "plain", "-q"], cwd=folder, capture_output=True,
                                       text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout) == {"got": {}} and len(traffic) == 1
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "invokers.cli_reuse" in imported and "invokers.serve.client" in imported  # the check does see them
    heavy = {"argparse", "typing", "dataclasses", "asyncio", "invokers.cli", "invokers.models", "invokers.cli_output",
             "invokers.spawn", "pathlib"}
    assert imported & heavy == set()


async def test_a_streamed_response_is_printed_live_through_the_session(tmp_path: Path) -> None:
    """The first chunk reaches the CLI's stdout while the handler (in the session) waits for it to be seen."""
    import textwrap

    from tests.invokers.test_response_streaming import STREAMING

    (tmp_path / "app.js").write_text(textwrap.dedent(STREAMING))
    (tmp_path / "svl.yaml").write_text("functions:\n  fn:\n    handler: app.handler\n    runtime: nodejs20.x\n"
                                       "    timeout: 30\n")
    async with serving(discover(tmp_path).functions[0]) as (server, traffic):
        session.write(tmp_path, server.url, server.key)
        client = subprocess.Popen([sys.executable, "-m", "tui.entry", "invoke", "fn", "--data", '{"http": true}'],
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert client.stdout is not None
        first = await asyncio.to_thread(client.stdout.read, len(b"first;"))  # blocks until the chunk is printed
        (tmp_path / "go").write_text("")
        rest, err = await asyncio.to_thread(client.communicate, timeout=60)
    assert client.returncode == 0, err
    assert first + rest == b"first;signalled;last\n"
    assert b"streamed response: status 207, Content-Type: text/plain, X-Kind: live" in err
    assert b"REPORT RequestId" in err and len(traffic) == 1


async def test_a_command_line_the_console_script_does_not_read_still_reaches_the_session(tmp_path: Path) -> None:
    """Global options before the command, combined short flags: argparse reads them, then the session runs it."""
    folder = tmp_path / "project"
    folder.mkdir()
    plain_project(folder)
    async with serving(discover(folder).functions[0]) as (server, traffic):
        session.write(folder, server.url, server.key)
        done = await cli(tmp_path, "--project", str(folder), "invoke", "plain", "-qd", '{"n": 5}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"got": {"n": 5}} and len(traffic) == 1
