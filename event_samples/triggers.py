"""The event a trigger sends: an API route, a queue, a schedule, a rule... as plain parameters.

``event_for("api", {"path": "/orders/{id}", "method": "GET", "stage": "prod"})``
gives an API Gateway REST event for ``GET /orders/123`` with ``pathParameters``,
``resource`` and ``stage`` filled. The trigger kinds and their parameters are
those discovery records (see ``invokers.models.Trigger``); this module knows
nothing of where they came from, so it can be used on its own.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from . import azure, http, messaging, patterns, services, storage, streams
from .common import Env

_PATH_PARAM = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class TriggerEvent:
    """A generated event, the catalogue kind it is (None for a rule's constant input), and a short label."""

    kind: str | None
    event: Any
    label: str


def concrete_path(template: str) -> tuple[str, dict[str, str]]:
    """``/orders/{id}`` -> (``/orders/123``, ``{"id": "123"}``); ``{proxy+}`` takes ``hello/world``."""
    values: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name.endswith("+"):
            values[name[:-1]] = "hello/world"
            return "hello/world"
        values[name] = "123" if name.lower().endswith("id") else "example"
        return values[name]

    return _PATH_PARAM.sub(fill, template or "/"), values


def _method(value: Any) -> str:
    """``ANY`` routes are opened with a GET: the most common first request."""
    method = str(value or "GET").upper()
    return "GET" if method == "ANY" else method


def _name_from_arn(arn: Any, fallback: str) -> str:
    if isinstance(arn, str) and arn.startswith("arn:"):
        tail = arn.split(":", 5)[-1]
        parts = tail.split("/")
        return parts[1] if parts[0] in ("table", "stream") and len(parts) > 1 else tail
    return fallback


def _env_for(arn: Any, env: Env) -> Env:
    """A full ARN's own region and account win over the defaults."""
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":")
        if len(parts) > 4:
            return Env(region=parts[3] or env.region, account=parts[4] or env.account, now=env.now)
    return env


def _first_filter(params: dict[str, Any]) -> dict[str, Any] | None:
    for pattern in params.get("filters") or []:
        if isinstance(pattern, dict):
            return pattern
    return None


def _filter_body(params: dict[str, Any], field: str) -> Any:
    """A record body that passes the event source mapping's first filter (``{"body": {...}}``), if any."""
    pattern = _first_filter(params)
    if pattern is not None and isinstance(pattern.get(field), dict):
        try:
            return patterns.sample(pattern[field])
        except patterns.PatternError:
            return None
    return None


def _deep_merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


def _filter_records(params: dict[str, Any], records: list[dict[str, Any]], encoded: str) -> None:
    """Make each record pass the first filter on its plain fields (``eventName``, a DynamoDB image...).

    The ``encoded`` field (an SQS body, Kinesis data) is built from the filter by the caller.
    """
    pattern = _first_filter(params)
    if pattern is None:
        return
    rest = {key: value for key, value in pattern.items() if key != encoded}
    if not rest:
        return
    try:
        wanted = patterns.sample(rest)
    except patterns.PatternError:
        return
    for record in records:
        _deep_merge(record, wanted)


def _api(params: dict[str, Any], env: Env) -> TriggerEvent:
    resource = str(params.get("path") or "/")
    path, values = concrete_path(resource)
    method = _method(params.get("method"))
    stage = str(params.get("stage") or "prod")
    event = http.apigw_rest(method, path, resource=resource, path_params=values or None, stage=stage, env=env)
    return TriggerEvent("apigw-rest", event, f"API {method} {resource} ({stage})")


def _http_api(params: dict[str, Any], env: Env) -> TriggerEvent:
    resource = str(params.get("path") or "/")
    path, values = concrete_path(resource)
    method = _method(params.get("method"))
    route_key = str(params.get("route_key") or f"{params.get('method', 'ANY')} {resource}")
    stage = str(params.get("stage") or "$default")
    if str(params.get("payload_format", "2.0")) == "1.0":
        event = http.apigw_rest(method, path, resource=resource, path_params=values or None, stage=stage, env=env)
        event["version"] = "1.0"
        event["requestContext"]["routeKey"] = route_key
        return TriggerEvent("apigw-rest", event, f"HTTP API {route_key} (payload 1.0)")
    event = http.apigw_http(method, path, route_key=route_key, path_params=values or None, stage=stage, env=env)
    return TriggerEvent("apigw-http", event, f"HTTP API {route_key}")


def _function_url(params: dict[str, Any], env: Env) -> TriggerEvent:
    return TriggerEvent("function-url", http.function_url(env=env), f"Function URL ({params.get('auth_type', 'NONE')})")


def _alb(params: dict[str, Any], env: Env) -> TriggerEvent:
    path, _ = concrete_path(str(params.get("path") or "/"))
    method = _method(params.get("method"))
    return TriggerEvent("alb", http.alb(method, path, env=env), f"ALB {method} {path}")


def _sqs(params: dict[str, Any], env: Env) -> TriggerEvent:
    arn = params.get("queue_arn")
    queue = str(params.get("queue") or _name_from_arn(arn, "my-queue"))
    body = _filter_body(params, "body")
    event = messaging.sqs(body=body if body is not None else "Hello from SQS!", queue=queue, env=_env_for(arn, env))
    if isinstance(arn, str):
        for record in event["Records"]:
            record["eventSourceARN"] = arn
    return TriggerEvent("sqs", event, f"SQS {queue}")


def _sns(params: dict[str, Any], env: Env) -> TriggerEvent:
    arn = params.get("topic_arn")
    topic = str(params.get("topic") or _name_from_arn(arn, "my-topic"))
    policy = params.get("filter_policy")
    attributes = None
    if isinstance(policy, dict) and policy:
        try:
            attributes = {k: v if isinstance(v, str) else json.dumps(v) for k, v in patterns.sample(policy).items()}
        except patterns.PatternError:
            attributes = None
    event = messaging.sns(topic=topic, attributes=attributes, env=_env_for(arn, env))
    if isinstance(arn, str):
        record = event["Records"][0]
        record["Sns"]["TopicArn"] = arn
        record["EventSubscriptionArn"] = f"{arn}:{record['EventSubscriptionArn'].rsplit(':', 1)[-1]}"
    return TriggerEvent("sns", event, f"SNS {topic}")


def _kinesis(params: dict[str, Any], env: Env) -> TriggerEvent:
    arn = params.get("stream_arn")
    stream = str(params.get("stream") or _name_from_arn(arn, "my-stream"))
    data = _filter_body(params, "data")
    event = streams.kinesis(data=data if data is not None else "Hello, this is a test.", stream=stream,
                            env=_env_for(arn, env))
    if isinstance(arn, str):
        for record in event["Records"]:
            record["eventSourceARN"] = arn
    return TriggerEvent("kinesis", event, f"Kinesis {stream}")


def _dynamodb(params: dict[str, Any], env: Env) -> TriggerEvent:
    arn = params.get("stream_arn")
    table = str(params.get("table") or _name_from_arn(arn, "my-table"))
    event = streams.dynamodb(table=table, env=_env_for(arn, env))
    if isinstance(arn, str) and "/stream/" in arn:
        for record in event["Records"]:
            record["eventSourceARN"] = arn
    _filter_records(params, event["Records"], "")
    return TriggerEvent("dynamodb", event, f"DynamoDB stream of {table}")


def s3_event_name(configured: str) -> str:
    """``s3:ObjectCreated:*`` -> ``ObjectCreated:Put`` (what a notification's eventName says)."""
    name = configured.removeprefix("s3:")
    if name.endswith(":*"):
        family = name[:-2]
        return {"ObjectCreated": "ObjectCreated:Put", "ObjectRemoved": "ObjectRemoved:Delete",
                "ObjectRestore": "ObjectRestore:Completed"}.get(family, f"{family}:Put")
    return name


def _s3(params: dict[str, Any], env: Env) -> TriggerEvent:
    bucket = str(params.get("bucket") or "my-bucket")
    events = params.get("events") or ["s3:ObjectCreated:*"]
    key = f"{params.get('prefix', 'uploads/')}report{params.get('suffix', '.csv')}"
    name = s3_event_name(str(events[0]))
    return TriggerEvent("s3", storage.s3(bucket=bucket, key=key, event_name=name, env=env), f"S3 {bucket} {name}")


def _schedule(params: dict[str, Any], env: Env) -> TriggerEvent:
    expression = str(params.get("expression") or "")
    if "input" in params:
        return TriggerEvent(None, params["input"], f"schedule {expression} (its input)")
    if params.get("scheduler"):
        return TriggerEvent(None, {}, f"EventBridge Scheduler {expression}")
    rule = str(params.get("rule") or "my-schedule")
    return TriggerEvent("eventbridge-scheduled", messaging.eventbridge_scheduled(rule, env=env),
                        f"schedule {expression}")


_EVENT_ARRAYS = ("resources",)
# The detail AWS services send with their best-known events: a rule on them usually leaves detail open,
# and a handler reads these fields.
_AWS_DETAILS: dict[tuple[str, str], dict[str, Any]] = {
    ("aws.ec2", "EC2 Instance State-change Notification"): {"instance-id": "i-0123456789abcdef0",
                                                            "state": "running"},
    ("aws.s3", "Object Created"): {"version": "0", "bucket": {"name": "my-bucket"},
                                   "object": {"key": "uploads/report.csv", "size": 1024, "etag": "etag",
                                              "sequencer": "0062E99A88DC407460"},
                                   "request-id": "request-id", "requester": "123456789012", "reason": "PutObject"},
    ("aws.codepipeline", "CodePipeline Pipeline Execution State Change"): {
        "pipeline": "my-pipeline", "execution-id": "01234567-0123-0123-0123-012345678901", "state": "SUCCEEDED",
        "version": 1},
    ("aws.states", "Step Functions Execution Status Change"): {
        "executionArn": "arn:aws:states:us-east-1:123456789012:execution:my-machine:run-1",
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:my-machine", "name": "run-1",
        "status": "SUCCEEDED", "input": "{}", "output": "{}"},
}


def event_matching(pattern: Any, env: Env | None = None) -> dict[str, Any]:
    """An EventBridge event that matches ``pattern`` by construction (checked before it is returned)."""
    env = env or Env()
    wanted = patterns.sample(pattern)
    event = messaging.eventbridge(env=env)
    for key, value in wanted.items():
        event[key] = [value] if key in _EVENT_ARRAYS and not isinstance(value, list) else value
    for key in ("source", "detail-type", "account", "region", "id", "time", "version"):
        if key in event and not isinstance(event[key], str):
            event[key] = json.dumps(event[key])
    if "detail" in wanted and not isinstance(event["detail"], dict):
        event["detail"] = {}
    known = _AWS_DETAILS.get((str(event["source"]), str(event["detail-type"])))
    if known is not None:
        detail = copy.deepcopy(known)
        _deep_merge(detail, wanted.get("detail") or {})
        if patterns.matches(pattern, {**event, "detail": detail}):  # else the pattern rules a known field out
            event["detail"] = detail
    failure = patterns.first_mismatch(pattern, event)
    if failure is not None:
        raise patterns.PatternError(f"no EventBridge event can match this pattern: {failure}")
    return event


def _eventbridge(params: dict[str, Any], env: Env) -> TriggerEvent:
    rule = str(params.get("rule") or "rule")
    if "input" in params:
        return TriggerEvent(None, params["input"], f"rule {rule} (its input)")
    pattern = params.get("pattern")
    if not isinstance(pattern, dict) or not pattern:
        return TriggerEvent("eventbridge", messaging.eventbridge(env=env), f"rule {rule}")
    return TriggerEvent("eventbridge", event_matching(pattern, env), f"rule {rule}")


def _cloudwatch_logs(params: dict[str, Any], env: Env) -> TriggerEvent:
    group = str(params.get("log_group") or "/aws/lambda/my-function")
    return TriggerEvent("cloudwatch-logs", streams.cloudwatch_logs(log_group=group, env=env), f"logs {group}")


def _azure_http(params: dict[str, Any], env: Env) -> TriggerEvent:
    route = str(params.get("route") or "HttpTrigger")
    path, values = concrete_path("/api/" + route.lstrip("/"))
    methods = params.get("methods") or ["get"]
    method = _method(methods[0] if isinstance(methods, list) and methods else "GET")
    return TriggerEvent("azure-http", http.azure_http(method, path, params=values or None, env=env),
                        f"Azure HTTP {method} {path}")


def _websocket(params: dict[str, Any], env: Env) -> TriggerEvent:
    route = str(params.get("route") or "$default")
    event = http.apigw_websocket(route, stage=str(params.get("stage") or "prod"), env=env)
    return TriggerEvent("apigw-websocket", event, f"WebSocket {route}")


def _cognito(params: dict[str, Any], env: Env) -> TriggerEvent:
    trigger = str(params.get("trigger") or "PreSignUp")
    event = services.cognito(trigger, user_pool=str(params.get("user_pool") or "Example1"), env=env)
    return TriggerEvent("cognito", event, f"Cognito {trigger}")


def _kafka_records(params: dict[str, Any], env: Env, self_managed: bool) -> TriggerEvent:
    topics = params.get("topics") or ["my-topic"]
    value = _filter_body(params, "value")
    cluster_arn = params.get("cluster_arn")
    event = messaging.kafka(value=value if value is not None else "Hello from Kafka!", topic=str(topics[0]),
                           cluster=_name_from_arn(cluster_arn, "my-cluster").split("/")[-1],
                           self_managed=self_managed, env=_env_for(cluster_arn, env))
    if isinstance(cluster_arn, str):
        event["eventSourceArn"] = cluster_arn
    servers = params.get("bootstrap_servers")
    if self_managed and servers:
        event["bootstrapServers"] = ",".join(map(str, servers))
    return TriggerEvent("kafka", event, f"{'Kafka' if self_managed else 'MSK'} {topics[0]}")


def _msk(params: dict[str, Any], env: Env) -> TriggerEvent:
    return _kafka_records(params, env, self_managed=False)


def _kafka(params: dict[str, Any], env: Env) -> TriggerEvent:
    return _kafka_records(params, env, self_managed=True)


def _mq(params: dict[str, Any], env: Env) -> TriggerEvent:
    queues = params.get("queues") or ["my-queue"]
    broker_arn = params.get("broker_arn")
    event = messaging.mq(queue=str(queues[0]), env=_env_for(broker_arn, env))
    if isinstance(broker_arn, str):
        event["eventSourceArn"] = broker_arn
    return TriggerEvent("mq", event, f"MQ {queues[0]}")


def _alexa(params: dict[str, Any], env: Env) -> TriggerEvent:
    event = services.alexa_skills_kit(skill_id=str(params.get("skill_id") or ""), env=env)
    return TriggerEvent("alexa-skills-kit", event, "Alexa LaunchRequest")


def _iot(params: dict[str, Any], env: Env) -> TriggerEvent:
    """An IoT rule passes on what its SELECT picks from the device message: a sample message here."""
    return TriggerEvent(None, {"message": "Hello from AWS IoT"}, f"IoT {params.get('sql') or 'rule'}")


def _azure(params: dict[str, Any], env: Env, trigger_type: str) -> TriggerEvent | None:
    """The host's ``{data, metadata}`` for an Azure trigger, from the binding's own properties."""
    binding = {**params, "type": trigger_type}
    event = azure.for_trigger(binding)
    if event is None:
        return None
    kind = azure.BUILDERS[trigger_type]
    detail = (params.get("schedule") or params.get("queueName") or params.get("path") or params.get("topicName")
              or params.get("eventHubName") or params.get("containerName") or "")
    return TriggerEvent(kind, event, f"Azure {kind.removeprefix('azure-')} {detail}".rstrip())


_AZURE_TRIGGERS = {"azure_timer": "timerTrigger", "azure_queue": "queueTrigger", "azure_blob": "blobTrigger",
                   "azure_service_bus": "serviceBusTrigger", "azure_event_hub": "eventHubTrigger",
                   "azure_cosmos_db": "cosmosDBTrigger", "azure_event_grid": "eventGridTrigger",
                   "azure_sql": "sqlTrigger", "azure_activity": "activityTrigger"}


_BUILDERS: dict[str, Callable[[dict[str, Any], Env], TriggerEvent | None]] = {
    "api": _api, "http_api": _http_api, "function_url": _function_url, "alb": _alb, "sqs": _sqs, "sns": _sns,
    "kinesis": _kinesis, "dynamodb": _dynamodb, "s3": _s3, "schedule": _schedule, "eventbridge": _eventbridge,
    "cloudwatch_logs": _cloudwatch_logs, "azure_http": _azure_http, "websocket": _websocket, "cognito": _cognito,
    "msk": _msk, "kafka": _kafka, "mq": _mq, "alexa": _alexa, "iot": _iot,
    **{kind: partial(_azure, trigger_type=trigger) for kind, trigger in _AZURE_TRIGGERS.items()},
}


def supported(kind: str) -> bool:
    return kind in _BUILDERS


def event_for(kind: str, params: dict[str, Any] | None = None, env: Env | None = None) -> TriggerEvent | None:
    """The event a ``kind`` trigger with ``params`` sends; None for a trigger we cannot model yet."""
    builder = _BUILDERS.get(kind)
    return builder(dict(params or {}), env or Env()) if builder else None
