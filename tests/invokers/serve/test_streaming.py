"""Streamed answers of ``serve``: a RESPONSE_STREAM function URL and InvokeWithResponseStream, chunk by chunk.

The handler (``STREAMING``) writes a first chunk and then waits for a signal file, which the test creates only
once it has read that chunk over HTTP: the rest can only come if the first went out while the handler ran.
"""

from __future__ import annotations

import asyncio
import http.client
import json
from pathlib import Path
from typing import Any

import pytest

from invokers.models import FunctionSpec, Trigger
from invokers.serve.streaming import event_message
from tests.conftest import MakeFunction
from tests.invokers.serve.conftest import serving
from tests.invokers.serve.test_lambda_api import lambda_client
from tests.invokers.test_response_streaming import STREAMING


def streaming_function(make_function: MakeFunction, mode: str = "RESPONSE_STREAM") -> FunctionSpec:
    spec = make_function(STREAMING, ext=".js", name="live", timeout_s=30)
    spec.triggers = [Trigger("function_url", "FunctionUrl", {"auth_type": "NONE", "invoke_mode": mode})]
    return spec


def read_live(port: int, path: str, signal: Path) -> tuple[int, dict[str, str], bytes, bytes]:
    """GET ``path``: status, headers, the first chunk (read before the signal is given), then the rest."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    first = response.read1(6) if response.status == 207 else b""
    signal.write_text("")
    rest = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, first, rest


async def test_a_streaming_function_url_answers_as_the_function_writes(make_function: MakeFunction) -> None:
    spec = streaming_function(make_function)
    async with serving(spec) as (server, traffic):
        status, headers, first, rest = await asyncio.to_thread(
            read_live, server.port, "/_url/live/?http=1", Path(spec.code_dir) / "go")
    assert status == 207 and headers["x-kind"] == "live" and headers["content-type"] == "text/plain"
    assert headers["transfer-encoding"] == "chunked"
    assert (first, rest) == (b"first;", b"signalled;last")
    assert [(t.face, t.status, t.function) for t in traffic] == [("url", 207, "live")]
    assert traffic[0].result is not None and traffic[0].result.ok


async def test_a_buffered_function_url_still_answers_whole(make_function: MakeFunction) -> None:
    spec = streaming_function(make_function, mode="BUFFERED")
    (Path(spec.code_dir) / "go").write_text("")  # nothing can be read before the end: let the handler run
    async with serving(spec) as (server, _traffic):
        status, headers, _first, rest = await asyncio.to_thread(
            read_live, server.port, "/_url/live/?http=1", Path(spec.code_dir) / "go")
    assert status == 207 and "transfer-encoding" not in headers and headers["x-kind"] == "live"
    assert _first + rest == b"first;signalled;last"  # the whole body at once, with the prelude's status


def invoke_streaming(url: str, name: str, signal: Path | None, **kwargs: Any) -> tuple[list[bytes], dict[str, Any]]:
    response = lambda_client(url).invoke_with_response_stream(FunctionName=name, **kwargs)
    assert response["StatusCode"] == 200
    chunks: list[bytes] = []
    complete: dict[str, Any] = {}
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
            if signal is not None:
                signal.write_text("")
        if "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    return chunks, complete


@pytest.mark.usefixtures("fake_aws_env")
async def test_invoke_with_response_stream_through_boto3(make_function: MakeFunction) -> None:
    spec = streaming_function(make_function)
    buffered = make_function("def handler(event, context):\n    return {'whole': event}\n", name="whole")
    failing = make_function("""
        exports.handler = awslambda.streamifyResponse(async (event, stream) => {
          stream.write("partial");
          throw new TypeError("broke mid-stream");
        });
    """, ext=".js", name="broken")
    async with serving(spec, buffered, failing) as (server, traffic):
        chunks, complete = await asyncio.to_thread(invoke_streaming, server.url, "live", Path(spec.code_dir) / "go",
                                                   Payload=b"{}", LogType="Tail")
        whole, whole_complete = await asyncio.to_thread(invoke_streaming, server.url, "whole", None,
                                                        Payload=json.dumps({"a": 1}))
        partial, failed = await asyncio.to_thread(invoke_streaming, server.url, "broken", None)
    assert b"".join(chunks) == b"first;signalled;last" and chunks[0] == b"first;"
    assert "ErrorCode" not in complete and "after the first chunk" in __import__("base64").b64decode(
        complete["LogResult"]).decode()
    assert (whole, whole_complete) == ([b'{"whole": {"a": 1}}'], {})
    assert partial == [b"partial"]
    assert failed["ErrorCode"] == "TypeError" and failed["ErrorDetails"] == "broke mid-stream"
    assert [(t.face, t.function, t.status) for t in traffic] == [("lambda", "live", 200), ("lambda", "whole", 200),
                                                                ("lambda", "broken", 200)]


def test_event_stream_messages_are_framed_as_aws_encodes_them() -> None:
    """botocore's own decoder reads what we write (lengths, both CRCs, string headers)."""
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(event_message({":event-type": "PayloadChunk", ":message-type": "event"}, b"\x00\x01abc"))
    message = next(iter(buffer))
    assert message.headers == {":event-type": "PayloadChunk", ":message-type": "event"}
    assert message.payload == b"\x00\x01abc"
