"""CORS as API Gateway applies a template's settings (SAM ``Cors``/``CorsConfiguration``, serverless ``cors``).

- REST APIs: SAM and the Serverless Framework add an ``OPTIONS`` method with a
  mock integration to every path, answering 200 with the configured
  ``Access-Control-Allow-*`` values; other responses are the handler's own
  (a proxy integration adds nothing).
- HTTP APIs: API Gateway itself answers a preflight (an ``OPTIONS`` request with
  ``Origin`` and ``Access-Control-Request-Method``) with 204, whatever the routes,
  and puts ``Access-Control-Allow-Origin`` (and the exposed headers and
  credentials flag) on every answer to an allowed origin, replacing the
  handler's own CORS headers.
"""

from __future__ import annotations

from typing import Any

from .payloads import HttpAnswer, Request
from .routes import Match, RouteTable

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def preflight(table: RouteTable, request: Request) -> HttpAnswer | None:
    """API Gateway's own answer to an ``OPTIONS`` request on a path with CORS, or None (route it as usual)."""
    if request.method != "OPTIONS":
        return None
    matches = table.on_path(request.path)
    if any(match.route.method == "OPTIONS" for match in matches):
        return None  # the template routes OPTIONS to a function itself
    on_path = [match for match in matches if match.route.cors is not None]
    if on_path and on_path[0].route.kind == "api":
        return _rest(on_path[0].route.cors or {}, _methods(matches, on_path[0]))
    if request.header("origin") is None or request.header("access-control-request-method") is None:
        return None
    http = on_path or [match for match in (Match(route, {}, request.path) for route in table.routes)
                       if match.route.kind == "http_api" and match.route.cors is not None]
    if not http:
        return None
    return _http(http[0].route.cors or {}, _methods(matches, http[0]), request)


def apply(match: Match, request: Request, answer: HttpAnswer) -> HttpAnswer:
    """An HTTP API's CORS headers on a handler's answer (REST answers are left as the handler made them)."""
    cors = match.route.cors
    origin = request.header("origin")
    if cors is None or match.route.kind != "http_api" or origin is None:
        return answer
    headers = [(key, value) for key, value in answer.headers if not key.lower().startswith("access-control-")]
    allowed = _allowed_origin(cors, origin)
    if allowed is not None:
        headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.get("expose"):
            headers.append(("Access-Control-Expose-Headers", ",".join(cors["expose"])))
        if cors.get("credentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        headers.append(("Vary", "Origin"))
    return HttpAnswer(answer.status, headers, answer.body)


def _methods(matches: list[Match], chosen: Match) -> list[str]:
    """The configured methods, or (SAM's and serverless' default) those routed on this path, plus OPTIONS."""
    configured = (chosen.route.cors or {}).get("methods")
    if configured:
        return list(configured)
    found = {method for match in matches if match.route.kind == chosen.route.kind
             for method in ((match.route.method,) if match.route.method != "ANY" else ALL_METHODS)}
    return sorted(found | {"OPTIONS"})


def _rest(cors: dict[str, Any], methods: list[str]) -> HttpAnswer:
    headers = [("Access-Control-Allow-Origin", ",".join(cors.get("origins") or ["*"])),
               ("Access-Control-Allow-Methods", ",".join(methods))]
    if cors.get("headers"):
        headers.append(("Access-Control-Allow-Headers", ",".join(cors["headers"])))
    if cors.get("max_age") is not None:
        headers.append(("Access-Control-Max-Age", str(cors["max_age"])))
    if cors.get("credentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    headers.append(("Content-Type", "application/json"))
    return HttpAnswer(200, headers, b"")


def _http(cors: dict[str, Any], methods: list[str], request: Request) -> HttpAnswer:
    allowed = _allowed_origin(cors, request.header("origin") or "")
    if allowed is None:
        return HttpAnswer(204, [], b"")  # a disallowed origin gets no CORS headers: the browser refuses
    headers = [("Access-Control-Allow-Origin", allowed), ("Access-Control-Allow-Methods", ",".join(methods))]
    if cors.get("headers"):  # without, only the simple headers pass: the browser refuses others
        headers.append(("Access-Control-Allow-Headers", ",".join(cors["headers"])))
    if cors.get("max_age") is not None:
        headers.append(("Access-Control-Max-Age", str(cors["max_age"])))
    if cors.get("credentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.get("expose"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["expose"])))
    return HttpAnswer(204, headers, b"")


def _allowed_origin(cors: dict[str, Any], origin: str) -> str | None:
    """What ``Access-Control-Allow-Origin`` says for ``origin``: ``*``, the origin itself, or None (refused)."""
    origins = cors.get("origins") or []
    if "*" in origins:
        return "*"
    lowered = origin.lower()
    return origin if any(lowered == allowed.lower().rstrip("/") for allowed in origins) else None
