"""Triggers a template declares on its resources rather than on its functions.

A function's own ``Events`` are not the only way to wire it: CloudFormation
templates (and many of aws-samples' patterns) declare ``AWS::Lambda::EventSourceMapping``
resources, lambda subscriptions on a topic (``AWS::SNS::Topic`` ``Subscription``,
``AWS::SNS::Subscription``), ``LambdaConfigurations`` on a bucket and rules whose
``Targets`` are functions. The embedded AWS cannot call a local function, so the
provisioning leaves these out; here they become ordinary triggers of the
function they point at, with the real names of the resources they read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..models import FunctionSpec, Trigger

if TYPE_CHECKING:
    from ..aws.resources import Provisioned, Resource

_SERVICE_KIND = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb"}


def _logical_id(value: Any) -> str | None:
    """``{"Ref": X}``, ``{"Fn::GetAtt": [X, "Arn"]}`` or ``"X.Arn"`` -> X."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref" and isinstance(arg, str):
            return arg
        if name == "Fn::GetAtt":
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return arg[0]
            if isinstance(arg, str):
                return arg.split(".")[0]
    return None


class _Reader:
    def __init__(self, provisioned: Provisioned, functions: list[FunctionSpec]) -> None:
        self.provisioned = provisioned
        self.functions = {spec.name: spec for spec in functions if spec.is_local}

    def function(self, value: Any) -> str | None:
        """The local function a reference, a name or a function ARN points at."""
        name = _logical_id(value) or (value if isinstance(value, str) else None)
        if name is None:
            return None
        if ":function:" in name:
            name = name.split(":function:", 1)[1].split(":")[0]
        if name in self.functions:
            return name
        return None

    def resource(self, value: Any) -> Resource | None:
        """The created resource a reference or an ARN/URL/name points at."""
        logical = _logical_id(value)
        resources = self.provisioned.resources
        if logical is not None:
            found = resources.get(logical)
        elif isinstance(value, str):
            found = self.provisioned.by_arn(value) or next(
                (r for r in resources.values() if value in (r.name, r.url)), None)
        else:
            found = None
        return found if found is not None and found.status == "created" and found.name else None

    def triggers(self) -> Iterator[tuple[str, Trigger]]:
        for logical_id, resource in self.provisioned.resources.items():
            props = dict(resource.properties or {})
            reader = getattr(self, "_" + resource.type.replace("::", "_").lower(), None)
            if reader is not None:
                yield from reader(logical_id, resource, props)

    def _aws_lambda_eventsourcemapping(self, logical_id: str, _resource: Resource,
                                       props: dict[str, Any]) -> Iterator[tuple[str, Trigger]]:
        function = self.function(props.get("FunctionName"))
        source = self.resource(props.get("EventSourceArn"))
        if function is None or source is None:
            return
        arn = source.stream_arn or source.arn
        kind = _SERVICE_KIND.get(arn.split(":")[2] if arn.count(":") >= 2 else "")
        if kind is None:
            return
        params: dict[str, Any] = {"queue": source.name} if kind == "sqs" else \
            {"stream": source.name} if kind == "kinesis" else {"table": source.name, "stream_arn": arn}
        for key, out in (("BatchSize", "batch_size"), ("StartingPosition", "starting_position"),
                         ("MaximumBatchingWindowInSeconds", "batching_window_s"),
                         ("FunctionResponseTypes", "function_response_types"),
                         ("BisectBatchOnFunctionError", "bisect_on_error"),
                         ("MaximumRetryAttempts", "max_retry_attempts"), ("Enabled", "enabled")):
            if props.get(key) is not None and not isinstance(props[key], dict):
                params[out] = props[key]
        filters = (props.get("FilterCriteria") or {}).get("Filters") if isinstance(props.get("FilterCriteria"),
                                                                                   dict) else None
        if isinstance(filters, list):
            params["filters"] = [_json(f.get("Pattern")) for f in filters if isinstance(f, dict)]
        yield function, Trigger(kind, logical_id, params)

    def _aws_sns_topic(self, logical_id: str, resource: Resource,
                       props: dict[str, Any]) -> Iterator[tuple[str, Trigger]]:
        for index, subscription in enumerate(props.get("Subscription") or []):
            if isinstance(subscription, dict) and subscription.get("Protocol") == "lambda":
                function = self.function(subscription.get("Endpoint"))
                if function is not None:
                    yield function, Trigger("sns", f"{logical_id}Subscription{index + 1}",
                                            {"topic": resource.name, "topic_arn": resource.arn})

    def _aws_sns_subscription(self, logical_id: str, _resource: Resource,
                              props: dict[str, Any]) -> Iterator[tuple[str, Trigger]]:
        function = self.function(props.get("Endpoint"))
        topic = self.resource(props.get("TopicArn"))
        if props.get("Protocol") != "lambda" or function is None or topic is None:
            return
        params: dict[str, Any] = {"topic": topic.name, "topic_arn": topic.arn}
        policy = _json(props.get("FilterPolicy"))
        if isinstance(policy, dict):
            params["filter_policy"] = policy
        yield function, Trigger("sns", logical_id, params)

    def _aws_s3_bucket(self, logical_id: str, resource: Resource,
                       props: dict[str, Any]) -> Iterator[tuple[str, Trigger]]:
        config = props.get("NotificationConfiguration")
        entries = config.get("LambdaConfigurations") if isinstance(config, dict) else None
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            function = self.function(entry.get("Function")) if isinstance(entry, dict) else None
            if function is None:
                continue
            params: dict[str, Any] = {"bucket": resource.name, "events": [str(entry.get("Event") or
                                                                              "s3:ObjectCreated:*")]}
            rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules") \
                if isinstance(entry.get("Filter"), dict) else None
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
                    params[str(rule["Name"]).lower()] = str(rule.get("Value", ""))
            yield function, Trigger("s3", f"{logical_id}Notification{index + 1}", params)

    def _aws_events_rule(self, logical_id: str, _resource: Resource,
                         props: dict[str, Any]) -> Iterator[tuple[str, Trigger]]:
        for target in props.get("Targets") or []:
            function = self.function(target.get("Arn")) if isinstance(target, dict) else None
            if function is None:
                continue
            params: dict[str, Any] = {"rule": logical_id}  # the rule as the template names it
            if target.get("Input") is not None:
                params["input"] = _json(target["Input"])
            if props.get("ScheduleExpression"):
                params.update(expression=str(props["ScheduleExpression"]), enabled=props.get("State") != "DISABLED")
                yield function, Trigger("schedule", logical_id, params)
                continue
            bus = self.resource(props.get("EventBusName")) if props.get("EventBusName") else None
            params.update(pattern=_json(props.get("EventPattern")) or {},
                          bus=bus.name if bus is not None else str(props.get("EventBusName") or "default"))
            yield function, Trigger("eventbridge", logical_id, params)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def declared_triggers(provisioned: Provisioned | None, functions: list[FunctionSpec]) -> dict[str, list[Trigger]]:
    """Function name -> the triggers the template's resources declare for it."""
    found: dict[str, list[Trigger]] = {}
    if provisioned is None:
        return found
    for function, trigger in _Reader(provisioned, functions).triggers():
        found.setdefault(function, []).append(trigger)
    return found
