"""Custom runtimes get a plain ``host:port`` (clients that split it work); the peer check keeps others out."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

from invokers import peer
from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord
from tests.invokers.test_runtime_api_guard import ATTACKER

# A custom runtime that reads AWS_LAMBDA_RUNTIME_API the way AWS's Node.js interface client does (split at ':',
# exactly two parts, an integer port) and builds its own paths, as Rust's lambda_runtime does. With "child"
# the answer is posted by a child process, as a curl-based bootstrap does.
SPLITTER = f"""#!{sys.executable}
import http.client, json, os, subprocess, sys
value = os.environ["AWS_LAMBDA_RUNTIME_API"]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "address.txt"), "w") as out:
    out.write(value)
parts = value.split(":")
if len(parts) != 2 or not parts[1].isdigit():
    sys.exit(f"Invalid hostnamePort: {{value}}")
host, port = parts[0], int(parts[1])
connection = http.client.HTTPConnection(host, port)
while True:
    connection.request("GET", "/2018-06-01/runtime/invocation/next")
    reply = connection.getresponse()
    event = json.loads(reply.read())
    request_id = reply.getheader("Lambda-Runtime-Aws-Request-Id")
    body = json.dumps({{"echo": event["n"], "by": "child" if event.get("child") else "bootstrap"}})
    path = f"/2018-06-01/runtime/invocation/{{request_id}}/response"
    if event.get("child"):
        subprocess.run([sys.executable, "-c", "import http.client, sys; c = http.client.HTTPConnection(sys.argv[1], "
                        "int(sys.argv[2])); c.request('POST', sys.argv[3], sys.argv[4]); c.getresponse().read()",
                        host, str(port), path, body], check=True)
    else:
        connection.request("POST", path, body)
        connection.getresponse().read()
"""


def splitting_runtime(tmp_path: Path) -> FunctionSpec:
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(SPLITTER)
    bootstrap.chmod(0o755)
    return FunctionSpec(name="split", source="template.yaml", runtime="provided.al2023", handler="bootstrap",
                        code_dir=str(tmp_path), timeout_s=10)


async def test_a_client_that_splits_host_and_port_runs_unchanged(tmp_path: Path, engine: Engine) -> None:
    spec = splitting_runtime(tmp_path)
    _, result = await engine.invoke_collect(spec, {"n": 1})
    _, by_child = await engine.invoke_collect(spec, {"n": 2, "child": True})
    assert result.ok, result.error
    assert result.response == {"echo": 1, "by": "bootstrap"}
    assert by_child.ok and by_child.response == {"echo": 2, "by": "child"} and not by_child.cold
    host, port = (tmp_path / "address.txt").read_text().split(":")  # exactly host:port, as on Lambda
    assert host == "127.0.0.1" and port.isdigit()


async def test_another_process_is_still_refused_and_logged(tmp_path: Path, engine: Engine) -> None:
    spec = splitting_runtime(tmp_path)
    _, warm = await engine.invoke_collect(spec, {"n": 0})
    assert warm.ok
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, (tmp_path / "address.txt").read_text()],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    loop = asyncio.get_running_loop()
    assert attacker.stdout is not None
    assert (await loop.run_in_executor(None, attacker.stdout.readline)).strip() == "waiting"
    records: list[LogRecord] = []
    verdict_line = loop.run_in_executor(None, attacker.stdout.readline)
    results = []
    for n in (1, 2):
        found, result = await engine.invoke_collect(spec, {"n": n})
        records += found
        results.append(result)
    verdict = (await asyncio.wait_for(verdict_line, 30)).strip()
    attacker.kill()
    attacker.wait()
    assert verdict.startswith("403"), verdict
    # The refusal is logged before the 403 is sent, during invocation 1 or 2 or (its check runs off the loop)
    # after them: then it waits for the next invocation's log, as output written between invocations does.
    found, _ = await engine.invoke_collect(spec, {"n": 3})
    records += found
    assert [r.response for r in results] == [{"echo": 1, "by": "bootstrap"}, {"echo": 2, "by": "bootstrap"}]
    refused = [r for r in records if "refused a Runtime API request" in r.message]
    assert len(refused) == 1 and refused[0].level == "WARN" and "not a process of this environment" in \
        refused[0].message


def test_the_peer_of_a_connection_is_found_by_its_socket() -> None:
    """This process holds the client end: it is the peer; a process holding nothing of it is not."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    accepted, _ = server.accept()
    marker = peer.marker_for(f"127.0.0.1:{server.getsockname()[1]}")
    stranger = subprocess.Popen(["sleep", "30"])
    try:
        assert peer.is_environment_peer(client.getsockname(), server.getsockname(), os.getpid(), marker)
        assert not peer.is_environment_peer(client.getsockname(), server.getsockname(), stranger.pid, marker)
        assert not peer.is_environment_peer(("127.0.0.1", 1), server.getsockname(), os.getpid(), marker)
    finally:
        stranger.kill()
        stranger.wait()
        for sock in (client, accepted, server):
            sock.close()
