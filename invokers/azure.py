"""Azure Functions HTTP requests: what an Azure-style handler receives as ``req``.

Users fire the same events at every function, so an API Gateway or Function
URL event sent to an Azure function is turned into the request Azure's host
would build (programming model v3 shape: method, url, headers, query, params,
body, rawBody). An event that already has that shape is sent unchanged.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from .models import FunctionSpec

LOCAL_HOST = "http://localhost:7071"


def is_azure_request(event: Any) -> bool:
    return isinstance(event, dict) and isinstance(event.get("method"), str) and isinstance(event.get("url"), str)


def to_azure_request(event: Any, spec: FunctionSpec) -> dict[str, Any]:
    """The Azure HTTP request for ``event`` (API Gateway v1/v2, Function URL, or a plain payload)."""
    if is_azure_request(event):
        return event
    if isinstance(event, dict) and ("httpMethod" in event or "routeKey" in event or "rawPath" in event):
        return _from_api_gateway(event, spec)
    body_text = json.dumps(event)
    return _request("POST", spec, "", {"content-type": "application/json"}, {}, {}, body_text)


def _from_api_gateway(event: dict[str, Any], spec: FunctionSpec) -> dict[str, Any]:
    http = (event.get("requestContext") or {}).get("http") or {}
    method = event.get("httpMethod") or http.get("method") or "GET"
    path = event.get("path") or event.get("rawPath") or ""
    query = event.get("queryStringParameters") or {}
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    body = event.get("body")
    if isinstance(body, str) and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    return _request(method, spec, path, headers, query, event.get("pathParameters") or {}, body)


def _request(method: str, spec: FunctionSpec, path: str, headers: dict[str, str], query: dict[str, Any],
             params: dict[str, Any], raw_body: str | None) -> dict[str, Any]:
    url = f"{LOCAL_HOST}/api/{spec.name}{path if path.startswith('/') or not path else '/' + path}"
    if query:
        url += "?" + urlencode(query)
    body: Any = raw_body
    if raw_body and "json" in headers.get("content-type", ""):
        try:
            body = json.loads(raw_body)
        except ValueError:
            body = raw_body
    return {"method": method.upper(), "url": url, "originalUrl": url, "headers": headers, "query": dict(query),
            "params": dict(params), "body": body, "rawBody": raw_body}
