"""The Lambda Invoke API (``POST /2015-03-31/functions/{name}/invocations``) for local functions.

So ``aws lambda invoke --endpoint-url``, boto3, the JS SDK and test suites call
local functions unchanged. Answers follow Lambda's: 200 with the payload
(``X-Amz-Function-Error: Unhandled`` when the function failed), 202 for
``Event`` (queued, retried twice on error as Lambda does), 204 for ``DryRun``,
the base64 log tail for ``LogType: Tail``, and Lambda's own errors with
``x-amzn-ErrorType`` (404 ``ResourceNotFoundException``, 429
``TooManyRequestsException``, 413, 400) so SDKs raise the exceptions they know.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from ..environment import ACCOUNT_ID, region
from ..ids import request_id as new_request_id
from ..models import FunctionSpec, LogRecord, Result
from .traffic import Answer

PREFIX = "/2015-03-31/functions/"
SYNC_LIMIT = 6 * 1024 * 1024
EVENT_LIMIT = 1024 * 1024  # asynchronous invocations: 1 MB since October 2025
TAIL_BYTES = 4096
RETRY_DELAYS_S = (1.0, 2.0)
"""Lambda retries a failed asynchronous invoke twice (after about 1 and 2 minutes); locally in seconds."""

_ARN = re.compile(r"^(?:arn:aws[\w-]*:lambda:[\w-]+:)?(?:\d{12}:)?(?:function:)?(?P<name>[\w-]+)(?::(?P<q>[\w$-]+))?$")

Run = Callable[..., Awaitable[tuple[list[LogRecord], Result]]]
"""``run(spec, event, request_id, qualifier=...)``: see ``Server.run``."""


def parse_target(path: str, qualifier: str | None) -> tuple[str, str | None] | None:
    """``(name, qualifier)`` from ``/2015-03-31/functions/{FunctionName}/invocations``.

    ``FunctionName`` may be a name, ``name:qualifier``, a partial ARN
    (``123456789012:function:name``) or a full ARN, as Lambda accepts.
    """
    if not path.startswith(PREFIX) or not path.endswith("/invocations"):
        return None
    raw = unquote(path[len(PREFIX):-len("/invocations")])
    match = _ARN.match(raw)
    if match is None:
        return None
    return match.group("name"), match.group("q") or qualifier


def accepts(spec: FunctionSpec, qualifier: str | None) -> bool:
    """Whether ``qualifier`` names something the function has: ``$LATEST``, a version (when it publishes
    versions) or a declared alias. All of them run the working tree's code locally."""
    if qualifier in (None, "$LATEST"):
        return True
    assert qualifier is not None
    if qualifier.isdigit():
        return spec.versioned and int(qualifier) > 0
    return qualifier in spec.aliases


def service_error(status: int, error_type: str, message: str, **extra: str) -> Answer:
    """An error of the Lambda service itself, shaped so botocore raises ``error_type``."""
    body = {"Type": "User", "message": message, **extra}
    return Answer(status, {"Content-Type": "application/json", "x-amzn-ErrorType": error_type,
                           "x-amzn-RequestId": new_request_id()},
                  json.dumps(body).encode(), error_type=error_type)


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region()}:{ACCOUNT_ID}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def log_tail(records: list[LogRecord]) -> str:
    """Base64 of the last 4 KB of the invocation's log, as ``LogResult`` carries it."""
    text = "".join(_log_text(record) + "\n" for record in records).encode()
    return base64.b64encode(text[-TAIL_BYTES:]).decode()


def _log_text(record: LogRecord) -> str:
    if record.fields and record.stream != "platform":
        return json.dumps(record.fields, default=str)
    return record.message


def response_body(result: Result) -> bytes:
    """The function's answer as the Invoke API returns it: its JSON, or Lambda's error object."""
    value = result.response if result.ok else result.error
    return json.dumps(value).encode()


class InvokeApi:
    """Answers Invoke API requests by running local functions through ``run``."""

    def __init__(self, functions: Callable[[], dict[str, FunctionSpec]], run: Run,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> None:
        self._functions = functions
        self._run = run
        self._retry_delays = retry_delays
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, path: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Answer:
        target = parse_target(path, query.get("Qualifier"))
        if target is None:
            return service_error(400, "ValidationException",
                                 f"1 validation error detected: Value at 'functionName' failed to satisfy "
                                 f"constraint: {path} is not a function name or ARN")
        name, qualifier = target
        spec = self._functions().get(name)
        if spec is None or not accepts(spec, qualifier):
            return service_error(404, "ResourceNotFoundException",
                                 f"Function not found: {function_arn(name, qualifier)}")
        kind = headers.get("x-amz-invocation-type", "RequestResponse")
        if kind not in ("RequestResponse", "Event", "DryRun"):
            return service_error(400, "InvalidParameterValueException",
                                 f"Invalid InvocationType {kind!r}: use RequestResponse, Event or DryRun")
        limit = EVENT_LIMIT if kind == "Event" else SYNC_LIMIT
        if len(body) > limit:
            return service_error(413, "RequestTooLargeException",
                                 f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
        try:
            event = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            return service_error(400, "InvalidRequestContentException",
                                 f"Could not parse request body into json: {exc}")
        common = {"X-Amz-Executed-Version": qualifier if qualifier and qualifier.isdigit() else "$LATEST"}
        if kind == "DryRun":
            return Answer(204, {**common, "x-amzn-RequestId": new_request_id()}, function=name)
        request_id = new_request_id()
        if kind == "Event":
            task = asyncio.create_task(self._event(spec, event, qualifier))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return Answer(202, {"x-amzn-RequestId": request_id}, function=name)
        records, result = await self._run(spec, event, request_id, qualifier=qualifier)
        error_type = (result.error or {}).get("errorType", "") if not result.ok else ""
        if error_type == "TooManyRequestsException":
            error = result.error or {}
            answer = service_error(429, error_type, "Rate Exceeded.", Reason=str(error.get("Reason", "")))
            answer.function, answer.result = name, result
            return answer
        answer_headers = {**common, "Content-Type": "application/json", "x-amzn-RequestId": result.request_id}
        if not result.ok:
            answer_headers["X-Amz-Function-Error"] = "Unhandled"
        if headers.get("x-amz-log-type") == "Tail":
            answer_headers["X-Amz-Log-Result"] = log_tail(records)
        return Answer(200, answer_headers, response_body(result), function=name, result=result, logs=records,
                      error_type=error_type)

    async def _event(self, spec: FunctionSpec, event: Any, qualifier: str | None) -> None:
        """An asynchronous invoke: run it, and on a function error retry twice with delays."""
        for delay in (0.0, *self._retry_delays):
            if delay:
                await asyncio.sleep(delay)
            _records, result = await self._run(spec, event, new_request_id(), qualifier=qualifier)
            if result.ok:
                return

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
