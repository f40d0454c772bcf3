"""The API Gateway face of ``serve``: routes, payloads, API Gateway's own answers.

A request is matched against the route table, turned into the event its API
kind sends (REST 1.0, HTTP API 2.0 or 1.0, function URL, Azure HTTP), run
through the engine, and answered as that API would answer: the handler's
proxy response, or API Gateway's own errors (403 ``Missing Authentication
Token`` / 404 ``Not Found`` for an unknown route, 502/500 for a failed or
malformed answer, 504/503 after the integration timeout, 429 when throttled).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..models import FunctionSpec, LogRecord, Result
from . import cors, payloads
from .authorizers import Authorizers, authorizer_notes
from .http_connection import Responder
from .http_parser import HttpRequest
from .payloads import HttpAnswer, Request
from .routes import URL_PREFIX, Match, RouteTable
from .streaming import UrlStream, streams
from .traffic import Answer

REST_TIMEOUT_S = 29.0  # API Gateway's integration timeout
HTTP_API_TIMEOUT_S = 30.0

Run = Callable[..., Awaitable[tuple[list[LogRecord], Result]]]
"""``run(spec, event, request_id[, on_chunk])``: see ``Server.run``."""
Early = Callable[[str, Answer], None]
"""Sends ``(face, answer)`` while the function still runs (the integration timeout's answer)."""

_ERRORS = {
    # kind: (failed, timed out) answers
    "api": ((502, {"message": "Internal server error"}), (504, {"message": "Endpoint request timed out"})),
    "http_api": ((500, {"message": "Internal Server Error"}), (503, {"message": "Service Unavailable"})),
    "function_url": ((502, {"message": "Internal Server Error"}), (504, {"message": "Endpoint request timed out"})),
    "azure_http": ((500, {"message": "Internal Server Error"}), (504, {"message": "Gateway Timeout"})),
}


class Gateway:
    """Answers HTTP requests on the project's API routes by invoking the functions behind them."""

    def __init__(self, functions: list[FunctionSpec], run: Run, *, rest_timeout_s: float = REST_TIMEOUT_S,
                 http_timeout_s: float = HTTP_API_TIMEOUT_S) -> None:
        self._run = run
        self.rest_timeout_s = rest_timeout_s
        self.http_timeout_s = http_timeout_s
        self.authorizers = Authorizers(lambda: self._functions, run)
        self.update(functions)

    def update(self, functions: list[FunctionSpec]) -> None:
        self._functions = {spec.name: spec for spec in functions}
        self.table = RouteTable(functions)
        self.authorizers.clear()

    def describe(self, base_url: str) -> list[str]:
        """One line per route, for the start-up banner."""
        lines = []
        for route in self.table.routes:
            if route.kind == "function_url":
                lines.append(f"function URL  {base_url}{URL_PREFIX}{route.function}/ -> {route.function}")
            else:
                kind = {"api": "REST API", "http_api": "HTTP API", "azure_http": "Azure HTTP"}[route.kind]
                lines.append(f"{kind:<13} {route.method:<6} {base_url}{route.path} -> {route.function}")
        lines.extend(authorizer_notes(self.table.routes))
        return lines

    async def handle(self, request: HttpRequest, responder: Responder, early: Early) -> tuple[str, Answer] | None:
        """``(face, answer)`` for ``request``, or None when ``early`` got the answer before the function ended."""
        host = request.host or responder.local_host
        incoming = Request(method=request.method, path=request.path, query_string=request.query_string,
                           headers=request.headers, body=request.body, source_ip=responder.peer, host=host)
        return await self.answer(incoming, f"http://{host}", early, UrlStream(responder))

    async def answer(self, request: Request, base_url: str, early: Early,
                     stream: UrlStream | None = None) -> tuple[str, Answer] | None:
        preflight = cors.preflight(self.table, request)
        if preflight is not None:
            return "api", _answer(preflight)
        match = self.table.find(request.method, request.path)
        if match is None:
            if self.table.has_rest:
                return "api", _answer(payloads.json_answer(403, {"message": "Missing Authentication Token"}))
            return "api", _answer(payloads.json_answer(404, {"message": "Not Found"}))
        route = match.route
        face = {"function_url": "url", "azure_http": "azure"}.get(route.kind, "api")
        spec = self._functions[route.function]
        event = self._event(request, match, base_url)
        auth_logs: list[LogRecord] = []
        if route.authorizer is not None:
            decision = await self.authorizers.check(match, request)
            auth_logs = decision.logs
            if decision.answer is not None:
                answer = _answer(cors.apply(match, request, decision.answer), route.function, route.label)
                answer.error_type, answer.logs = decision.error_type, auth_logs
                return face, answer
            context = event.get("requestContext") if isinstance(event, dict) else None
            if isinstance(context, dict) and decision.context is not None:
                context["authorizer"] = decision.context
            if isinstance(context, dict) and decision.identity is not None:
                context.setdefault("identity", {}).update(decision.identity)
        timeout = self.rest_timeout_s if route.kind == "api" else self.http_timeout_s
        if route.kind != "function_url" or not streams(spec):
            stream = None  # a buffered function URL answers once the function has returned, as on Lambda
        timed_out = False

        def expire() -> None:
            nonlocal timed_out
            if stream is not None and stream.response is not None:
                return  # a stream has begun: it runs to its end, without integration timeout
            timed_out = True  # answered now; the function keeps running, as it does behind API Gateway
            late = _answer(payloads.json_answer(*_ERRORS[route.kind][1]), route.function, route.label)
            late.error_type = "IntegrationTimeout"
            early(face, late)

        timer = asyncio.get_running_loop().call_later(timeout, expire)
        try:
            records, result = await self._run(spec, event, request.request_id, *([stream.chunk] if stream else []))
        finally:
            timer.cancel()
        if timed_out:
            return None
        if stream is not None and stream.response is not None:  # the answer went out as the function wrote it
            return face, Answer(stream.response.status, {}, function=route.function, route=route.label,
                                result=result, logs=records, streamed=await stream.finish())
        http = cors.apply(match, request, self._response(route.kind, route.payload_format, result))
        answer = _answer(http, route.function, route.label)
        answer.result, answer.logs = result, auth_logs + records
        if not result.ok:
            answer.error_type = (result.error or {}).get("errorType", "")
        elif answer.status in (500, 502) and route.kind != "azure_http":
            answer.error_type = "MalformedProxyResponse"
        return face, answer

    def _event(self, request: Request, match: Match, base_url: str) -> Any:
        route = match.route
        if route.kind == "azure_http":
            return payloads.azure_request(request, match, base_url)
        if route.kind == "api":
            return payloads.rest_event(request, match)
        if route.payload_format == "1.0":
            return payloads.rest_event(request, match, version="1.0")
        return payloads.http_event(request, match)

    @staticmethod
    def _response(kind: str, payload_format: str, result: Result) -> HttpAnswer:
        failed = _ERRORS[kind][0]
        if not result.ok:
            if (result.error or {}).get("errorType") == "TooManyRequestsException":
                return payloads.json_answer(429, {"message": "Too Many Requests"})
            return payloads.json_answer(*failed)
        if kind == "azure_http":
            return payloads.azure_response(result.response)
        mapped = payloads.proxy_response(result.response, v2=kind != "api" and payload_format == "2.0")
        return mapped if mapped is not None else payloads.json_answer(*failed)


def _answer(http: HttpAnswer, function: str = "", route: str = "") -> Answer:
    """The server's Answer: single headers as a mapping, repeated ones (Set-Cookie) kept apart."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in http.headers:
        if key.lower() == "set-cookie" or key in multi:
            multi.setdefault(key, []).append(value)
        elif key in single:
            multi[key] = [single.pop(key), value]
        else:
            single[key] = value
    return Answer(http.status, single, http.body, function=function, route=route, multi_headers=multi)
