"""Streamed answers of ``serve``: function URLs in ``RESPONSE_STREAM`` mode and ``InvokeWithResponseStream``.

A function using Lambda response streaming sends its body in pieces; the
engine yields them as ``ResponseChunk``s while the handler runs. Here they
become HTTP answers that go out as they arrive:

- a function URL: chunked transfer, with the status, headers and cookies of
  the stream's HTTP prelude (``awslambda.HttpResponseStream.from``), 200 and
  ``application/octet-stream`` without one, as Lambda's function URLs answer;
- the Invoke API's ``POST /2021-11-15/functions/{name}/response-streaming-invocations``:
  an ``application/vnd.amazon.eventstream`` of ``PayloadChunk`` events and a
  final ``InvokeComplete`` (``ErrorCode``, ``ErrorDetails``, ``LogResult``), so
  boto3's ``invoke_with_response_stream`` and the JS SDK read it unchanged.

"""

from __future__ import annotations

import json
import struct
import zlib
from typing import TYPE_CHECKING, Any

from ..ids import request_id as new_request_id
from ..models import FunctionSpec, LogRecord, ResponseChunk, Result
from ..runtime_api import PRELUDE_END
from .http_connection import Responder
from .http_parser import HttpRequest
from .traffic import Answer

if TYPE_CHECKING:
    from .server import Server

STREAM_PREFIX = "/2021-11-15/functions/"
STREAM_SUFFIX = "/response-streaming-invocations"
EVENTSTREAM_TYPE = "application/vnd.amazon.eventstream"


def streams(spec: FunctionSpec) -> bool:
    """Whether the function's URL is configured for response streaming (``InvokeMode: RESPONSE_STREAM``)."""
    return any(trigger.kind == "function_url" and trigger.params.get("invoke_mode") == "RESPONSE_STREAM"
               for trigger in spec.triggers)


class UrlStream:
    """Relays one function URL invocation's chunks to the HTTP client as they come."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.response: Responder | None = None
        """Set once the first chunk has gone out: the answer is then this stream, whatever follows."""

    async def chunk(self, chunk: ResponseChunk) -> None:
        if self.response is None:
            prelude = chunk.prelude or {}
            headers = prelude.get("headers")
            sent = [(str(key), str(value)) for key, value in (
                headers if isinstance(headers, dict) and headers
                else {"Content-Type": "application/octet-stream"}).items()]
            sent.extend(("Set-Cookie", str(cookie)) for cookie in prelude.get("cookies") or [])
            await self.responder.start(_status(prelude.get("statusCode")), sent)
            self.response = self.responder
        if chunk.data:
            await self.response.write(chunk.data)

    async def finish(self) -> Responder:
        """End the body (a failure after the first byte can only cut the stream short, as on Lambda)."""
        assert self.response is not None
        await self.response.end()
        return self.response


def _status(value: Any) -> int:
    try:
        status = int(value)
    except (TypeError, ValueError):
        return 200
    return status if 100 <= status <= 599 else 200


def is_stream_invoke(path: str) -> bool:
    return path.startswith(STREAM_PREFIX) and path.endswith(STREAM_SUFFIX)


def invoke_path(path: str) -> str:
    """The ``InvokeWithResponseStream`` path as the ``Invoke`` one, to reuse its name and ARN parsing."""
    from .lambda_api import PREFIX

    return PREFIX + path[len(STREAM_PREFIX):-len(STREAM_SUFFIX)] + "/invocations"


async def stream_invoke(server: Server, request: HttpRequest, responder: Responder,
                        headers: dict[str, str]) -> Answer:
    """``InvokeWithResponseStream`` of a local function: Lambda's service errors as the Invoke API has them,
    else a 200 event stream that carries the function's own outcome in ``InvokeComplete``."""
    from urllib.parse import parse_qs

    from .lambda_api import SYNC_LIMIT, accepts, function_arn, parse_target, service_error

    body = request.body
    asked = parse_qs(request.query_string).get("Qualifier")
    target = parse_target(invoke_path(request.path), asked[0] if asked else None)
    if target is None:
        return service_error(400, "ValidationException", f"{request.path} is not a function name or ARN")
    name, qualifier = target
    spec = server.functions.get(name)
    if spec is None or not accepts(spec, qualifier):
        return service_error(404, "ResourceNotFoundException", f"Function not found: {function_arn(name, qualifier)}")
    if len(body) > SYNC_LIMIT:
        return service_error(413, "RequestTooLargeException",
                             f"Request must be smaller than {SYNC_LIMIT} bytes for the InvokeFunction operation")
    try:
        event = json.loads(body) if body.strip() else {}
    except ValueError as exc:
        return service_error(400, "InvalidRequestContentException", f"Could not parse request body into json: {exc}")
    request_id = new_request_id()
    stream = EventStream(responder, request_id)
    records, result = await server.run(spec, event, request_id, stream.chunk, qualifier=qualifier)
    error_type = "" if result.ok else str((result.error or {}).get("errorType", ""))
    if error_type == "TooManyRequestsException" and stream.response is None:
        answer = service_error(429, error_type, "Rate Exceeded.", Reason=str((result.error or {}).get("Reason", "")))
        answer.function, answer.result = name, result
        return answer
    answer = Answer(200, {}, function=name, result=result, logs=records, error_type=error_type)
    answer.streamed = await stream.finish(result, records, tail=headers.get("x-amz-log-type") == "Tail")
    return answer


class EventStream:
    """Writes one ``InvokeWithResponseStream`` answer: ``PayloadChunk``s as they come, then ``InvokeComplete``."""

    def __init__(self, responder: Responder, request_id: str) -> None:
        self.responder = responder
        self.request_id = request_id
        self.response: Responder | None = None
        self.streamed = False

    async def _open(self) -> Responder:
        if self.response is None:
            await self.responder.start(200, [("Content-Type", EVENTSTREAM_TYPE), ("X-Amz-Executed-Version", "$LATEST"),
                                             ("x-amzn-RequestId", self.request_id)])
            self.response = self.responder
        return self.response

    async def chunk(self, chunk: ResponseChunk) -> None:
        """A piece of the stream as the function wrote it (an HTTP prelude travels in the payload, as it does)."""
        data = chunk.data
        if chunk.prelude is not None:
            data = json.dumps(chunk.prelude).encode() + PRELUDE_END + data
        if data:
            await (await self._open()).write(payload_chunk(data))
            self.streamed = True

    async def finish(self, result: Result, records: list[LogRecord], tail: bool) -> Responder:
        """The last events: the whole response when nothing streamed (a buffered handler), then InvokeComplete."""
        from .lambda_api import log_tail, response_body

        response = await self._open()
        if not self.streamed and result.ok:  # nothing was streamed: the buffered answer, in one chunk
            await response.write(payload_chunk(response_body(result)))
        complete: dict[str, str] = {}
        if not result.ok:
            error = result.error or {}
            complete["ErrorCode"] = str(error.get("errorType", "Unhandled"))
            complete["ErrorDetails"] = str(error.get("errorMessage", ""))
        if tail:
            complete["LogResult"] = log_tail(records)
        await response.write(event_message({":event-type": "InvokeComplete", ":content-type": "application/json",
                                            ":message-type": "event"}, json.dumps(complete).encode()))
        await response.end()
        return response


def payload_chunk(data: bytes) -> bytes:
    return event_message({":event-type": "PayloadChunk", ":content-type": "application/octet-stream",
                          ":message-type": "event"}, data)


def event_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One message of AWS's event stream encoding: lengths, prelude CRC, string headers, payload, message CRC."""
    encoded = b"".join(struct.pack("B", len(name)) + name.encode() + b"\x07" + struct.pack(">H", len(value))
                       + value.encode() for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))
