"""The HTTP server behind ``svl-tui serve``: one port for the API routes and the Lambda Invoke API.

``http_server.py`` speaks HTTP (an ``asyncio.Protocol`` with a small parser: the
front's CPU per request bounds throughput); this module routes each request to
its face and tells the listeners what happened.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ..models import FunctionSpec, LogRecord, ResponseChunk, Result
from .gateway import Gateway
from .http_connection import Responder
from .http_parser import HttpRequest
from .http_server import HttpServer
from .lambda_api import PREFIX as LAMBDA_PREFIX
from .lambda_api import InvokeApi
from .streaming import is_stream_invoke, stream_invoke
from .traffic import Answer, Traffic

if TYPE_CHECKING:
    from ..engine import Engine

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
SESSION_PREFIX = "/_svl/"
KEY_HEADER = "x-svl-session-key"

Listener = Callable[[Traffic], None]


class Server:
    """Serves a project's functions over HTTP through an ``Engine``."""

    def __init__(self, engine: Engine, functions: list[FunctionSpec], *, key: str | None = None,
                 project: Path | None = None) -> None:
        self.engine = engine
        self.project = project or Path.cwd()
        """The project folder: saved events and event files are looked up there."""
        self._functions = {spec.name: spec for spec in functions if spec.is_local}
        self.key = key or secrets.token_urlsafe(32)
        """Callers of the session endpoints must send this (the CLI reads it from the session file)."""
        self.listeners: list[Listener] = []
        self.lambda_api = InvokeApi(lambda: self._functions, self.run)
        self.gateway = Gateway(list(self._functions.values()), self.run)
        """The API Gateway face, answering every other path."""
        self._http: HttpServer | None = None
        self.host = DEFAULT_HOST
        self.port = 0

    @property
    def functions(self) -> dict[str, FunctionSpec]:
        return self._functions

    def update(self, functions: list[FunctionSpec]) -> None:
        """New discovery results (a reload): serve these from the next request on."""
        self._functions = {spec.name: spec for spec in functions if spec.is_local}
        self.gateway.update(list(self._functions.values()))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
        """Listen on ``host:port`` (port 0 picks a free one); returns the base URL."""
        http = HttpServer(self._handle)
        self.port = await http.start(host, port)
        self._http, self.host = http, host
        return self.url

    async def close(self) -> None:
        await self.lambda_api.close()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def run(self, spec: FunctionSpec, event: Any, request_id: str,
                  on_chunk: Callable[[ResponseChunk], Awaitable[None]] | None = None, *,
                  qualifier: str | None = None) -> tuple[list[LogRecord], Result]:
        """One invocation through the engine, its log records collected for the log tail and the UI;
        ``on_chunk`` gets a streamed response's pieces as they come (``serve.streaming``); ``qualifier``
        is the alias or version an Invoke API caller named (it ends the handler's invoked ARN).

        The stream is read to its end, not left at its Result: a generator left open is closed by
        asyncio's finalizer hook, which costs a task and a wake-up of the loop (a system call) per request.
        """
        records: list[LogRecord] = []
        result: Result | None = None
        async for update in self.engine.invoke(spec, event, request_id=request_id, chunks=on_chunk is not None,
                                               qualifier=qualifier):
            if isinstance(update, Result):
                result = update
            elif isinstance(update, ResponseChunk) and on_chunk is not None:
                await on_chunk(update)
            elif isinstance(update, LogRecord):
                records.append(update)
        if result is None:  # pragma: no cover - engine invariant
            raise RuntimeError("invocation stream ended without a result")
        return records, result

    def tell(self, traffic: Traffic) -> None:
        """Pass a finished request to every listener (access log, UI)."""
        for listener in list(self.listeners):
            listener(traffic)

    async def _handle(self, request: HttpRequest, responder: Responder) -> None:
        started = time.perf_counter()
        path = request.path
        if path.startswith(SESSION_PREFIX):
            from .session_api import handle as session

            await session(self, request, responder)
            return
        if path.startswith(LAMBDA_PREFIX):
            face = "lambda"
            answer = await self.lambda_api.handle(path, dict(parse_qsl(request.query_string, keep_blank_values=True)),
                                                  _lower(request), request.body)
        elif is_stream_invoke(path):
            face = "lambda"
            answer = await stream_invoke(self, request, responder, _lower(request))
        else:
            found = await self.gateway.handle(
                request, responder, lambda face, answer: self._finish(request, responder, started, face, answer))
            if found is None:
                return  # answered before the function ended (API Gateway's integration timeout)
            face, answer = found
        self._finish(request, responder, started, face, answer)

    def _finish(self, request: HttpRequest, responder: Responder, started: float, face: str, answer: Answer) -> None:
        """Send the answer (unless it was streamed) and tell the listeners."""
        if not answer.streamed:
            _respond(responder, answer)
        result = answer.result
        self.tell(Traffic(
            face=face, method=request.method, path=request.target, status=answer.status, function=answer.function,
            route=answer.route, duration_ms=(time.perf_counter() - started) * 1000,
            request_id=result.request_id if result else "", cold=bool(result and result.cold),
            throttled=answer.error_type == "TooManyRequestsException", error_type=answer.error_type,
            result=result, logs=answer.logs or []))


def _lower(request: HttpRequest) -> dict[str, str]:
    return {key.lower(): value for key, value in request.headers}


def _respond(responder: Responder, answer: Answer) -> None:
    headers = list(answer.headers.items())
    for key, values in answer.multi_headers.items():
        headers.extend((key, value) for value in values)
    try:
        responder.send(answer.status, headers, answer.body)
    except ValueError:  # a header the function set cannot go on the wire (a line break in it)
        answer.status, answer.error_type = 502, "MalformedProxyResponse"
        responder.send(502, [("Content-Type", "application/json")], b'{"message":"Internal server error"}')
