"""Understand a handler's response the way the trigger in front of it would.

API Gateway, Function URLs and ALB read ``{statusCode, headers, body,
isBase64Encoded}``; Azure reads ``{status, headers, body}``. Showing the
status, headers and decoded body is what users want to see, in the TUI and
from scripts alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HttpView:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # parsed JSON when the body is JSON, else text
    base64: bool = False
    cookies: list[str] = field(default_factory=list)


def http_view(response: Any) -> HttpView | None:
    """The HTTP response inside ``response``, or None if it is not HTTP-shaped."""
    if not isinstance(response, dict):
        return None
    status = response.get("statusCode", response.get("status"))
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return None
    if not ({"headers", "body", "multiValueHeaders"} & set(response)):
        return None
    headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()} if isinstance(
        response.get("headers"), dict) else {}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if isinstance(values, list):
            headers[str(key)] = ", ".join(str(v) for v in values)
    body = response.get("body")
    encoded = bool(response.get("isBase64Encoded"))
    if isinstance(body, str) and encoded:
        try:
            body = base64.b64decode(body).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            body = f"<{len(body)} base64 characters of binary data>"
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            pass
    cookies = [str(c) for c in response.get("cookies", []) if isinstance(c, str)] if isinstance(
        response.get("cookies"), list) else []
    return HttpView(status, headers, body, encoded, cookies)
