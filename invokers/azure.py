"""Azure Functions invocations: what an Azure function receives, and what it answered.

Users fire the same events at every function, so an API Gateway or Function
URL event sent to an Azure HTTP function is turned into the request Azure's
host would build (method, url, headers, query, route params, body); an event
that already has that shape is sent unchanged. Other triggers get the host's
``{data, metadata}`` (``event_samples.azure``), filled from the function's
trigger binding. The worker answers ``{response, outputs}``: the return value
(the HTTP response for HTTP functions) and each output binding by name.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from .models import FunctionSpec

LOCAL_HOST = "http://localhost:7071"
ROUTE_PREFIX = "api"  # host.json extensions.http.routePrefix, as Core Tools defaults it
MODELS = {"package.json": "v4", "function_app.py": "v2"}  # FunctionSpec.source -> programming model
HTTP_TRIGGER = {"type": "httpTrigger", "name": "req", "direction": "in"}


def trigger_of(spec: FunctionSpec) -> dict[str, Any]:
    """The function's trigger binding (an HTTP trigger for an ``azure`` handler declared in svl.yaml)."""
    return next((b for b in spec.azure_bindings if str(b.get("type", "")).lower().endswith("trigger")), HTTP_TRIGGER)


def package_note(spec: FunctionSpec, venv: Path | None, entries: list[str]) -> str:
    """What to tell the user when a ``function.json`` Python app lacks ``azure-functions`` on its import path.

    Core Tools' Python worker would import it from the project's virtualenv;
    without it svl-tui runs an HTTP function on its small stand-in and refuses
    other triggers (``azure_python.load_v1``), and says so once per environment.
    """
    if spec.style != "azure" or spec.source != "function.json" or spec.language != "python":
        return ""
    if any((Path(entry) / "azure" / "functions" / "__init__.py").is_file() for entry in entries):
        return ""
    where = f"in {venv}" if venv is not None else "in this project (no .venv/ or venv/ found)"
    fix = f"{venv}/bin/pip install azure-functions" if venv is not None else (
        "python -m venv .venv && .venv/bin/pip install azure-functions")
    return (f"azure-functions is not installed {where}; {fix} (and list it in requirements.txt). Until then an HTTP "
            "function runs on svl-tui's stand-in (HttpRequest, HttpResponse, Context only) and other triggers "
            "cannot run")


def worker_environment(spec: FunctionSpec) -> dict[str, str]:
    """What an Azure worker is told: that it runs an Azure function, and in which programming model."""
    env = {"SVL_STYLE": "azure", "FUNCTIONS_WORKER_RUNTIME": "python" if spec.language == "python" else "node",
           "AzureWebJobsScriptRoot": spec.code_dir}
    model = MODELS.get(spec.source)
    if model:
        env["SVL_AZURE_MODEL"] = model
    elif spec.source == "function.json" and spec.config_file:  # its bindings, wherever scriptFile points
        env["SVL_AZURE_FUNCTION_DIR"] = str(Path(spec.config_file).parent)
    return env


def to_azure_event(event: Any, spec: FunctionSpec) -> Any:
    """``event`` as the host would deliver it to ``spec``'s trigger."""
    trigger = trigger_of(spec)
    if trigger.get("type") == "httpTrigger":
        return to_azure_request(event, spec, trigger.get("route"))
    from event_samples import azure as azure_events  # only Azure functions pay for the event samples

    return azure_events.fill(event, trigger)


def refusal(spec: FunctionSpec) -> str:
    """Why ``spec`` cannot be invoked on its own ('' when it can): Durable orchestrators and entities."""
    kind = str(trigger_of(spec).get("type", ""))
    if kind not in ("orchestrationTrigger", "entityTrigger"):
        return ""
    from event_samples import azure as azure_events

    return azure_events.durable_runtime_message(kind)


def with_retry_context(event: Any, spec: FunctionSpec, retry_count: int, max_retry_count: int) -> Any:
    """``event`` for ``spec`` with the host's ``RetryContext`` (attempt ``retry_count``, 0 for the first)."""
    if isinstance(event, bytes):
        return event
    converted = to_azure_event(event, spec)
    if not (isinstance(converted, dict) and "data" in converted):
        converted = {"data": converted}
    return {**converted, "retryContext": {"retryCount": retry_count, "maxRetryCount": max_retry_count}}


def unwrap_response(value: Any) -> tuple[Any, dict[str, Any]]:
    """The worker's ``{response, outputs}``: the function's answer and its output bindings."""
    if isinstance(value, dict) and set(value) == {"response", "outputs"} and isinstance(value["outputs"], dict):
        return value["response"], value["outputs"]
    return value, {}


def is_azure_request(event: Any) -> bool:
    return isinstance(event, dict) and isinstance(event.get("method"), str) and isinstance(event.get("url"), str)


def to_azure_request(event: Any, spec: FunctionSpec, route: str | None = None) -> dict[str, Any]:
    """The Azure HTTP request for ``event`` (API Gateway v1/v2, Function URL, or a plain payload)."""
    if is_azure_request(event):
        params = route_params(route or spec.name, urlsplit(event["url"]).path)
        if params:
            return {**event, "params": {**params, **(event.get("params") or {})}}
        return event
    if isinstance(event, dict) and ("httpMethod" in event or "routeKey" in event or "rawPath" in event):
        return _from_api_gateway(event, spec, route)
    body_text = json.dumps(event)
    return _request("POST", spec, route, "", {"content-type": "application/json"}, {}, {}, body_text)


def _from_api_gateway(event: dict[str, Any], spec: FunctionSpec, route: str | None) -> dict[str, Any]:
    http = (event.get("requestContext") or {}).get("http") or {}
    method = event.get("httpMethod") or http.get("method") or "GET"
    path = event.get("path") or event.get("rawPath") or ""
    query = event.get("queryStringParameters") or {}
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    body = event.get("body")
    if isinstance(body, str) and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    return _request(method, spec, route, path, headers, query, event.get("pathParameters") or {}, body)


def _request(method: str, spec: FunctionSpec, route: str | None, path: str, headers: dict[str, str],
             query: dict[str, Any], params: dict[str, Any], raw_body: str | None) -> dict[str, Any]:
    path = path if path.startswith("/") or not path else "/" + path
    matched = route_params(route, path) if route else None
    if path.startswith(f"/{ROUTE_PREFIX}/") or matched is not None:
        url_path = path if path.startswith(f"/{ROUTE_PREFIX}/") else f"/{ROUTE_PREFIX}{path}"
    else:
        url_path = f"/{ROUTE_PREFIX}/{route or spec.name}{path}" if not route else f"/{ROUTE_PREFIX}/{route}"
    url = f"{LOCAL_HOST}{url_path}"
    if query:
        url += "?" + urlencode(query)
    all_params = {**(route_params(route or spec.name, url_path) or {}), **params}
    return azure_request(method, url, headers, query, all_params, raw_body)


def azure_request(method: str, url: str, headers: dict[str, str], query: dict[str, Any], params: dict[str, Any],
                  raw_body: str | None) -> dict[str, Any]:
    """The request object an Azure HTTP trigger receives (``body`` parsed when the content type is JSON)."""
    body: Any = raw_body
    if raw_body and "json" in headers.get("content-type", ""):
        try:
            body = json.loads(raw_body)
        except ValueError:
            body = raw_body
    return {"method": method.upper(), "url": url, "originalUrl": url, "headers": headers, "query": dict(query),
            "params": dict(params), "body": body, "rawBody": raw_body}


_SEGMENT = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?=]*)?(\?)?(?:=[^}]*)?\}")


def route_params(route: str | None, path: str) -> dict[str, str] | None:
    """Parameters of an Azure route template (``products/{category:alpha}/{id:int?}``) in ``path``.

    ``path`` may carry the ``/api`` prefix. None when the path does not match.
    Constraints are not enforced (a local request is not refused for them).
    """
    if not route:
        return None
    pattern = ""
    for piece in re.split(r"(\{[^}]*\})", route.strip("/")):
        match = _SEGMENT.fullmatch(piece)
        if match is None:
            pattern += re.escape(piece)
            continue
        catch_all, name, optional = match.group(1), match.group(2), match.group(3)
        body = f"(?P<{name}>.*)" if catch_all else f"(?P<{name}>[^/]+)"
        if optional:
            if pattern.endswith("/"):
                pattern = pattern[:-1] + f"(?:/{body})?"
            else:
                pattern += f"{body}?"
        else:
            pattern += body
    trimmed = path.strip("/")
    if trimmed.lower().startswith(ROUTE_PREFIX + "/"):
        trimmed = trimmed[len(ROUTE_PREFIX) + 1:]
    found = re.fullmatch(pattern, trimmed, re.IGNORECASE)
    if found is None:
        return None
    return {key: value for key, value in found.groupdict().items() if value is not None}
