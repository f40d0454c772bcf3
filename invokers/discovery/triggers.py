"""Triggers from the configuration formats: SAM ``Events``, serverless.yml ``events``.

Kept apart from the readers (sam.py, serverless.py) so that a function's
settings and its event sources evolve separately. A trigger that cannot be
understood is skipped with a warning naming the field: the function still runs,
it just opens with a generic event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..models import Trigger
from . import fields
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


def _text(value: Any) -> str | None:
    """A resolved string value, or None for anything still an intrinsic."""
    return value if isinstance(value, str) and value and "${" not in value else None


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _json_object(value: Any) -> Any:
    """A pattern or input given as a mapping or as JSON text (as SAM and CloudFormation accept)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _filters(criteria: Any) -> list[Any]:
    """``FilterCriteria.Filters[].Pattern`` (JSON text or mapping) -> patterns."""
    if not isinstance(criteria, dict):
        return []
    filters = criteria.get("Filters") or criteria.get("filters") or []
    return [_json_object(f.get("Pattern", f.get("pattern"))) for f in filters if isinstance(f, dict)]


_NAME_PROPERTY = {
    # resource type -> the property that names it
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Events::EventBus": "Name",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Logs::LogGroup": "LogGroupName",
}


class _Resources:
    """Names and ARNs of the template's own resources, for triggers that point at them."""

    def __init__(self, resources: Any, resolve: Resolve) -> None:
        self.resources = resources if isinstance(resources, dict) else {}
        self.resolve = resolve

    def props(self, logical_id: str | None, type_: str) -> dict[str, Any] | None:
        resource = self.resources.get(logical_id) if logical_id else None
        if not isinstance(resource, dict) or resource.get("Type") != type_:
            return None
        props = resource.get("Properties")
        return props if isinstance(props, dict) else {}

    def name_and_arn(self, value: Any) -> tuple[str | None, str | None]:
        """``!GetAtt Queue.Arn`` / ``!Ref Topic`` / an ARN / a plain name -> (name, ARN if known).

        A resource of this template without an explicit name is called by its
        logical id (CloudFormation adds the stack name and a suffix; the id is
        what a user recognises). A full ARN keeps its own region and account.
        """
        resolved = self.resolve(value)
        text = _text(resolved)
        if text is not None:
            if text.startswith("arn:"):
                tail = text.split(":", 5)[-1]
                name = tail.split("/")[1] if tail.split("/")[0] in ("table", "stream", "event-bus") else tail
                return name.split("/")[0], text
            if text not in self.resources:
                return text, None
        logical_id = _ref(resolved) or (text if text in self.resources else None)
        resource = self.resources.get(logical_id) if logical_id else None
        if isinstance(resource, dict) and resource.get("Type") in _NAME_PROPERTY:
            name_prop = _NAME_PROPERTY[resource["Type"]]
            props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
            own_name = _text(self.resolve(props.get(name_prop))) if props else None
            return own_name or str(logical_id), None
        return (str(logical_id), None) if logical_id else (None, None)


class _Sam:
    """Reads one function's ``Events`` against the template's other resources."""

    def __init__(self, doc: YamlDocument, resources: dict[str, Any], resolve: Resolve) -> None:
        self.doc = doc
        self.known = _Resources(resources, resolve)
        self.resolve = resolve
        self.problems: list[Problem] = []

    def _stage(self, api_id: str | None, type_: str, default: str) -> str:
        props = self.known.props(api_id, type_)
        stage = self.resolve(props.get("StageName")) if props else None
        return stage if isinstance(stage, str) and stage else default

    def _value(self, props: dict[str, Any], key: str) -> Any:
        return self.resolve(props.get(key))

    def _source(self, props: dict[str, Any], key: str, name_key: str, arn_key: str) -> dict[str, Any]:
        name, arn = self.known.name_and_arn(props.get(key))
        params: dict[str, Any] = {}
        if name:
            params[name_key] = name
        if arn:
            params[arn_key] = arn
        return params

    def _batching(self, props: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        for key, out in (("BatchSize", "batch_size"), ("StartingPosition", "starting_position")):
            value = self._value(props, key)
            if value is not None and not isinstance(value, dict):
                params[out] = value
        filters = _filters(props.get("FilterCriteria"))
        if filters:
            params["filters"] = filters
        return params

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

    def sqs(self, name: str, props: dict[str, Any]) -> Trigger:
        params = self._source(props, "Queue", "queue", "queue_arn")
        params["fifo"] = str(params.get("queue", "")).endswith(".fifo")
        return Trigger("sqs", name, self._batching(props, params))

    def sns(self, name: str, props: dict[str, Any]) -> Trigger:
        params = self._source(props, "Topic", "topic", "topic_arn")
        policy = _json_object(self._value(props, "FilterPolicy"))
        if isinstance(policy, dict):
            params["filter_policy"] = policy
        return Trigger("sns", name, params)

    def kinesis(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("kinesis", name, self._batching(props, self._source(props, "Stream", "stream", "stream_arn")))

    def dynamodb(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("dynamodb", name, self._batching(props, self._source(props, "Stream", "table", "stream_arn")))

    def s3(self, name: str, props: dict[str, Any]) -> Trigger:
        params = self._source(props, "Bucket", "bucket", "bucket_arn")
        params.pop("bucket_arn", None)
        params["events"] = _strings(self._value(props, "Events")) or ["s3:ObjectCreated:*"]
        rules = (((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []) \
            if isinstance(props.get("Filter"), dict) else []
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
                value = _text(self.resolve(rule.get("Value")))
                if value:
                    params[str(rule["Name"]).lower()] = value
        return Trigger("s3", name, params)

    def _input(self, props: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        value = _json_object(self._value(props, "Input"))
        if value is not None:
            params["input"] = value
        return params

    def schedule(self, name: str, props: dict[str, Any]) -> Trigger:
        params: dict[str, Any] = {"expression": str(self._value(props, "Schedule") or
                                                    self._value(props, "ScheduleExpression") or "rate(1 hour)")}
        rule = _text(self._value(props, "Name"))
        params["rule"] = rule or name
        enabled = self._value(props, "Enabled")
        state = self._value(props, "State")
        params["enabled"] = enabled is not False and state not in ("DISABLED",)
        return Trigger("schedule", name, self._input(props, params))

    def schedule_v2(self, name: str, props: dict[str, Any]) -> Trigger:
        trigger = self.schedule(name, props)
        trigger.params["scheduler"] = True  # EventBridge Scheduler delivers the Input as it is
        return trigger

    def _plain(self, value: Any) -> Any:
        """Intrinsics inside a pattern resolved as far as a local run can: ``!Ref Bucket`` -> its name."""
        if isinstance(value, list):
            return [self._plain(item) for item in value]
        if isinstance(value, dict):
            if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
                resolved = self.resolve(value)
                if isinstance(resolved, (str, int, float, bool)):
                    return resolved
                name, _ = self.known.name_and_arn(value)
                return name or fields.describe(value)
            return {key: self._plain(item) for key, item in value.items()}
        return value

    def eventbridge(self, name: str, props: dict[str, Any]) -> Trigger:
        pattern = self._plain(_json_object(self._value(props, "Pattern")))
        params: dict[str, Any] = {"pattern": pattern if isinstance(pattern, dict) else {}}
        bus = _text(self._value(props, "EventBusName"))
        if bus is None and props.get("EventBusName") is not None:
            bus = self.known.name_and_arn(props.get("EventBusName"))[0]
        params["bus"] = bus or "default"
        params["rule"] = _text(self._value(props, "RuleName")) or name
        return Trigger("eventbridge", name, self._input(props, params))

    def cloudwatch_logs(self, name: str, props: dict[str, Any]) -> Trigger:
        group, _ = self.known.name_and_arn(props.get("LogGroupName"))
        return Trigger("cloudwatch_logs", name, {"log_group": group or f"/aws/lambda/{name}",
                                                 "filter_pattern": str(self._value(props, "FilterPattern") or "")})

    def cognito(self, name: str, props: dict[str, Any]) -> list[Trigger]:
        pool, _ = self.known.name_and_arn(props.get("UserPool"))
        return [Trigger("cognito", name, {"user_pool": pool or "UserPool", "trigger": trigger})
                for trigger in _strings(self._value(props, "Trigger")) or ["PreSignUp"]]

    def iot(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("iot", name, {"sql": str(self._value(props, "Sql") or ""), "rule": name})

    def msk(self, name: str, props: dict[str, Any]) -> Trigger:
        params: dict[str, Any] = {"topics": _strings(self._value(props, "Topics")) or ["topic"]}
        cluster = _text(self._value(props, "Stream"))
        if cluster:
            params["cluster_arn"] = cluster
        return Trigger("msk", name, self._batching(props, params))

    def kafka(self, name: str, props: dict[str, Any]) -> Trigger:
        servers = self._value(props, "KafkaBootstrapServers")
        params: dict[str, Any] = {"topics": _strings(self._value(props, "Topics")) or ["topic"],
                                  "bootstrap_servers": _strings(servers)}
        return Trigger("kafka", name, self._batching(props, params))

    def mq(self, name: str, props: dict[str, Any]) -> Trigger:
        params: dict[str, Any] = {"queues": _strings(self._value(props, "Queues")) or ["queue"]}
        broker = _text(self._value(props, "Broker"))
        if broker:
            params["broker_arn"] = broker
        return Trigger("mq", name, self._batching(props, params))

    def alexa(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("alexa", name, {"skill_id": str(self._value(props, "SkillId") or "")})

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
            reader = _SAM_TYPES.get(event["Type"].strip())
            if reader is not None:
                made = reader(self, str(name), event_props)
                found.extend(made if isinstance(made, list) else [made])
        url_config = props.get("FunctionUrlConfig", globals_.get("FunctionUrlConfig"))
        if isinstance(url_config, dict):
            found.append(Trigger("function_url", "FunctionUrl", {
                "auth_type": str(self.resolve(url_config.get("AuthType")) or "AWS_IAM"),
                "invoke_mode": str(self.resolve(url_config.get("InvokeMode")) or "BUFFERED")}))
        return found


_SAM_TYPES: dict[str, Callable[[_Sam, str, dict[str, Any]], Trigger | list[Trigger]]] = {
    "Api": _Sam.api,
    "HttpApi": _Sam.http_api,
    "SQS": _Sam.sqs,
    "SNS": _Sam.sns,
    "Kinesis": _Sam.kinesis,
    "DynamoDB": _Sam.dynamodb,
    "S3": _Sam.s3,
    "Schedule": _Sam.schedule,
    "ScheduleV2": _Sam.schedule_v2,
    "EventBridgeRule": _Sam.eventbridge,
    "CloudWatchEvent": _Sam.eventbridge,
    "CloudWatchLogs": _Sam.cloudwatch_logs,
    "Cognito": _Sam.cognito,
    "IoTRule": _Sam.iot,
    "MSK": _Sam.msk,
    "SelfManagedKafka": _Sam.kafka,
    "MQ": _Sam.mq,
    "AlexaSkill": _Sam.alexa,
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
        data = doc.data if isinstance(doc.data, dict) else {}
        resources = data.get("resources") if isinstance(data.get("resources"), dict) else {}
        self.known = _Resources((resources or {}).get("Resources"), lambda value: value)
        self.azure = provider.get("name") == "azure"  # serverless-azure-functions: http events are Azure's
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

    def _source(self, value: Any, name_key: str, arn_key: str) -> dict[str, Any]:
        name, arn = self.known.name_and_arn(value)
        params: dict[str, Any] = {}
        if name:
            params[name_key] = name
        if arn:
            params[arn_key] = arn
        return params

    @staticmethod
    def _batching(value: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        for key, out in (("batchSize", "batch_size"), ("startingPosition", "starting_position")):
            if isinstance(value.get(key), (int, str)):
                params[out] = value[key]
        patterns = value.get("filterPatterns")
        if isinstance(patterns, list) and patterns:
            params["filters"] = [_json_object(p) for p in patterns]
        return params

    def sqs(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"arn": value}
        params = self._source(settings.get("arn"), "queue", "queue_arn")
        if not params:
            return None
        params["fifo"] = str(params.get("queue", "")).endswith(".fifo")
        return Trigger("sqs", name, self._batching(settings, params))

    def sns(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"arn": value}
        params = self._source(settings.get("arn") or settings.get("topicName"), "topic", "topic_arn")
        if settings.get("topicName"):
            params["topic"] = str(settings["topicName"])
        if isinstance(settings.get("filterPolicy"), dict):
            params["filter_policy"] = settings["filterPolicy"]
        return Trigger("sns", name, params) if params else None

    def stream(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"arn": value}
        arn = settings.get("arn")
        kind = settings.get("type") or ("dynamodb" if isinstance(arn, str) and ":dynamodb:" in arn else
                                        "kinesis" if isinstance(arn, str) and ":kinesis:" in arn else None)
        if kind not in ("dynamodb", "kinesis"):
            resource = self.known.resources.get(_ref(arn) or "")
            kind = "dynamodb" if isinstance(resource, dict) and resource.get("Type") == "AWS::DynamoDB::Table" \
                else "kinesis" if isinstance(resource, dict) else None
        if kind is None:
            return None
        params = self._source(arn, "table" if kind == "dynamodb" else "stream", "stream_arn")
        return Trigger(str(kind), name, self._batching(settings, params))

    def s3(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"bucket": value}
        bucket, _ = self.known.name_and_arn(settings.get("bucket"))
        if not bucket:
            return None
        params: dict[str, Any] = {"bucket": bucket, "events": _strings(settings.get("event")) or
                                  ["s3:ObjectCreated:*"]}
        for rule in settings.get("rules") or []:
            if isinstance(rule, dict):
                params.update({k: str(v) for k, v in rule.items() if k in ("prefix", "suffix")})
        return Trigger("s3", name, params)

    def schedule(self, name: str, value: Any) -> Trigger | None:
        settings = value if isinstance(value, dict) else {"rate": value}
        rates = _strings(settings.get("rate"))
        if not rates:
            return None
        params: dict[str, Any] = {"expression": rates[0], "rule": str(settings.get("name") or name),
                                  "enabled": settings.get("enabled") is not False}
        if settings.get("method") == "scheduler":
            params["scheduler"] = True
        if settings.get("input") is not None:
            params["input"] = _json_object(settings["input"])
        return Trigger("schedule", name, params)

    def eventbridge(self, name: str, value: Any) -> Trigger | None:
        if not isinstance(value, dict):
            return None
        if value.get("schedule") and not value.get("pattern"):
            return self.schedule(name, {"rate": value["schedule"], "name": value.get("name"),
                                        "input": value.get("input"), "enabled": value.get("enabled")})
        pattern = _json_object(value.get("pattern", value.get("event")))
        if not isinstance(pattern, dict):
            return None
        bus, _ = self.known.name_and_arn(value.get("eventBus"))
        params: dict[str, Any] = {"pattern": pattern, "bus": bus or "default", "rule": str(value.get("name") or name)}
        if value.get("input") is not None:
            params["input"] = _json_object(value["input"])
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
        paths, methods = _strings(conditions.get("path")), _strings(conditions.get("method"))
        params: dict[str, Any] = {"path": _path(paths[0].rstrip("*") if paths else "/"),
                                  "method": _method(methods[0] if methods else None)}
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
            "topics": _strings(value["topic"]), "bootstrap_servers": _strings(value.get("bootstrapServers"))}))

    def _broker(self, kind: str, name: str, value: Any, list_key: str, arn_key: str) -> Trigger | None:
        """MSK (``topic`` + cluster ``arn``) and Amazon MQ (``queue`` + broker ``arn``) share one shape."""
        if not isinstance(value, dict) or not value.get(list_key):
            return None
        params: dict[str, Any] = {f"{list_key}s": _strings(value[list_key])}
        if _text(value.get("arn")):
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


def serverless(doc: YamlDocument, keys: tuple[str, ...], settings: dict[str, Any],
               provider: dict[str, Any]) -> tuple[list[Trigger], list[Problem]]:
    """The triggers of one serverless.yml function (its ``events`` and ``url``)."""
    reader = _Serverless(doc, provider)
    return reader.read(keys, settings.get("events"), settings.get("url")), reader.problems


def azure(bindings: list[Any]) -> list[Trigger]:
    """The trigger bindings of a ``function.json``: ``httpTrigger`` -> ``azure_http`` and so on.

    The params are the binding's own properties (``route``, ``methods``,
    ``schedule``, ``queueName``...), as the v4 programming model names its options too.
    """
    found: list[Trigger] = []
    for binding in bindings:
        if not isinstance(binding, dict) or not str(binding.get("type", "")).endswith("Trigger"):
            continue
        kind = "azure_" + _AZURE_KINDS.get(binding["type"], _snake(binding["type"].removesuffix("Trigger")))
        params = {k: v for k, v in binding.items() if k not in ("type", "direction", "name")}
        found.append(Trigger(kind, str(binding.get("name") or binding["type"]), params))
    return found


_AZURE_KINDS = {"cosmosDBTrigger": "cosmos_db", "serviceBusTrigger": "service_bus", "eventHubTrigger": "event_hub",
                "eventGridTrigger": "event_grid", "rabbitMQTrigger": "rabbitmq"}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
