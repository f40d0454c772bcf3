"""Triggers of a serverless.yml function: its ``events`` list and ``url``.

Kept apart from the reader (serverless.py) so that a function's settings and
its event sources evolve separately. An event that cannot be understood is
skipped with a warning naming it: the function still runs, it just opens with
a generic event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import Trigger
from . import api_config
from .trigger_values import (
    HTTP_API_DEFAULT_STAGE,
    Resolve,
    Resources,
    api_method,
    api_path,
    json_object,
    plain_text,
    ref_id,
    strings,
)
from .yamlfile import Problem, YamlDocument

SERVERLESS_DEFAULT_STAGE = "dev"


# Event source mapping settings beyond batch size and starting position (serverless key -> param).
_MAPPING_KEYS = (("maximumBatchingWindow", "batching_window_s"), ("functionResponseType", "function_response_types"),
                 ("bisectBatchOnFunctionError", "bisect_on_error"), ("maximumRetryAttempts", "max_retry_attempts"),
                 ("maximumRecordAgeInSeconds", "max_record_age_s"), ("enabled", "enabled"),
                 ("maximumConcurrency", "max_concurrency"))

class _Serverless:
    """Reads one function's ``events`` list (already variable-resolved)."""

    def __init__(self, doc: YamlDocument, provider: dict[str, Any], resolve: Resolve | None = None) -> None:
        self.doc = doc
        stage = provider.get("stage")
        self.stage = stage if isinstance(stage, str) and stage and "${" not in stage else SERVERLESS_DEFAULT_STAGE
        data = doc.data if isinstance(doc.data, dict) else {}
        resources = data.get("resources") if isinstance(data.get("resources"), dict) else {}
        self.known = Resources((resources or {}).get("Resources"), resolve or (lambda value: value))
        self.azure = provider.get("name") == "azure"  # serverless-azure-functions: http events are Azure's
        self.problems: list[Problem] = []
        self.apis = api_config.Serverless(provider)

    @staticmethod
    def _methodapi_path(value: Any) -> tuple[Any, Any] | None:
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
        parts = self._methodapi_path(value)
        if parts is None or parts[1] is None:
            return None
        return Trigger("api", name, {"path": api_path(parts[1]), "method": api_method(parts[0]), "stage": self.stage,
                                     "api": "ApiGatewayRestApi", **self.apis.rest(value)})

    def http_api(self, name: str, value: Any) -> Trigger | None:
        parts = self._methodapi_path(value)
        if parts is None:
            return None
        params: dict[str, Any]
        if parts[1] is None or parts[1] == "*":
            params = {"path": "/{proxy+}", "method": "ANY", "route_key": "$default"}
        else:
            params = {"path": api_path(parts[1]), "method": api_method(parts[0])}
            params["route_key"] = f"{params['method']} {params['path']}"
        params.update({"stage": HTTP_API_DEFAULT_STAGE, "api": "HttpApi", "payload_format": "2.0"})
        params.update(self.apis.http(value))
        return Trigger("http_api", name, params)

    @staticmethod
    def _batching(value: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        for key, out in (("batchSize", "batch_size"), ("startingPosition", "starting_position")):
            if isinstance(value.get(key), (int, str)):
                params[out] = value[key]
        patterns = value.get("filterPatterns")
        if isinstance(patterns, list) and patterns:
            params["filters"] = [json_object(p) for p in patterns]
        for key, out in _MAPPING_KEYS:
            if isinstance(value.get(key), (int, float, str, list)):
                params[out] = value[key]
        if isinstance(params.get("function_response_types"), str):
            params["function_response_types"] = [params["function_response_types"]]
        failure = (value.get("destinations") or {}).get("onFailure") \
            if isinstance(value.get("destinations"), dict) else None
        target = failure.get("arn") if isinstance(failure, dict) else failure
        if isinstance(target, str) and target:
            params["on_failure"] = target
        return params

    def sqs(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"arn": value}
        params = self.known.source(settings.get("arn"), "queue", "queue_arn")
        if not params:
            return None
        params["fifo"] = str(params.get("queue", "")).endswith(".fifo")
        return Trigger("sqs", name, self._batching(settings, params))

    def sns(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"arn": value}
        params = self.known.source(settings.get("arn") or settings.get("topicName"), "topic", "topic_arn")
        if settings.get("topicName"):
            params["topic"] = str(settings["topicName"])
        if isinstance(settings.get("filterPolicy"), dict):
            params["filter_policy"] = settings["filterPolicy"]
        if settings.get("filterPolicyScope") in ("MessageAttributes", "MessageBody"):
            params["filter_policy_scope"] = settings["filterPolicyScope"]
        return Trigger("sns", name, params) if params else None

    def stream(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"arn": value}
        arn = settings.get("arn")
        kind = settings.get("type") or ("dynamodb" if isinstance(arn, str) and ":dynamodb:" in arn else
                                        "kinesis" if isinstance(arn, str) and ":kinesis:" in arn else None)
        if kind not in ("dynamodb", "kinesis"):
            resource = self.known.resources.get(ref_id(arn) or "")
            kind = "dynamodb" if isinstance(resource, dict) and resource.get("Type") == "AWS::DynamoDB::Table" \
                else "kinesis" if isinstance(resource, dict) else None
        if kind is None:
            return None
        params = self.known.source(arn, "table" if kind == "dynamodb" else "stream", "stream_arn")
        return Trigger(str(kind), name, self._batching(settings, params))

    def s3(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"bucket": value}
        bucket, _ = self.known.name_and_arn(settings.get("bucket"))
        if not bucket:
            return None
        params: dict[str, Any] = {"bucket": bucket, "events": strings(settings.get("event")) or
                                  ["s3:ObjectCreated:*"]}
        for rule in settings.get("rules") or []:
            if isinstance(rule, dict):
                params.update({k: str(v) for k, v in rule.items() if k in ("prefix", "suffix")})
        return Trigger("s3", name, params)

    def schedule(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"rate": value}
        rates = strings(settings.get("rate"))
        if not rates:
            return None
        params: dict[str, Any] = {"expression": rates[0], "rule": str(settings.get("name") or name),
                                  "enabled": settings.get("enabled") is not False}
        if settings.get("method") == "scheduler":
            params["scheduler"] = True
        if settings.get("input") is not None:
            params["input"] = json_object(settings["input"])
        return Trigger("schedule", name, params)

    def eventbridge(self, name: str, value: Any) -> Trigger | None:
        if not isinstance(value, dict):
            return None
        if value.get("schedule") and not value.get("pattern"):
            return self.schedule(name, {"rate": value["schedule"], "name": value.get("name"),
                                        "input": value.get("input"), "enabled": value.get("enabled")})
        pattern = json_object(value.get("pattern", value.get("event")))
        if not isinstance(pattern, dict):
            return None
        bus, _ = self.known.name_and_arn(value.get("eventBus"))
        params: dict[str, Any] = {"pattern": pattern, "bus": bus or "default", "rule": str(value.get("name") or name)}
        if value.get("input") is not None:
            params["input"] = json_object(value["input"])
        return Trigger("eventbridge", name, params)

    def cloudwatch_log(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"logGroup": value}
        group = settings.get("logGroup")
        return Trigger("cloudwatch_logs", name, {"log_group": str(group), "filter_pattern": str(
            settings.get("filter") or "")}) if isinstance(group, str) else None

    def alb(self, name: str, value: Any) -> Trigger | None:
        if not isinstance(value, dict):
            return None
        conditions = value["conditions"] if isinstance(value.get("conditions"), dict) else {}
        paths, methods = strings(conditions.get("path")), strings(conditions.get("method"))
        params: dict[str, Any] = {"path": api_path(paths[0].rstrip("*") if paths else "/"),
                                  "method": api_method(methods[0] if methods else None)}
        if value.get("priority") is not None:
            params["priority"] = value["priority"]
        return Trigger("alb", name, params)

    def websocket(self, name: str, value: Any) -> Trigger | None:
        route = value.get("route") if isinstance(value, dict) else value
        return Trigger("websocket", name, {"route": route, "stage": self.stage}) if isinstance(route, str) else None

    def cognito(self, name: str, value: Any) -> Trigger | None:
        if not isinstance(value, dict) or not isinstance(value.get("trigger"), str):
            return None
        return Trigger("cognito", name, {"user_pool": str(value.get("pool") or "UserPool"),
                                         "trigger": value["trigger"]})

    def iot(self, name: str, value: Any) -> Trigger | None:
        if not isinstance(value, dict):
            return None
        return Trigger("iot", name, {"sql": str(value.get("sql") or ""), "rule": str(value.get("name") or name)})

    def kafka(self, name: str, value: Any) -> Trigger | None:
        if not isinstance(value, dict) or not value.get("topic"):
            return None
        return Trigger("kafka", name, self._batching(value, {
            "topics": strings(value["topic"]), "bootstrap_servers": strings(value.get("bootstrapServers"))}))

    def _broker(self, kind: str, name: str, value: Any, list_key: str, arn_key: str) -> Trigger | None:
        """MSK (``topic`` + cluster ``arn``) and Amazon MQ (``queue`` + broker ``arn``) share one shape."""
        if not isinstance(value, dict) or not value.get(list_key):
            return None
        params: dict[str, Any] = {f"{list_key}s": strings(value[list_key])}
        if plain_text(value.get("arn")):
            params[arn_key] = value["arn"]
        return Trigger(kind, name, self._batching(value, params))

    def msk(self, name: str, value: Any) -> Trigger | None:
        return self._broker("msk", name, value, "topic", "cluster_arn")

    def mq(self, name: str, value: Any) -> Trigger | None:
        return self._broker("mq", name, value, "queue", "broker_arn")

    def alexa(self, name: str, value: Any) -> Trigger | None:
        app_id = value.get("appId") if isinstance(value, dict) else value
        return Trigger("alexa", name, {"skill_id": str(app_id or "")})

    def read(self, keys: tuple[str, ...], events: Any, url: Any) -> list[Trigger]:
        found: list[Trigger] = []
        if events is not None and not isinstance(events, list):
            self.problems.append(self.doc.problem("events must be a list such as '- http: GET /orders'; "
                                                  "triggers ignored", *keys, "events", severity="warning"))
            events = []
        counts: dict[str, int] = {}
        for index, event in enumerate(events or []):
            if isinstance(event, str):  # a bare '- alexaSkill': the event with no settings
                event = {event: None}
            known = [key for key in event if key in _SERVERLESS_TYPES] if isinstance(event, dict) else []
            if not isinstance(event, dict) or not event or (len(event) != 1 and len(known) != 1):
                self.problems.append(self.doc.problem("each event is a one-key mapping such as 'http: GET /x'; "
                                                      "ignored", *keys, "events", index, severity="warning"))
                continue
            # serverless-azure-functions puts 'x-azure-settings' beside the event's key
            event_type, value = (known[0], event[known[0]]) if known else next(iter(event.items()))
            if self.azure and event_type == "http":
                extra = event.get("x-azure-settings")
                settings: dict[str, Any] = extra if isinstance(extra, dict) else {}
                found.append(Trigger("azure_http", str(settings.get("name") or "req"), {
                    k: v for k, v in settings.items() if k not in ("name", "direction")}))
                continue
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
        if url:
            settings = url if isinstance(url, dict) else {}
            found.append(Trigger("function_url", "url", {
                "auth_type": "AWS_IAM" if settings.get("authorizer") == "aws_iam" else "NONE",
                "invoke_mode": "RESPONSE_STREAM" if settings.get("invokeMode") == "RESPONSE_STREAM" else "BUFFERED"}))
        return found


_SERVERLESS_TYPES: dict[str, Callable[[_Serverless, str, Any], Trigger | None]] = {
    "http": _Serverless.http,
    "httpApi": _Serverless.http_api,
    "sqs": _Serverless.sqs,
    "sns": _Serverless.sns,
    "stream": _Serverless.stream,
    "s3": _Serverless.s3,
    "schedule": _Serverless.schedule,
    "eventBridge": _Serverless.eventbridge,
    "cloudwatchEvent": _Serverless.eventbridge,
    "cloudwatchLog": _Serverless.cloudwatch_log,
    "alb": _Serverless.alb,
    "websocket": _Serverless.websocket,
    "cognitoUserPool": _Serverless.cognito,
    "iot": _Serverless.iot,
    "kafka": _Serverless.kafka,
    "msk": _Serverless.msk,
    "activemq": _Serverless.mq,
    "rabbitmq": _Serverless.mq,
    "alexaSkill": _Serverless.alexa,
}


def read(doc: YamlDocument, keys: tuple[str, ...], settings: dict[str, Any], provider: dict[str, Any],
         resolve: Resolve | None = None) -> tuple[list[Trigger], list[Problem]]:
    """The triggers of one serverless.yml function (its ``events`` and ``url``); ``resolve`` gives the
    intrinsics that name resources their real names (with ``--mock-aws``)."""
    reader = _Serverless(doc, provider, resolve)
    return reader.read(keys, settings.get("events"), settings.get("url")), reader.problems
