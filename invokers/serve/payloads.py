"""HTTP requests as the events API Gateway, function URLs and Azure send, and responses mapped back.

Faithful shapes: REST (payload 1.0) with ``multiValueHeaders`` and
``multiValueQueryStringParameters``; HTTP API / function URL (2.0) with
comma-joined headers, ``cookies`` and ``rawQueryString``; binary bodies in
base64; a request context with request id, source IP, stage and time. A
handler's answer is read as API Gateway reads it: a malformed proxy response
is API Gateway's 502 (REST) or 500 (HTTP API), and a 2.0 handler returning a
plain value gets API Gateway's inference (200, JSON).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from .. import azure
from ..environment import ACCOUNT_ID
from ..ids import request_id as new_request_id
from .clock import per_second
from .routes import Match

API_ID = "local"
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded", "+json", "+xml", "application/graphql")
_PROXY_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"}


@dataclass
class Request:
    """A received HTTP request, before any API's shape is put on it."""

    method: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"
    host: str = "127.0.0.1"
    received_at: float = field(default_factory=time.time)
    request_id: str = field(default_factory=new_request_id)

    def header(self, name: str) -> str | None:
        name = name.lower()
        values = [value for key, value in self.headers if key.lower() == name]
        return values[-1] if values else None


@dataclass
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def is_text(content_type: str | None) -> bool:
    kind = (content_type or "").lower()
    return not kind or any(marker in kind for marker in _TEXT_TYPES)


def _body(request: Request, content_type: str | None) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    if is_text(content_type):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode(), True


_apigw_time = per_second("%d/%b/%Y:%H:%M:%S +0000", time.gmtime)
"""API Gateway's ``requestTime`` of a moment (``25/Nov/2026:18:06:34 +0000``)."""


def rest_event(request: Request, match: Match, *, version: str | None = None) -> dict[str, Any]:
    """The REST API (payload format 1.0) event for ``request``."""
    multi_headers: dict[str, list[str]] = {}
    for key, value in request.headers:
        multi_headers.setdefault(key, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for key, value in parse_qsl(request.query_string, keep_blank_values=True):
        multi_query.setdefault(key, []).append(value)
    body, encoded = _body(request, request.header("content-type"))
    route = match.route
    stage = route.stage or "$default"
    event: dict[str, Any] = {
        "resource": route.path,
        "path": match.path,
        "httpMethod": request.method,
        "headers": {key: values[-1] for key, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": match.params or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID, "apiId": API_ID, "resourceId": "local", "stage": stage,
            "requestId": request.request_id, "extendedRequestId": request.request_id,
            "requestTime": _apigw_time(request.received_at), "requestTimeEpoch": int(request.received_at * 1000),
            "path": (f"/{stage}" if route.kind == "api" else "") + match.path, "protocol": "HTTP/1.1",
            "resourcePath": route.path, "httpMethod": request.method, "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "identity": {"sourceIp": request.source_ip, "userAgent": request.header("user-agent"),
                         "accessKey": None, "accountId": None, "caller": None, "cognitoIdentityId": None,
                         "cognitoIdentityPoolId": None, "user": None, "userArn": None, "apiKey": None,
                         "cognitoAuthenticationProvider": None, "cognitoAuthenticationType": None},
        },
        "body": body,
        "isBase64Encoded": encoded,
    }
    if version:
        event = {"version": version, **event}
    return event


def http_event(request: Request, match: Match) -> dict[str, Any]:
    """The HTTP API / function URL (payload format 2.0) event for ``request``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    last: dict[str, str] = {}  # the last content-type and user-agent sent, as request.header() reads them
    for key, value in request.headers:
        lower = key.lower()
        if lower in headers:
            headers[lower] = f"{headers[lower]},{value}"
            last[lower] = value
        elif lower == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[lower] = value
    query: dict[str, str] = {}
    if request.query_string:
        for key, value in parse_qsl(request.query_string, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value
    route = match.route
    route_key = route.route_key or f"{route.method} {route.path}"
    body, encoded = _body(request, last.get("content-type", headers.get("content-type")))
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": route_key, "rawPath": match.path, "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    if match.params:
        event["pathParameters"] = match.params
    event["requestContext"] = {
        "accountId": ACCOUNT_ID if route.kind != "function_url" else "anonymous", "apiId": API_ID,
        "domainName": request.host, "domainPrefix": request.host.split(".")[0],
        "http": {"method": request.method, "path": match.path, "protocol": "HTTP/1.1",
                 "sourceIp": request.source_ip, "userAgent": last.get("user-agent", headers.get("user-agent", ""))},
        "requestId": request.request_id, "routeKey": route_key, "stage": route.stage or "$default",
        "time": _apigw_time(request.received_at), "timeEpoch": int(request.received_at * 1000),
    }
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = encoded
    return event


def azure_request(request: Request, match: Match, base_url: str) -> dict[str, Any]:
    """The request an Azure Functions host gives an HTTP-triggered function."""
    url = base_url + match.path + (f"?{request.query_string}" if request.query_string else "")
    headers: dict[str, str] = {}
    for key, value in request.headers:
        headers[key.lower()] = f"{headers[key.lower()]}, {value}" if key.lower() in headers else value
    raw = request.body.decode("utf-8", "replace") if request.body else None
    return azure.azure_request(request.method, url, headers, dict(parse_qsl(request.query_string,
                                                                           keep_blank_values=True)),
                               match.params, raw)


def json_answer(status: int, value: Any) -> HttpAnswer:
    return HttpAnswer(status, [("Content-Type", "application/json")], json.dumps(value, separators=(",", ":")).encode())


def proxy_response(value: Any, *, v2: bool) -> HttpAnswer | None:
    """The HTTP response a Lambda proxy integration makes of ``value``; None when API Gateway would refuse it."""
    if v2 and not (isinstance(value, dict) and "statusCode" in value):
        return HttpAnswer(200, [("Content-Type", "application/json")], json.dumps(value).encode())
    if not isinstance(value, dict) or not set(value) <= _PROXY_KEYS or (not v2 and "cookies" in value):
        return None
    raw_status = value.get("statusCode")
    if isinstance(raw_status, bool) or not isinstance(raw_status, (int, str)):
        return None
    try:
        status = int(raw_status)
    except ValueError:
        return None
    if not 100 <= status <= 599:
        return None
    body = value.get("body")
    if body is not None and not isinstance(body, str):
        return None
    headers: list[tuple[str, str]] = []
    single = value.get("headers") or {}
    multi = value.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        return None
    for key, item in single.items():
        if key not in multi:
            headers.append((str(key), _header_text(item)))
    for key, items in multi.items():
        for item in items if isinstance(items, list) else [items]:
            headers.append((str(key), _header_text(item)))
    for cookie in value.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    raw = (body or "").encode()
    if value.get("isBase64Encoded") and body:
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError:
            return None
    if not any(key.lower() == "content-type" for key, _ in headers):
        headers.append(("Content-Type", "application/json"))  # API Gateway's default for proxy responses
    return HttpAnswer(status, headers, raw)


def azure_response(value: Any) -> HttpAnswer:
    """An Azure handler's ``{status, headers, body}`` as the HTTP response the host sends."""
    if not isinstance(value, dict):
        value = {"status": 200, "headers": {}, "body": value}
    try:
        status = int(value.get("status") or value.get("statusCode") or 200)
    except (TypeError, ValueError):
        status = 500  # the Functions host fails a response it cannot read
    headers = [(str(k), _header_text(v)) for k, v in (value.get("headers") or {}).items()]
    body = value.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, (dict, list, int, float, bool)):
        raw = json.dumps(body).encode()
        if not any(key.lower() == "content-type" for key, _ in headers):
            headers.append(("Content-Type", "application/json; charset=utf-8"))
    else:
        raw = str(body).encode()
    return HttpAnswer(status, headers, raw)


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
