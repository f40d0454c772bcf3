"""The HTTP server behind ``svl-tui serve``: one port for the API routes and the Lambda Invoke API.

aiohttp serves it (a well-kept asyncio server with a C request parser); it is
imported only when something serves, so the headless CLI stays lean.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import FunctionSpec, LogRecord, ResponseChunk, Result
from .gateway import Gateway
from .lambda_api import PREFIX as LAMBDA_PREFIX
from .lambda_api import InvokeApi
from .streaming import is_stream_invoke, stream_invoke
from .traffic import Answer, Traffic

if TYPE_CHECKING:
    from aiohttp import web

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
        self._runner: web.AppRunner | None = None
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
        from aiohttp import web

        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024, reuse_address=True)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only here
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.host, self.port = host, sockets[0].getsockname()[1] if sockets else port
        return self.url

    async def close(self) -> None:
        await self.lambda_api.close()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def run(self, spec: FunctionSpec, event: Any, request_id: str,
                  on_chunk: Callable[[ResponseChunk], Awaitable[None]] | None = None) -> tuple[list[LogRecord], Result]:
        """One invocation through the engine, its log records collected for the log tail and the UI;
        ``on_chunk`` gets a streamed response's pieces as they come (``serve.streaming``)."""
        records: list[LogRecord] = []
        async for update in self.engine.invoke(spec, event, request_id=request_id, chunks=on_chunk is not None):
            if isinstance(update, Result):
                return records, update
            if isinstance(update, ResponseChunk) and on_chunk is not None:
                await on_chunk(update)
            elif isinstance(update, LogRecord):
                records.append(update)
        raise RuntimeError("invocation stream ended without a result")  # pragma: no cover - engine invariant

    def tell(self, traffic: Traffic) -> None:
        """Pass a finished request to every listener (access log, UI)."""
        for listener in list(self.listeners):
            listener(traffic)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        started = time.perf_counter()
        path = request.path
        body = await request.read()
        headers = {key.lower(): value for key, value in request.headers.items()}
        if path.startswith(SESSION_PREFIX):
            from .session_api import handle as session

            return await session(self, request, body)
        if path.startswith(LAMBDA_PREFIX):
            face = "lambda"
            answer = await self.lambda_api.handle(path, dict(request.query), headers, body)
        elif is_stream_invoke(path):
            face = "lambda"
            answer = await stream_invoke(self, request, headers, body)
        else:
            face, answer = await self.gateway.handle(request, body)
        result = answer.result
        self.tell(Traffic(
            face=face, method=request.method, path=request.path_qs, status=answer.status, function=answer.function,
            route=answer.route, duration_ms=(time.perf_counter() - started) * 1000,
            request_id=result.request_id if result else "", cold=bool(result and result.cold),
            throttled=answer.error_type == "TooManyRequestsException", error_type=answer.error_type,
            result=result, logs=answer.logs or []))
        return answer.streamed or _respond(web, answer)


def _respond(web: Any, answer: Answer) -> web.Response:
    response = web.Response(status=answer.status, body=answer.body)
    for key, value in answer.headers.items():
        response.headers[key] = value
    for key, values in answer.multi_headers.items():
        for value in values:
            response.headers.add(key, value)
    return response
