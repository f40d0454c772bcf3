"""The Runtime API belongs to one environment: other local processes are refused; its parser survives any bytes."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invokers.engine import Engine
from invokers.http_wire import Body, parse_head
from invokers.models import LogRecord
from invokers.runtime_api import Invocation, RuntimeAPI
from tests.conftest import MakeFunction
from tests.waiting import until

# Another process on the machine that found the port (ss -ltn shows it): it waits for the next event,
# then answers it with a forged response.
ATTACKER = textwrap.dedent("""\
    import json, socket, sys
    host, port = sys.argv[1].split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    print("waiting", flush=True)
    reply = sock.makefile("rb")
    status = reply.readline().decode().split()[1]
    headers = {}
    while True:
        line = reply.readline().decode().strip()
        if not line:
            break
        key, _, value = line.partition(":")
        headers[key.lower()] = value.strip()
    body = reply.read(int(headers.get("content-length", 0)))
    print(status, body.decode(), flush=True)
    if status == "200":
        forged = json.dumps({"forged": True}).encode()
        rid = headers["lambda-runtime-aws-request-id"]
        sock.sendall(f"POST /2018-06-01/runtime/invocation/{rid}/response HTTP/1.1\\r\\n"
                     f"Content-Length: {len(forged)}\\r\\n\\r\\n".encode() + forged)
        print("forged", reply.readline().decode().strip(), flush=True)
""")


async def test_another_local_process_can_neither_take_nor_answer_an_invocation(make_function: MakeFunction,
                                                                              engine: Engine) -> None:
    spec = make_function("""
        def handler(event, context):
            return {"real": event["n"]}
    """)
    _, warm = await engine.invoke_collect(spec, {"n": 0})
    assert warm.ok
    api = engine._pools[spec.name].idle[-1].api
    assert api is not None
    address = api.address  # the port an attacker would find
    host_port = address.split("/")[0]
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, host_port], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    loop = asyncio.get_running_loop()
    assert attacker.stdout is not None
    assert (await loop.run_in_executor(None, attacker.stdout.readline)).strip() == "waiting"
    await until(lambda: api.refused == 1, what="the attacker's request refused")  # before any event is queued
    verdict_line = loop.run_in_executor(None, attacker.stdout.readline)
    results = []
    records: list[LogRecord] = []
    for n in (1, 2):
        found, result = await engine.invoke_collect(spec, {"n": n})
        records += found
        results.append(result)
    verdict = (await asyncio.wait_for(verdict_line, 10)).strip()
    attacker.kill()
    attacker.wait()
    assert verdict.startswith("403"), verdict
    assert [r.response for r in results] == [{"real": 1}, {"real": 2}]
    refused = [r for r in records if "refused a Runtime API request" in r.message]
    assert len(refused) == 1 and refused[0].stream == "platform" and refused[0].level == "WARN"
    assert "/2018-06-01/runtime/invocation/next" in refused[0].message


async def _serving() -> tuple[RuntimeAPI, str, str, int]:
    """A started Runtime API: it, its ``AWS_LAMBDA_RUNTIME_API`` value, and its host and port alone."""
    api = RuntimeAPI()
    address = await api.start()
    host, port = address.split("/")[0].split(":")
    return api, address, host, int(port)


async def test_a_request_without_the_key_is_refused_and_its_body_never_read() -> None:
    api, address, host, port = await _serving()
    invocation = Invocation("rid-1", b"{}", 0, "arn")
    api.submit(invocation)
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /2018-06-01/runtime/invocation/rid-1/response HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n")
    await writer.drain()
    reply = await asyncio.wait_for(reader.read(), 10)  # the server closes the connection: read() ends
    writer.close()
    assert reply.startswith(b"HTTP/1.1 403 Forbidden") and b"AccessDeniedException" in reply
    assert api.refused == 1 and not invocation.outcome.done()
    await api.close()


async def test_pipelined_requests_are_answered_in_order() -> None:
    """A client may send its next requests before the answers come: each waits its turn, none is lost; answers
    written while a pipelined ``GET /next`` waits go out with its event."""
    api, address, host, port = await _serving()
    api.submit(Invocation("rid-1", b'{"n": 1}', 0, "arn"))
    key = "/" + address.split("/", 1)[1]
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {key}/2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n"
                 f"POST {key}/2018-06-01/runtime/invocation/rid-1/response HTTP/1.1\r\nContent-Length: 4\r\n\r\n"
                 f"\"ok\"GET {key}/2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n".encode())
    await writer.drain()
    api.submit(second := Invocation("rid-2", b'{"n": 2}', 0, "arn"))  # for the third request
    first = await asyncio.wait_for(reader.readuntil(b'{"n": 1}'), 10)
    accepted = await asyncio.wait_for(reader.readuntil(b'{"status":"OK"}'), 10)
    third = await asyncio.wait_for(reader.readuntil(b'{"n": 2}'), 10)
    assert first.startswith(b"HTTP/1.1 200") and b"Lambda-Runtime-Aws-Request-Id: rid-1" in first
    assert accepted.startswith(b"HTTP/1.1 202")
    assert third.startswith(b"HTTP/1.1 200") and b"Lambda-Runtime-Aws-Request-Id: rid-2" in third
    assert not second.outcome.done()
    writer.close()
    await api.close()


async def test_an_answer_and_the_next_request_sent_together_are_answered_with_the_next_event() -> None:
    """Our bootstraps post an answer and ask for the next event in one write: the 202 and the event come
    together once there is an event; a client that waits for its 202 gets it at once."""
    api, address, host, port = await _serving()
    key = "/" + address.split("/", 1)[1]
    reader, writer = await asyncio.open_connection(host, port)
    api.submit(one := Invocation("rid-1", b'{"n": 1}', 0, "arn"))
    writer.write(f"GET {key}/2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n".encode())
    await asyncio.wait_for(reader.readuntil(b'{"n": 1}'), 10)
    writer.write(f"POST {key}/2018-06-01/runtime/invocation/rid-1/response HTTP/1.1\r\nContent-Length: 4\r\n\r\n"
                 f"\"ok\"GET {key}/2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n".encode())
    assert (await asyncio.wait_for(one.outcome, 10)).body == b'"ok"'  # the answer counts at once
    api.submit(Invocation("rid-2", b'{"n": 2}', 0, "arn"))
    both = await asyncio.wait_for(reader.readuntil(b'{"n": 2}'), 10)
    assert both.startswith(b"HTTP/1.1 202") and b"HTTP/1.1 200" in both and b"rid-2" in both
    writer.write(f"POST {key}/2018-06-01/runtime/invocation/rid-2/response HTTP/1.1\r\nContent-Length: 1\r\n\r\n"
                 "1".encode())
    assert (await asyncio.wait_for(reader.readuntil(b'{"status":"OK"}'), 10)).startswith(b"HTTP/1.1 202")
    writer.close()
    await api.close()


async def test_a_custom_runtime_using_curl_keeps_working_and_large_posts_do_not_stall(tmp_path: Path) -> None:
    """curl asks ``Expect: 100-continue`` before a body over 1 MB, and waits a second for an answer."""
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(textwrap.dedent("""\
        #!/bin/sh
        set -eu
        while true; do
          HEADERS="$(mktemp)"
          curl -sS -D "$HEADERS" -o /dev/null "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next"
          ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
          head -c 2000000 /dev/zero | tr '\\0' 'a' | sed 's/^/"/; s/$/"/' > "$HEADERS.body"
          curl -sS -o /dev/null -X POST --data-binary @"$HEADERS.body" \\
            "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$ID/response"
          echo "posted $(date +%s%N)"
        done
    """))
    bootstrap.chmod(0o755)
    from invokers.models import FunctionSpec

    spec = FunctionSpec(name="curl", source="svl.yaml", runtime="provided.al2023", handler="x.y",
                        code_dir=str(tmp_path))
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.ok and result.response == "a" * 2_000_000


async def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    api, address, host, port = await _serving()
    invocation = Invocation("rid-1", b"{}", 0, "arn")
    api.submit(invocation)
    loop = asyncio.get_running_loop()

    def client() -> tuple[bytes, bytes]:
        with socket.create_connection((host, port), timeout=10) as sock:
            path = "/" + address.split("/", 1)[1]
            sock.sendall(f"GET {path}/2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n".encode())
            sock.recv(65536)
            sock.sendall(f"POST {path}/2018-06-01/runtime/invocation/rid-1/response HTTP/1.1\r\n"
                         "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n".encode())
            interim = sock.recv(65536)  # nothing is sent until the server says go on
            sock.sendall(b"{}")
            return interim, sock.recv(65536)

    interim, final = await loop.run_in_executor(None, client)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert final.startswith(b"HTTP/1.1 202") and (await invocation.outcome).body == b"{}"
    await api.close()


# ---- the parser: property-based --------------------------------------------------------------

def _parse(data: bytes, pieces: int = 1) -> object:
    """One request parsed from ``data`` fed in ``pieces`` parts, as the server's protocol feeds it: the
    request, None while incomplete, or the ValueError that drops the connection."""
    buffer = bytearray()
    step = max(1, -(-len(data) // pieces))
    head: tuple[str, str, dict[str, str]] | None = None
    body: Body | None = None
    try:
        for start in range(0, max(len(data), 1), step):
            buffer += data[start:start + step]
            if head is None:
                head = parse_head(buffer)
                if head is None:
                    continue
                body = Body(head[2])
            assert body is not None
            body.feed(buffer)
            if body.done:
                return head[0], head[1], body.headers, bytes(body.data)
        return None
    except ValueError as exc:  # the one way a bad request is refused
        return exc


_TOKEN = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"), min_size=1, max_size=20)
_VALUE = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(str.strip)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_parse_or_are_refused_cleanly(data: bytes) -> None:
    result = _parse(data)
    assert result is None or isinstance(result, (tuple, ValueError))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([b"GET / HTTP/1.1\r\n", b"POST /x HTTP/1.1\r\n", b""]),
       headers=st.lists(st.tuples(st.sampled_from(["Content-Length", "Transfer-Encoding", "Expect", "X"]),
                                  st.sampled_from(["0", "-1", "5", "+3", "1e3", " 7", "chunked", "99999999999",
                                                   "0x10", "٣", "100-continue", ""])), max_size=4),
       body=st.binary(max_size=300))
def test_hostile_headers_parse_or_are_refused_cleanly(prefix: bytes, headers: list[tuple[str, str]],
                                                      body: bytes) -> None:
    head = prefix + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n"
    result = _parse(head + body)
    assert result is None or isinstance(result, (tuple, ValueError))
    if isinstance(result, tuple):
        length = result[3]
        assert isinstance(length, bytes) and len(length) <= len(body)


@settings(max_examples=200, deadline=None)
@given(method=st.sampled_from(["GET", "POST"]), path=_TOKEN.map(lambda t: "/" + t),
       headers=st.dictionaries(_TOKEN.map(str.lower).filter(
           lambda k: k not in ("content-length", "transfer-encoding", "expect")), _VALUE, max_size=5),
       body=st.binary(max_size=2000), chunked=st.booleans(), splits=st.integers(1, 40))
def test_well_formed_requests_round_trip(method: str, path: str, headers: dict[str, str], body: bytes,
                                         chunked: bool, splits: int) -> None:
    """Whole, or in any number of pieces (as TCP may deliver them)."""
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        pieces = [body[i:i + 700] for i in range(0, len(body), 700)]
        encoded = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        encoded = body
    result = _parse(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + encoded, splits)
    assert isinstance(result, tuple)
    got_method, got_path, got_headers, got_body = result
    assert (got_method, got_path, got_body) == (method, path, body)
    assert all(got_headers[k] == v for k, v in headers.items())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=3))
def test_the_server_keeps_serving_its_worker_after_garbage(garbage: list[bytes]) -> None:
    async def go() -> None:
        api, address, host, port = await _serving()
        for junk in garbage:
            _, writer = await asyncio.open_connection(host, port)
            writer.write(junk)
            await writer.drain()
            writer.close()
        api.submit(Invocation("rid-1", b'{"ok": 1}', 0, "arn"))
        reader, writer = await asyncio.open_connection(host, port)
        key_path = "/" + address.split("/", 1)[1]
        writer.write(f"GET {key_path}/2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n".encode())
        reply = await asyncio.wait_for(reader.readuntil(b'{"ok": 1}'), 10)
        writer.close()
        assert reply.startswith(b"HTTP/1.1 200")
        await api.close()

    asyncio.run(go())
