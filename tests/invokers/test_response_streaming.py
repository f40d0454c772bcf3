"""Lambda response streaming, live: a streamed response's chunks reach the consumer while the handler still runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord, ResponseChunk, Result
from invokers.runtime_api import STREAM_PRELUDE_TYPE, Invocation, RuntimeAPI
from invokers.streaming import ChunkStream
from tests.conftest import MakeFunction

# The handler writes its first chunk, then waits (up to 20 s) for the test to create a signal file, which the
# test does only once that chunk has reached it; the last chunk says whether the signal came.
STREAMING = """
    const fs = require("fs");
    const path = require("path");
    const SIGNAL = path.join(__dirname, "go");
    const signalled = async () => {
      for (let i = 0; i < 2000; i++) {
        if (fs.existsSync(SIGNAL)) return true;
        await new Promise((r) => setTimeout(r, 10));
      }
      return false;
    };
    exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
      const http = event.http || (event.queryStringParameters || {}).http; // --data, or a function URL's query
      const stream = http ? awslambda.HttpResponseStream.from(responseStream, {
        statusCode: 207, headers: { "Content-Type": "text/plain", "X-Kind": "live" } }) : responseStream;
      stream.write("first;");
      console.log("after the first chunk");
      stream.write(await signalled() ? "signalled;" : "never signalled;");
      stream.end("last");
    });
"""


async def _collect_live(engine: Engine, spec: FunctionSpec, event: dict[str, object]) \
        -> tuple[list[ResponseChunk | LogRecord], Result]:
    """Run ``spec``; when the first chunk arrives (and only then) let the handler go on."""
    seen: list[ResponseChunk | LogRecord] = []
    async for update in engine.invoke(spec, event, chunks=True):
        if isinstance(update, Result):
            return seen, update
        if isinstance(update, ResponseChunk) and not any(isinstance(s, ResponseChunk) for s in seen):
            (Path(spec.code_dir) / "go").write_text("")
        seen.append(update)  # type: ignore[arg-type]
    raise AssertionError("no result")


async def test_chunks_arrive_while_the_handler_still_runs(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(STREAMING, ext=".js", timeout_s=30)
    seen, result = await _collect_live(engine, spec, {})
    chunks = [s for s in seen if isinstance(s, ResponseChunk)]
    assert result.ok, result.error
    assert b"".join(c.data for c in chunks) == b"first;signalled;last"
    assert chunks[0].data == b"first;" and chunks[0].prelude is None
    assert result.response == "first;signalled;last"  # the Result still holds the whole response
    messages = [s.message for s in seen if isinstance(s, LogRecord)]
    assert any(m.endswith("after the first chunk") for m in messages)


async def test_http_stream_prelude_comes_with_the_first_chunk(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(STREAMING, ext=".js", timeout_s=30)
    seen, result = await _collect_live(engine, spec, {"http": True})
    chunks = [s for s in seen if isinstance(s, ResponseChunk)]
    assert chunks[0].prelude == {"statusCode": 207, "headers": {"Content-Type": "text/plain", "X-Kind": "live"}}
    assert all(c.prelude is None for c in chunks[1:])
    assert b"".join(c.data for c in chunks) == b"first;signalled;last"
    assert result.ok and result.response["statusCode"] == 207 and result.response["body"] == "first;signalled;last"


async def test_consumers_that_do_not_ask_get_no_chunks(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        exports.handler = awslambda.streamifyResponse(async (event, stream) => { stream.write("a"); stream.end("b"); });
    """, ext=".js")
    updates = [update async for update in engine.invoke(spec, {})]
    assert not any(isinstance(u, ResponseChunk) for u in updates)
    assert isinstance(updates[-1], Result) and updates[-1].response == "ab"


async def test_a_buffered_handler_yields_no_chunks_when_asked(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("exports.handler = async () => ({ whole: true });", ext=".js")
    updates = [update async for update in engine.invoke(spec, {}, chunks=True)]
    assert not any(isinstance(u, ResponseChunk) for u in updates)
    assert isinstance(updates[-1], Result) and updates[-1].response == {"whole": True}


async def test_the_runtime_api_hands_over_each_chunk_before_the_body_ends() -> None:
    """At the protocol level, with a raw chunked POST: the prelude split across pieces, then body pieces."""
    api = RuntimeAPI()
    address = await api.start()
    host_port, key = address.split("/", 1)
    host, port = host_port.split(":")
    got: list[ResponseChunk] = []
    arrived = asyncio.Event()

    async def put(chunk: ResponseChunk) -> None:
        got.append(chunk)
        arrived.set()

    invocation = Invocation("rid-7", b"{}", 0, "arn")
    invocation.on_chunk = ChunkStream("rid-7", put).feed
    api.submit(invocation)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET /{key}/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await reader.readuntil(b'{}')
    writer.write((f"POST /{key}/2018-06-01/runtime/invocation/rid-7/response HTTP/1.1\r\nHost: x\r\n"
                  "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
                  f"Content-Type: {STREAM_PRELUDE_TYPE}\r\n\r\n").encode())

    async def send(piece: bytes) -> None:
        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        await writer.drain()

    await send(b'{"statusCode": 404}\0\0\0')
    await send(b"\0\0\0\0\0hel")
    await asyncio.wait_for(arrived.wait(), 30)
    arrived.clear()
    assert [(c.prelude, c.data) for c in got] == [({"statusCode": 404}, b"hel")]
    assert not invocation.outcome.done()
    await send(b"lo")
    await asyncio.wait_for(arrived.wait(), 30)
    assert got[-1].data == b"lo" and got[-1].prelude is None and not invocation.outcome.done()
    writer.write(b"0\r\n\r\n")
    outcome = await asyncio.wait_for(invocation.outcome, 30)
    assert outcome.kind == "response" and outcome.body.endswith(b"\0" * 8 + b"hello")
    writer.close()
    await api.close()


def test_the_cli_prints_chunks_as_they_come(tmp_path: Path) -> None:
    """stdout shows the first chunk while the handler waits for it to be seen; the response is not printed twice."""
    import os
    import subprocess
    import sys
    import textwrap

    from tests.conftest import REPO

    (tmp_path / "app.js").write_text(textwrap.dedent(STREAMING))
    (tmp_path / "svl.yaml").write_text("functions:\n  fn:\n    handler: app.handler\n    runtime: nodejs20.x\n"
                                       "    timeout: 30\n")
    cli = subprocess.Popen([sys.executable, "-m", "tui.entry", "invoke", "fn", "--data", '{"http": true}'],
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert cli.stdout is not None
    first = cli.stdout.read(len(b"first;"))  # blocks until the chunk is printed (the pipe is not closed before)
    (tmp_path / "go").write_text("")
    rest, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    assert first + rest == b"first;signalled;last\n"
    assert b"streamed response: status 207, Content-Type: text/plain, X-Kind: live" in err
    assert b"REPORT RequestId" in err
