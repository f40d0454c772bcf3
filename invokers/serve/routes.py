"""The local API Gateway's route table, built from the functions' HTTP triggers.

Routes come from ``FunctionSpec.triggers`` (SAM ``Api``/``HttpApi`` events,
serverless.yml ``http``/``httpApi``, function URLs, Azure HTTP triggers) and
match as API Gateway matches: literal segments before ``{param}`` before
``{greedy+}``, a method before ``ANY``. REST routes also answer under their
stage prefix (``/Prod/hello`` as well as ``/hello``); a function URL answers
under ``/_url/{function}/``; an Azure route under ``/api/{route}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from ..models import FunctionSpec

URL_PREFIX = "/_url/"
AZURE_PREFIX = "/api"

_AZURE_PARAM = re.compile(r"\{(\*?)([A-Za-z_][\w-]*)(?::[^}?]*)?(\??)\}")


@dataclass
class Route:
    """One way in: a kind of API, a method, a path template, the function behind it."""

    kind: str  # "api" (REST, payload 1.0) | "http_api" | "function_url" | "azure_http"
    method: str  # upper case, or "ANY"
    path: str  # the template as written: /orders/{id}, /{proxy+}
    function: str
    stage: str = ""
    payload_format: str = "1.0"
    route_key: str = ""
    cors: dict[str, Any] | None = None
    """The API's CORS settings (``discovery/api_config.py``'s form), None without."""
    authorizer: dict[str, Any] | None = None
    """The authorizer guarding this route (``discovery/api_config.py``'s form; a function URL's
    ``AWS_IAM`` auth type too), None without."""
    rank: tuple[int, ...] = field(init=False, repr=False)
    """Sort key: literal segments (0) before parameters (1) before greedy ones (2), a method before ANY."""
    static: str | None = field(init=False, repr=False)
    """The path the route matches, without its trailing slash (the root: ``""``), when it has no parameter."""
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _names: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parts: list[str] = []
        self._names = []
        rank: list[int] = []
        for segment in filter(None, self.path.split("/")):
            if segment.startswith("{") and segment.endswith("+}"):
                self._names.append(segment[1:-2])
                parts.append("(.+)")
                rank.append(2)
            elif segment.startswith("{") and segment.endswith("}"):
                self._names.append(segment[1:-1])
                parts.append("([^/]+)")
                rank.append(1)
            else:
                parts.append(re.escape(segment))
                rank.append(0)
        self._pattern = re.compile("^/" + "/".join(parts) + "/?$" if parts else "^/?$")
        self.rank = (*rank, 1 if self.method == "ANY" else 0)
        literal = "/".join(filter(None, self.path.split("/")))
        self.static = None if self._names else f"/{literal}" if literal else ""

    @property
    def label(self) -> str:
        """How the route is shown: ``GET /orders/{id}``."""
        return self.route_key or f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        found = self._pattern.match(path)
        if found is None:
            return None
        return dict(zip(self._names, found.groups(), strict=True))


@dataclass
class Match:
    route: Route
    params: dict[str, str]
    path: str
    """The request's path as the function sees it (without a stage or URL prefix)."""


class RouteTable:
    """Every HTTP route of a project, most specific first."""

    def __init__(self, functions: list[FunctionSpec]) -> None:
        self.routes = sorted((route for spec in functions for route in routes_of(spec)), key=lambda route: route.rank)
        self.stages = {route.stage for route in self.routes if route.stage and route.stage != "$default"}
        self._static: dict[str, list[Route]] = {}
        """Routes without parameters by path, looked up at once: they rank before any with a parameter."""
        self._dynamic = [route for route in self.routes if route.static is None and route.kind != "function_url"]
        for route in self.routes:
            if route.static is not None and route.kind != "function_url":
                self._static.setdefault(route.static, []).append(route)

    @property
    def has_rest(self) -> bool:
        return any(route.kind == "api" for route in self.routes)

    def find(self, method: str, path: str) -> Match | None:
        """The route for a request, or None (API Gateway's 403/404)."""
        return next(self._matches(method, path), None)

    def on_path(self, path: str) -> list[Match]:
        """Every route whatever its method, most specific first: what a CORS preflight asks about."""
        return list(self._matches(None, path))

    def _matches(self, method: str | None, path: str) -> Iterator[Match]:
        if path.startswith(URL_PREFIX):
            name, _, rest = path[len(URL_PREFIX):].partition("/")
            for route in self.routes:
                if route.kind == "function_url" and route.function == name:
                    yield Match(route, {}, "/" + rest)
            return
        candidates = [path]
        first, _, rest = path[1:].partition("/")
        if first in self.stages:
            candidates.insert(0, "/" + rest)  # /Prod/hello as deployed, before /hello as sam local serves it
        for candidate in candidates:
            key = candidate[:-1] if candidate.endswith("/") else candidate
            for route in chain(self._static.get(key, ()), self._dynamic):
                if candidate != path and route.stage != first:
                    continue
                if route.static is not None:
                    if method is None or route.method in ("ANY", method):
                        yield Match(route, {}, candidate)
                    continue
                params = route.match(method or route.method, candidate)
                if params is not None:
                    yield Match(route, params, candidate)


def routes_of(spec: FunctionSpec) -> list[Route]:
    """The HTTP routes a function's triggers declare."""
    found: list[Route] = []
    for trigger in spec.triggers:
        params = trigger.params
        if trigger.kind == "api":
            found.append(Route("api", _method(params.get("method")), _path(params.get("path")), spec.name,
                               stage=str(params.get("stage") or ""), cors=params.get("cors"),
                               authorizer=params.get("authorizer")))
        elif trigger.kind == "http_api":
            key = str(params.get("route_key") or "")
            found.append(Route("http_api", _method(params.get("method")), _path(params.get("path")), spec.name,
                               stage=str(params.get("stage") or "$default"),
                               payload_format=str(params.get("payload_format") or "2.0"),
                               route_key=key if key == "$default" else "", cors=params.get("cors"),
                               authorizer=params.get("authorizer")))
        elif trigger.kind == "function_url":
            iam = {"name": "AWS_IAM", "type": "AWS_IAM"} if params.get("auth_type") == "AWS_IAM" else None
            found.append(Route("function_url", "ANY", "/{proxy+}", spec.name, stage="$default",
                               payload_format="2.0", route_key="$default", authorizer=iam))
        elif trigger.kind == "azure_http":
            found.extend(_azure_routes(spec, params))
    return found


def _azure_routes(spec: FunctionSpec, params: dict[str, Any]) -> list[Route]:
    """``route`` (default: the function's name) under ``/api``, for each of ``methods`` (default: all)."""
    template = str(params.get("route") or spec.name).strip("/")
    path = AZURE_PREFIX + "/" + _AZURE_PARAM.sub(
        lambda m: "{" + m.group(2) + ("+" if m.group(1) else "") + "}", template)
    methods = params.get("methods") or ["ANY"]
    if not isinstance(methods, list):
        methods = [methods]
    return [Route("azure_http", _method(method), path, spec.name) for method in methods]


def _method(value: Any) -> str:
    text = str(value or "ANY").upper()
    return "ANY" if text in ("*", "ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else text


def _path(value: Any) -> str:
    text = str(value or "/")
    return text if text.startswith("/") else "/" + text
