"""Create the project's declared resources in the embedded AWS (``--mock-aws``).

A handler that reads the table its template declares must find that table, so
with ``--mock-aws`` the SAM/CloudFormation ``Resources`` (``template.yaml``) and
serverless.yml's ``resources.Resources`` are created in moto before the
functions run, in dependency order (a queue's dead-letter queue first). What
serverless creates on its own from function events (an ``sns`` topic by name,
an ``s3`` bucket, an ``sqs`` queue or Kinesis stream named by its ARN) is
created too. Names are CloudFormation's when the template sets none
(``<stack>-<LogicalId>-<SUFFIX>``, the suffix a hash of both, so the same on
every run).

The result, ``Provisioned``, answers ``!Ref``/``!GetAtt`` for discovery (so a
function's ``TABLE_NAME: !Ref Orders`` is the real name) and lists every
resource with its status for the UI, ``svl-tui aws resources`` and the event
source mappings. A type we do not create is ``skipped`` with the reason; a
resource moto refuses is ``failed`` with its error: never a traceback, and the
session still starts.

This module runs the steps; ``cfn_template.py`` reads and orders the templates and resolves their
intrinsics, ``creators.py`` creates each resource, ``resources.py`` holds ``Resource``/``Provisioned``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..discovery.yamlfile import Problem
from .cfn_template import declared_resources, fail_resource, in_dependency_order, resolve_deep
from .creators import GIVEN_NAME, Maker
from .resources import CREATED, FAILED, Failed, Provisioned, Resource

if TYPE_CHECKING:
    from ..discovery import Discovery
    from ..models import FunctionSpec
    from .mock import MockAws


_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::Serverless::LayerVersion",
                   "AWS::Lambda::LayerVersion", "AWS::Serverless::Application", "AWS::Lambda::Version",
                   "AWS::Lambda::Alias", "AWS::Lambda::Url", "AWS::Lambda::EventInvokeConfig")


def provision(discovery: Discovery, mock: MockAws) -> Provisioned:
    """Create in ``mock`` what the project's template / serverless.yml declare; return what exists.

    Input is a Discovery (its folder, settings and the functions' triggers),
    read once before provisioning; discovery is then run again with the
    result in ``Settings.resources`` so environments see the real names
    (``cli_project.discover_with_mock`` does both).
    """
    started = time.perf_counter()
    result = Provisioned()
    declared, stack, scope_of = declared_resources(discovery, result)
    result.stack = stack
    maker = Maker(mock, result)
    # functions run locally
    for item in in_dependency_order([d for d in declared if d.type not in _FUNCTION_TYPES], result):
        if item.type == "?":
            fail_resource(result, item, "expected a mapping with 'Type' (and 'Properties')")
            continue
        scope = scope_of(item.doc)
        try:
            properties = resolve_deep(scope, item.properties if isinstance(item.properties, dict) else {})
            if item.properties is not None and not isinstance(item.properties, dict):
                raise Failed("Properties must be a mapping")
            properties, note = _unnamed(item.type, properties, scope.missing)
            result.resources[item.logical_id] = maker.make(item.logical_id, item.type, properties,
                                                           item.doc.path.name, note)
        except Failed as exc:
            fail_resource(result, item, str(exc))
        except Exception as exc:  # noqa: BLE001 - moto's refusal becomes a line, never a traceback
            fail_resource(result, item, _aws_message(exc))
    _implicit(discovery.functions, maker, result)
    result.seconds = time.perf_counter() - started
    return result


def _unnamed(type_: str, props: dict[str, Any], missing: set[str]) -> tuple[dict[str, Any], str]:
    """Drop a name that is ``!Ref`` of a parameter nobody gave a value (and say so), so the resource is named
    as CloudFormation names unnamed ones; e.g. `sam init`'s S3 template's ``BucketName: !Ref AppBucketName``.

    CloudFormation would refuse to deploy without the parameter; a local run can do better.
    """
    key = GIVEN_NAME.get(type_)
    value = props.get(key) if key else None
    parameter = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
    if key is None or not isinstance(parameter, str) or parameter not in missing:
        return props, ""
    return ({k: v for k, v in props.items() if k != key},
            f"{key} !Ref {parameter}: the parameter has no Default and no --parameter-overrides value, so it is "
            "named as CloudFormation names unnamed resources")


def _aws_message(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        error = response["Error"]
        return f"{error.get('Code', type(exc).__name__)}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def _implicit(functions: list[FunctionSpec], maker: Maker, result: Provisioned) -> None:
    """What serverless.yml creates from function events, and queues/streams named by ARN in events.

    serverless creates an ``sns`` event's topic given by name, an ``s3``
    event's bucket and an ``eventBridge`` event's custom bus; queues and
    streams given by ARN must exist for a local run to mean anything, so they
    are created too when no declared resource has that name.
    """
    existing = {(r.type, r.name) for r in result.resources.values() if r.status == CREATED}
    for spec in functions:
        if spec.source != "serverless.yml":
            continue
        for trigger in spec.triggers:
            made = _implicit_one(trigger.kind, trigger.params, existing)
            if made is None:
                continue
            type_, logical_id, props = made
            if logical_id in result.resources:
                continue
            try:
                resource = maker.make(logical_id, type_, props, "")
            except Exception as exc:  # noqa: BLE001 - reported like a declared resource's failure
                reason = str(exc) if isinstance(exc, Failed) else _aws_message(exc)
                resource = Resource(logical_id, type_, "", status=FAILED, reason=reason)
                result.problems.append(Problem(Path(spec.config_file).name, None, f"functions.{spec.name}.events",
                                               f"{type_} {logical_id} was not created in the embedded AWS: {reason}",
                                               "warning"))
            result.resources[logical_id] = resource
            existing.add((type_, resource.name))


def _implicit_one(kind: str, params: Mapping[str, Any],
                  existing: set[tuple[str, str]]) -> tuple[str, str, dict[str, Any]] | None:
    """(type, logical id as serverless names it, properties) of the resource an event implies, or None."""
    if kind == "sns" and isinstance(params.get("topic"), str):
        topic = params["topic"]
        if ("AWS::SNS::Topic", topic) not in existing:
            return "AWS::SNS::Topic", f"SNSTopic{_normalized(topic)}", {"TopicName": topic}
    if kind == "s3" and isinstance(params.get("bucket"), str):
        bucket = params["bucket"]
        if ("AWS::S3::Bucket", bucket) not in existing:
            return "AWS::S3::Bucket", f"S3Bucket{_normalized(bucket)}", {"BucketName": bucket}
    if kind == "sqs" and isinstance(params.get("queue_arn"), str) and isinstance(params.get("queue"), str):
        queue = params["queue"]
        if ("AWS::SQS::Queue", queue) not in existing:
            return "AWS::SQS::Queue", f"SQSQueue{_normalized(queue)}", {
                "QueueName": queue, "FifoQueue": queue.endswith(".fifo")}
    if kind == "kinesis" and isinstance(params.get("stream_arn"), str) and isinstance(params.get("stream"), str):
        stream = params["stream"]
        if ("AWS::Kinesis::Stream", stream) not in existing and ":kinesis:" in params["stream_arn"]:
            return "AWS::Kinesis::Stream", f"KinesisStream{_normalized(stream)}", {"Name": stream}
    if kind == "eventbridge" and isinstance(params.get("bus"), str) and params["bus"] != "default":
        bus = params["bus"]
        if ("AWS::Events::EventBus", bus) not in existing:
            return "AWS::Events::EventBus", f"EventBridgeEventBus{_normalized(bus)}", {"Name": bus}
    return None


def _normalized(name: str) -> str:
    """serverless's logical-id form of a name: ``my-topic`` -> ``Mytopic`` (letters and digits, first upper)."""
    text = re.sub(r"[^A-Za-z0-9]", "", name)
    return text[:1].upper() + text[1:]
