"""Triggers from the configuration formats: SAM ``Events``, serverless.yml ``events``.

Kept apart from the readers (sam.py, serverless.py) so that a function's
settings and its event sources evolve separately. A trigger that cannot be
understood is skipped with a warning naming the field: the function still runs,
it just opens with a generic event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import Trigger
from .yamlfile import Problem, YamlDocument

Resolve = Callable[[Any], Any]

SAM_IMPLICIT_REST_API = "ServerlessRestApi"
SAM_IMPLICIT_HTTP_API = "ServerlessHttpApi"
SAM_IMPLICIT_STAGE = "Prod"  # the stage SAM gives its implicit REST API
HTTP_API_DEFAULT_STAGE = "$default"
SERVERLESS_DEFAULT_STAGE = "dev"


def _path(value: Any) -> str:
    """``orders/{id}`` or ``/orders/{id}/`` -> ``/orders/{id}`` (API Gateway's own form)."""
    text = "/" + str(value or "").strip().strip("/")
    return text


def _method(value: Any) -> str:
    text = str(value or "ANY").strip().upper()
    return "ANY" if text in ("*", "ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else text


def _ref(value: Any) -> str | None:
    """The logical id of ``!Ref X`` / ``!GetAtt X.Arn``, or a plain string id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref" and isinstance(arg, str):
            return arg
        if name == "Fn::GetAtt" and isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
    return None


class _Sam:
    """Reads one function's ``Events`` against the template's other resources."""

    def __init__(self, doc: YamlDocument, resources: dict[str, Any], resolve: Resolve) -> None:
        self.doc = doc
        self.resources = resources
        self.resolve = resolve
        self.problems: list[Problem] = []

    def _resource_props(self, logical_id: str | None, type_: str) -> dict[str, Any] | None:
        resource = self.resources.get(logical_id) if logical_id else None
        if not isinstance(resource, dict) or resource.get("Type") != type_:
            return None
        props = resource.get("Properties")
        return props if isinstance(props, dict) else {}

    def _stage(self, api_id: str | None, type_: str, default: str) -> str:
        props = self._resource_props(api_id, type_)
        stage = self.resolve(props.get("StageName")) if props else None
        return stage if isinstance(stage, str) and stage else default

    def api(self, name: str, props: dict[str, Any]) -> Trigger:
        api_id = _ref(props.get("RestApiId")) or SAM_IMPLICIT_REST_API
        return Trigger("api", name, {
            "path": _path(self.resolve(props.get("Path"))), "method": _method(self.resolve(props.get("Method"))),
            "stage": self._stage(api_id, "AWS::Serverless::Api", SAM_IMPLICIT_STAGE), "api": api_id})

    def http_api(self, name: str, props: dict[str, Any]) -> Trigger:
        api_id = _ref(props.get("ApiId")) or SAM_IMPLICIT_HTTP_API
        path, method = self.resolve(props.get("Path")), self.resolve(props.get("Method"))
        params: dict[str, Any]
        if path is None and method is None:
            params = {"path": "/{proxy+}", "method": "ANY", "route_key": "$default"}
        else:
            params = {"path": _path(path), "method": _method(method)}
            params["route_key"] = f"{params['method']} {params['path']}"
        params["stage"] = self._stage(api_id, "AWS::Serverless::HttpApi", HTTP_API_DEFAULT_STAGE)
        params["api"] = api_id
        params["payload_format"] = str(self.resolve(props.get("PayloadFormatVersion")) or "2.0")
        return Trigger("http_api", name, params)

    def read(self, keys: tuple[str, ...], props: dict[str, Any], globals_: dict[str, Any]) -> list[Trigger]:
        found: list[Trigger] = []
        events = props.get("Events") or {}
        if not isinstance(events, dict):
            self.problems.append(self.doc.problem("Events must be a mapping of name -> {Type, Properties}; "
                                                  "triggers ignored", *keys, "Events", severity="warning"))
            events = {}
        for name, event in events.items():
            where = (*keys, "Events", str(name))
            if not isinstance(event, dict) or not isinstance(event.get("Type"), str):
                self.problems.append(self.doc.problem("an event needs a Type (Api, SQS, Schedule...); ignored",
                                                      *where, severity="warning"))
                continue
            event_props = event.get("Properties") or {}
            if not isinstance(event_props, dict):
                self.problems.append(self.doc.problem("Properties must be a mapping; event ignored",
                                                      *where, "Properties", severity="warning"))
                continue
            reader = _SAM_TYPES.get(event["Type"])
            if reader is not None:
                found.append(reader(self, str(name), event_props))
        url_config = props.get("FunctionUrlConfig", globals_.get("FunctionUrlConfig"))
        if isinstance(url_config, dict):
            found.append(Trigger("function_url", "FunctionUrl", {
                "auth_type": str(self.resolve(url_config.get("AuthType")) or "AWS_IAM"),
                "invoke_mode": str(self.resolve(url_config.get("InvokeMode")) or "BUFFERED")}))
        return found


_SAM_TYPES: dict[str, Callable[[_Sam, str, dict[str, Any]], Trigger]] = {
    "Api": _Sam.api,
    "HttpApi": _Sam.http_api,
}


def sam(doc: YamlDocument, keys: tuple[str, ...], props: dict[str, Any], globals_: dict[str, Any],
        resources: dict[str, Any], resolve: Resolve) -> tuple[list[Trigger], list[Problem]]:
    """The triggers of one ``AWS::Serverless::Function`` (its ``Events`` and ``FunctionUrlConfig``)."""
    reader = _Sam(doc, resources, resolve)
    return reader.read(keys, props, globals_), reader.problems


class _Serverless:
    """Reads one function's ``events`` list (already variable-resolved)."""

    def __init__(self, doc: YamlDocument, provider: dict[str, Any]) -> None:
        self.doc = doc
        stage = provider.get("stage")
        self.stage = stage if isinstance(stage, str) and stage and "${" not in stage else SERVERLESS_DEFAULT_STAGE
        self.problems: list[Problem] = []

    @staticmethod
    def _method_path(value: Any) -> tuple[Any, Any] | None:
        """``GET /orders`` or ``{method, path}`` -> (method, path); ``*`` -> (ANY, None)."""
        if isinstance(value, str):
            text = value.strip()
            if text == "*":
                return "ANY", None
            method, _, path = text.partition(" ")
            return (method, path.strip()) if path.strip() else None
        if isinstance(value, dict):
            return value.get("method"), value.get("path")
        return None

    def http(self, name: str, value: Any) -> Trigger | None:
        parts = self._method_path(value)
        if parts is None or parts[1] is None:
            return None
        return Trigger("api", name, {"path": _path(parts[1]), "method": _method(parts[0]), "stage": self.stage,
                                     "api": "ApiGatewayRestApi"})

    def http_api(self, name: str, value: Any) -> Trigger | None:
        parts = self._method_path(value)
        if parts is None:
            return None
        params: dict[str, Any]
        if parts[1] is None or parts[1] == "*":
            params = {"path": "/{proxy+}", "method": "ANY", "route_key": "$default"}
        else:
            params = {"path": _path(parts[1]), "method": _method(parts[0])}
            params["route_key"] = f"{params['method']} {params['path']}"
        params.update({"stage": HTTP_API_DEFAULT_STAGE, "api": "HttpApi", "payload_format": "2.0"})
        return Trigger("http_api", name, params)

    def read(self, keys: tuple[str, ...], events: Any) -> list[Trigger]:
        if events is None:
            return []
        if not isinstance(events, list):
            self.problems.append(self.doc.problem("events must be a list such as '- http: GET /orders'; "
                                                  "triggers ignored", *keys, "events", severity="warning"))
            return []
        found: list[Trigger] = []
        counts: dict[str, int] = {}
        for index, event in enumerate(events):
            if not isinstance(event, dict) or len(event) != 1:
                self.problems.append(self.doc.problem("each event is a one-key mapping such as 'http: GET /x'; "
                                                      "ignored", *keys, "events", index, severity="warning"))
                continue
            (event_type, value), = event.items()
            reader = _SERVERLESS_TYPES.get(str(event_type))
            if reader is None:
                continue
            counts[event_type] = counts.get(event_type, 0) + 1
            trigger = reader(self, f"{event_type}#{counts[event_type]}", value)
            if trigger is None:
                self.problems.append(self.doc.problem(f"cannot read this {event_type} event; ignored",
                                                      *keys, "events", index, str(event_type), severity="warning"))
                continue
            found.append(trigger)
        return found


_SERVERLESS_TYPES: dict[str, Callable[[_Serverless, str, Any], Trigger | None]] = {
    "http": _Serverless.http,
    "httpApi": _Serverless.http_api,
}


def serverless(doc: YamlDocument, keys: tuple[str, ...], settings: dict[str, Any],
               provider: dict[str, Any]) -> tuple[list[Trigger], list[Problem]]:
    """The triggers of one serverless.yml function (its ``events`` and ``url``)."""
    reader = _Serverless(doc, provider)
    return reader.read(keys, settings.get("events")), reader.problems
