"""Triggers of a SAM function: its ``Events`` and ``FunctionUrlConfig``, read against the template's resources.

Kept apart from the reader (sam.py) so that a function's settings and its
event sources evolve separately. A trigger that cannot be understood is skipped
with a warning naming the field: the function still runs, it just opens with a
generic event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import Trigger
from . import api_config, fields
from .trigger_values import (
    HTTP_API_DEFAULT_STAGE,
    Resolve,
    Resources,
    api_method,
    api_path,
    filter_patterns,
    json_object,
    plain_text,
    ref_id,
    strings,
)
from .yamlfile import Problem, YamlDocument

SAM_IMPLICIT_REST_API = "ServerlessRestApi"
SAM_IMPLICIT_HTTP_API = "ServerlessHttpApi"
SAM_IMPLICIT_STAGE = "Prod"  # the stage SAM gives its implicit REST API

# Event source mapping settings beyond batch size and starting position (SAM property -> param).
_MAPPING_KEYS = (("MaximumBatchingWindowInSeconds", "batching_window_s"),
                 ("FunctionResponseTypes", "function_response_types"),
                 ("BisectBatchOnFunctionError", "bisect_on_error"), ("MaximumRetryAttempts", "max_retry_attempts"),
                 ("MaximumRecordAgeInSeconds", "max_record_age_s"), ("Enabled", "enabled"))


class _Sam:
    """Reads one function's ``Events`` against the template's other resources."""

    def __init__(self, doc: YamlDocument, resources: dict[str, Any], resolve: Resolve) -> None:
        self.doc = doc
        self.known = Resources(resources, resolve)
        self.resolve = resolve
        self.problems: list[Problem] = []
        self.apis = api_config.Sam(doc.data, resolve)

    def _stage(self, api_id: str | None, type_: str, default: str) -> str:
        props = self.known.props(api_id, type_)
        stage = self.resolve(props.get("StageName")) if props else None
        return stage if isinstance(stage, str) and stage else default

    def _value(self, props: dict[str, Any], key: str) -> Any:
        return self.resolve(props.get(key))

    def _source(self, props: dict[str, Any], key: str, name_key: str, arn_key: str) -> dict[str, Any]:
        return self.known.source(props.get(key), name_key, arn_key)

    def _batching(self, props: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        for key, out in (("BatchSize", "batch_size"), ("StartingPosition", "starting_position")):
            value = self._value(props, key)
            if value is not None and not isinstance(value, dict):
                params[out] = value
        filters = filter_patterns(props.get("FilterCriteria"))
        if filters:
            params["filters"] = filters
        for key, out in _MAPPING_KEYS:
            value = self._value(props, key)
            if value is not None and not isinstance(value, dict):
                params[out] = value
        scaling = props.get("ScalingConfig")
        if isinstance(scaling, dict) and scaling.get("MaximumConcurrency") is not None:
            params["max_concurrency"] = self._value(scaling, "MaximumConcurrency")
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}) \
            if isinstance(props.get("DestinationConfig"), dict) else {}
        if isinstance(destination, dict) and destination.get("Destination") is not None:
            name, arn = self.known.name_and_arn(destination["Destination"])
            if arn or name:
                params["on_failure"] = arn or name
        return params

    def api(self, name: str, props: dict[str, Any]) -> Trigger:
        api_id = ref_id(props.get("RestApiId")) or SAM_IMPLICIT_REST_API
        return Trigger("api", name, {
            "path": api_path(self.resolve(props.get("Path"))), "method": api_method(self.resolve(props.get("Method"))),
            "stage": self._stage(api_id, "AWS::Serverless::Api", SAM_IMPLICIT_STAGE), "api": api_id,
            **self.apis.rest(api_id, props)})

    def http_api(self, name: str, props: dict[str, Any]) -> Trigger:
        api_id = ref_id(props.get("ApiId")) or SAM_IMPLICIT_HTTP_API
        path, method = self.resolve(props.get("Path")), self.resolve(props.get("Method"))
        params: dict[str, Any]
        if path is None and method is None:
            params = {"path": "/{proxy+}", "method": "ANY", "route_key": "$default"}
        else:
            params = {"path": api_path(path), "method": api_method(method)}
            params["route_key"] = f"{params['method']} {params['path']}"
        params["stage"] = self._stage(api_id, "AWS::Serverless::HttpApi", HTTP_API_DEFAULT_STAGE)
        params["api"] = api_id
        params["payload_format"] = str(self.resolve(props.get("PayloadFormatVersion")) or "2.0")
        params.update(self.apis.http(api_id, props))
        return Trigger("http_api", name, params)

    def sqs(self, name: str, props: dict[str, Any]) -> Trigger:
        params = self._source(props, "Queue", "queue", "queue_arn")
        params["fifo"] = str(params.get("queue", "")).endswith(".fifo")
        return Trigger("sqs", name, self._batching(props, params))

    def sns(self, name: str, props: dict[str, Any]) -> Trigger:
        params = self._source(props, "Topic", "topic", "topic_arn")
        policy = json_object(self._value(props, "FilterPolicy"))
        if isinstance(policy, dict):
            params["filter_policy"] = policy
        scope = self._value(props, "FilterPolicyScope")
        if scope in ("MessageAttributes", "MessageBody"):
            params["filter_policy_scope"] = scope
        return Trigger("sns", name, params)

    def kinesis(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("kinesis", name, self._batching(props, self._source(props, "Stream", "stream", "stream_arn")))

    def dynamodb(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("dynamodb", name, self._batching(props, self._source(props, "Stream", "table", "stream_arn")))

    def s3(self, name: str, props: dict[str, Any]) -> Trigger:
        params = self._source(props, "Bucket", "bucket", "bucket_arn")
        params.pop("bucket_arn", None)
        params["events"] = strings(self._value(props, "Events")) or ["s3:ObjectCreated:*"]
        rules = (((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []) \
            if isinstance(props.get("Filter"), dict) else []
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
                value = plain_text(self.resolve(rule.get("Value")))
                if value:
                    params[str(rule["Name"]).lower()] = value
        return Trigger("s3", name, params)

    def _input(self, props: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        value = json_object(self._value(props, "Input"))
        if value is not None:
            params["input"] = value
        return params

    def schedule(self, name: str, props: dict[str, Any]) -> Trigger:
        params: dict[str, Any] = {"expression": str(self._value(props, "Schedule") or
                                                    self._value(props, "ScheduleExpression") or "rate(1 hour)")}
        rule = plain_text(self._value(props, "Name"))
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
        pattern = self._plain(json_object(self._value(props, "Pattern")))
        params: dict[str, Any] = {"pattern": pattern if isinstance(pattern, dict) else {}}
        bus = plain_text(self._value(props, "EventBusName"))
        if bus is None and props.get("EventBusName") is not None:
            bus = self.known.name_and_arn(props.get("EventBusName"))[0]
        params["bus"] = bus or "default"
        params["rule"] = plain_text(self._value(props, "RuleName")) or name
        return Trigger("eventbridge", name, self._input(props, params))

    def cloudwatch_logs(self, name: str, props: dict[str, Any]) -> Trigger:
        group, _ = self.known.name_and_arn(props.get("LogGroupName"))
        return Trigger("cloudwatch_logs", name, {"log_group": group or f"/aws/lambda/{name}",
                                                 "filter_pattern": str(self._value(props, "FilterPattern") or "")})

    def cognito(self, name: str, props: dict[str, Any]) -> list[Trigger]:
        pool, _ = self.known.name_and_arn(props.get("UserPool"))
        return [Trigger("cognito", name, {"user_pool": pool or "UserPool", "trigger": trigger})
                for trigger in strings(self._value(props, "Trigger")) or ["PreSignUp"]]

    def iot(self, name: str, props: dict[str, Any]) -> Trigger:
        return Trigger("iot", name, {"sql": str(self._value(props, "Sql") or ""), "rule": name})

    def _broker(self, kind: str, name: str, props: dict[str, Any], list_prop: str, arn_prop: str,
                arn_key: str) -> Trigger:
        """MSK (``Topics`` + cluster ``Stream``) and Amazon MQ (``Queues`` + ``Broker``) share one shape:
        ``Topics`` -> ``topics`` (default ``["topic"]``), the ARN under ``arn_key`` when given."""
        key = list_prop.lower()
        params: dict[str, Any] = {key: strings(self._value(props, list_prop)) or [key.removesuffix("s")]}
        arn = plain_text(self._value(props, arn_prop))
        if arn:
            params[arn_key] = arn
        return Trigger(kind, name, self._batching(props, params))

    def msk(self, name: str, props: dict[str, Any]) -> Trigger:
        return self._broker("msk", name, props, "Topics", "Stream", "cluster_arn")

    def kafka(self, name: str, props: dict[str, Any]) -> Trigger:
        servers = self._value(props, "KafkaBootstrapServers")
        params: dict[str, Any] = {"topics": strings(self._value(props, "Topics")) or ["topic"],
                                  "bootstrap_servers": strings(servers)}
        return Trigger("kafka", name, self._batching(props, params))

    def mq(self, name: str, props: dict[str, Any]) -> Trigger:
        return self._broker("mq", name, props, "Queues", "Broker", "broker_arn")

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


def read(doc: YamlDocument, keys: tuple[str, ...], props: dict[str, Any], globals_: dict[str, Any],
        resources: dict[str, Any], resolve: Resolve) -> tuple[list[Trigger], list[Problem]]:
    """The triggers of one ``AWS::Serverless::Function`` (its ``Events`` and ``FunctionUrlConfig``)."""
    reader = _Sam(doc, resources, resolve)
    return reader.read(keys, props, globals_), reader.problems
