"""Check an event against what AWS really sends, problem by problem, with a fix for each.

Validation warns, it never blocks: users send malformed events on purpose to
test error paths. Every problem names its JSON path (``$.Records[0].body``)
and says how to fix it. This is an independent model of the shapes; the tests
cross-check generated events against aws-lambda-powertools' parser models.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from .checker import Checker, Issue, json_type, valid_base64
from .detect import detect
from .dynamodb_json import from_typed
from .shapes import SHAPES, check_shape

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}


# ---- per kind ---------------------------------------------------------------------------

def _sqs(c: Checker, event: Any) -> None:
    for path, record in c.records(event, "SQS events look like {\"Records\": [{\"body\": ...}, ...]}"):
        c.field(record, "messageId", path, str)
        c.field(record, "receiptHandle", path, str)
        body = c.field(record, "body", path, str, "SQS delivers the body as a string: JSON-encode objects")
        c.field(record, "attributes", path, dict)
        c.field(record, "messageAttributes", path, dict)
        md5 = c.field(record, "md5OfBody", path, str)
        if body is not None and md5 is not None and md5 != hashlib.md5(body.encode()).hexdigest():
            c.add(f"{path}.md5OfBody", "is not the MD5 of the body", "regenerate the event or recompute the MD5",
                  "warning")
        c.equals(record, "eventSource", path, "aws:sqs")
        arn = c.field(record, "eventSourceARN", path, str)
        if arn is not None and not _is_arn(arn, "sqs"):
            c.add(f"{path}.eventSourceARN", "is not an SQS queue ARN", "arn:aws:sqs:<region>:<account>:<queue>")
        region = c.field(record, "awsRegion", path, str)
        if arn and region and _is_arn(arn, "sqs") and arn.split(":")[3] != region:
            c.add(f"{path}.awsRegion", f"{region} disagrees with the queue ARN's region", severity="warning")


def _sns(c: Checker, event: Any) -> None:
    for path, record in c.records(event, "SNS events look like {\"Records\": [{\"Sns\": {...}}]}"):
        c.equals(record, "EventSource", path, "aws:sns")
        c.field(record, "EventSubscriptionArn", path, str)
        sns = c.field(record, "Sns", path, dict)
        if sns is None:
            continue
        where = f"{path}.Sns"
        c.field(sns, "Message", where, str, "SNS delivers the message as a string: JSON-encode objects")
        c.field(sns, "MessageId", where, str)
        topic = c.field(sns, "TopicArn", where, str)
        if topic is not None and not _is_arn(topic, "sns"):
            c.add(f"{where}.TopicArn", "is not an SNS topic ARN")
        c.field(sns, "Type", where, str)
        c.field(sns, "Timestamp", where, str)
        c.field(sns, "MessageAttributes", where, dict, optional=True)
        c.field(sns, "Subject", where, str, optional=True, nullable=True)


def _kinesis(c: Checker, event: Any) -> None:
    for path, record in c.records(event, "Kinesis events look like {\"Records\": [{\"kinesis\": {...}}]}"):
        c.equals(record, "eventSource", path, "aws:kinesis")
        c.field(record, "eventID", path, str)
        c.field(record, "eventSourceARN", path, str)
        data = c.field(record, "kinesis", path, dict)
        if data is None:
            continue
        where = f"{path}.kinesis"
        payload = c.field(data, "data", where, str, "Kinesis data is base64-encoded text")
        if payload is not None and not valid_base64(payload):
            c.add(f"{where}.data", "is not valid base64", "encode the payload with base64, e.g. base64.b64encode")
        c.field(data, "partitionKey", where, str)
        sequence = c.field(data, "sequenceNumber", where, str, "a string of digits")
        if sequence is not None and not sequence.isdigit():
            c.add(f"{where}.sequenceNumber", "should contain only digits")
        c.field(data, "approximateArrivalTimestamp", where, (int, float))


def _dynamodb(c: Checker, event: Any) -> None:
    for path, record in c.records(event, "DynamoDB Streams events look like {\"Records\": [{\"dynamodb\": ...}]}"):
        c.equals(record, "eventSource", path, "aws:dynamodb")
        name = c.field(record, "eventName", path, str)
        if name is not None and name not in ("INSERT", "MODIFY", "REMOVE"):
            c.add(f"{path}.eventName", f"should be INSERT, MODIFY or REMOVE, not {name!r}")
        change = c.field(record, "dynamodb", path, dict)
        if change is None:
            continue
        for key in ("Keys", "NewImage", "OldImage"):
            image = c.field(change, key, f"{path}.dynamodb", dict, optional=key != "Keys")
            for attribute, value in (image or {}).items():
                try:
                    from_typed(value)
                except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
                    c.add(f"{path}.dynamodb.{key}.{attribute}", f"is not DynamoDB typed JSON: {exc}",
                          'write {"S": "text"}, {"N": "1"}, {"BOOL": true}, {"M": {...}}, ...')
        if name == "INSERT" and "NewImage" not in change:
            c.add(f"{path}.dynamodb", "an INSERT record carries a NewImage", severity="warning")


def _s3(c: Checker, event: Any) -> None:
    for path, record in c.records(event, "S3 events look like {\"Records\": [{\"s3\": {...}}]}"):
        c.equals(record, "eventSource", path, "aws:s3")
        c.field(record, "eventName", path, str)
        c.field(record, "eventTime", path, str)
        s3 = c.field(record, "s3", path, dict)
        if s3 is None:
            continue
        bucket = c.field(s3, "bucket", f"{path}.s3", dict)
        c.field(bucket, "name", f"{path}.s3.bucket", str)
        obj = c.field(s3, "object", f"{path}.s3", dict)
        key = c.field(obj, "key", f"{path}.s3.object", str)
        if key is not None and " " in key:
            c.add(f"{path}.s3.object.key", "contains a space: S3 URL-encodes keys (spaces become '+')",
                  severity="warning")


def _http_common(c: Checker, event: Any, *, v2: bool) -> None:
    if v2:
        c.equals(event, "version", "$", "2.0", "payload format 2.0 (HTTP API, Function URL) has version '2.0'; "
                                               "REST APIs send the v1 shape with httpMethod")
        c.field(event, "routeKey", "$", str)
        c.field(event, "rawPath", "$", str)
        c.field(event, "rawQueryString", "$", str)
        ctx = c.field(event, "requestContext", "$", dict)
        http = c.field(ctx, "http", "$.requestContext", dict)
        method = c.field(http, "method", "$.requestContext.http", str)
        c.field(event, "cookies", "$", list, optional=True)
    else:
        method = c.field(event, "httpMethod", "$", str, "e.g. \"GET\"")
        path = c.field(event, "path", "$", str)
        if path is not None and not path.startswith("/"):
            c.add("$.path", "should start with /")
        c.field(event, "requestContext", "$", dict)
    if method is not None and method.upper() not in HTTP_METHODS:
        c.add("$.httpMethod" if not v2 else "$.requestContext.http.method", f"{method!r} is not an HTTP method")
    headers = c.field(event, "headers", "$", dict, nullable=True, optional=v2)
    for name, value in (headers or {}).items():
        if not isinstance(value, str):
            c.add(f"$.headers.{name}", f"should be a string, not {json_type(value)}", "header values are strings")
    query = c.field(event, "queryStringParameters", "$", dict, optional=True, nullable=True)
    for name, value in (query or {}).items():
        if not isinstance(value, str):
            c.add(f"$.queryStringParameters.{name}", f"should be a string, not {json_type(value)}")
    body = c.field(event, "body", "$", str, "the body arrives as a string: JSON-encode objects", optional=True,
                   nullable=True)
    encoded = c.field(event, "isBase64Encoded", "$", bool, optional=v2)
    if encoded and body is not None and not valid_base64(body):
        c.add("$.body", "isBase64Encoded is true but the body is not base64",
              "set isBase64Encoded to false or base64-encode the body")


def _apigw_rest(c: Checker, event: Any) -> None:
    _http_common(c, event, v2=False)


def _apigw_http(c: Checker, event: Any) -> None:
    _http_common(c, event, v2=True)


def _alb(c: Checker, event: Any) -> None:
    ctx = c.field(event, "requestContext", "$", dict)
    elb = c.field(ctx, "elb", "$.requestContext", dict, "ALB events carry requestContext.elb.targetGroupArn")
    c.field(elb, "targetGroupArn", "$.requestContext.elb", str)
    _http_common(c, event, v2=False)


def _graphql(c: Checker, event: Any) -> None:
    _apigw_rest(c, event)
    body = event.get("body") if isinstance(event, dict) else None
    if isinstance(body, str):
        try:
            payload = json.loads(body)
        except ValueError:
            c.add("$.body", "is not JSON", 'a GraphQL request body is {"query": "...", "variables": {...}}')
            return
        c.field(payload, "query", "$.body", str, "the GraphQL document")
        c.field(payload, "variables", "$.body", dict, optional=True, nullable=True)


def _eventbridge(c: Checker, event: Any) -> None:
    for key in ("version", "id", "detail-type", "source", "account", "time", "region"):
        c.field(event, key, "$", str)
    c.field(event, "resources", "$", list)
    c.field(event, "detail", "$", dict, "EventBridge detail is a JSON object")


def _scheduled(c: Checker, event: Any) -> None:
    _eventbridge(c, event)
    c.equals(event, "detail-type", "$", "Scheduled Event")
    c.equals(event, "source", "$", "aws.events")


def _cloudwatch_logs(c: Checker, event: Any) -> None:
    logs = c.field(event, "awslogs", "$", dict)
    data = c.field(logs, "data", "$.awslogs", str, "base64 of gzipped JSON")
    if data is None:
        return
    try:
        payload = json.loads(gzip.decompress(base64.b64decode(data, validate=True)))
    except (binascii.Error, OSError, ValueError, EOFError):
        c.add("$.awslogs.data", "is not base64-encoded gzipped JSON",
              "generate it with svl-tui events show cloudwatch-logs")
        return
    c.field(payload, "logEvents", "$.awslogs.data(decoded)", list)
    c.field(payload, "logGroup", "$.awslogs.data(decoded)", str)


def _warmup(c: Checker, event: Any) -> None:
    c.field(event, "source", "$", str)


def _azure_http(c: Checker, event: Any) -> None:
    c.field(event, "method", "$", str)
    c.field(event, "url", "$", str)
    c.field(event, "headers", "$", dict)
    c.field(event, "query", "$", dict, optional=True)


def _azure_trigger(c: Checker, event: Any) -> None:
    """An Azure trigger event: the host's data and its trigger metadata (see ``event_samples.azure``)."""
    hint = 'an Azure trigger event is {"data": <the message, blob, events...>, "metadata": {...}}'
    if isinstance(event, dict) and "data" not in event:
        c.add("$.data", "missing", hint)
    c.field(event, "metadata", "$", dict, hint, optional=True)


def _azure_batch(c: Checker, event: Any) -> None:
    _azure_trigger(c, event)
    if isinstance(event, dict) and "data" in event and not isinstance(event["data"], list):
        c.add("$.data", "should be a list (a batch)", "cardinality many delivers a list; use 'one' for single events",
              "warning")


def _azure_event_grid(c: Checker, event: Any) -> None:
    """An Event Grid event, in the Event Grid schema or (``specversion``) the CloudEvents 1.0 schema."""
    _azure_trigger(c, event)
    body = event.get("data") if isinstance(event, dict) else None
    if not isinstance(body, dict):
        return
    if "specversion" in body:
        for name in ("id", "source", "type"):
            c.field(body, name, "$.data", str, "a CloudEvent needs id, source and type")
        if body.get("specversion") != "1.0":
            c.add("$.data.specversion", f"is {body.get('specversion')!r}", "Event Grid delivers CloudEvents 1.0")
        return
    for name in ("id", "subject", "eventType", "eventTime", "dataVersion"):
        c.field(body, name, "$.data", str, "an Event Grid schema event has id, subject, eventType, eventTime, "
                                           "dataVersion and data")


def _azure_sql(c: Checker, event: Any) -> None:
    """A SQL trigger's change batch: ``[{Operation: 0|1|2, Item: {...}}]``."""
    _azure_batch(c, event)
    rows = event.get("data") if isinstance(event, dict) else None
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        where = f"$.data[{index}]"
        if not isinstance(row, dict):
            c.add(where, "should be an object", 'each change is {"Operation": 0, "Item": {...}}')
            continue
        if row.get("Operation") not in (0, 1, 2):
            c.add(f"{where}.Operation", f"is {row.get('Operation')!r}", "0 insert, 1 update, 2 delete")
        c.field(row, "Item", where, dict, "the changed row's columns")


def _is_arn(value: str, service: str) -> bool:
    """An ARN of ``service`` in any partition (aws, aws-cn, aws-us-gov ...)."""
    return re.match(rf"arn:aws(-[a-z-]+)?:{service}:", value) is not None


VALIDATORS: dict[str, Callable[[Checker, Any], None]] = {
    "sqs": _sqs, "sns": _sns, "kinesis": _kinesis, "dynamodb": _dynamodb, "s3": _s3,
    "apigw-rest": _apigw_rest, "apigw-http": _apigw_http, "function-url": _apigw_http, "alb": _alb,
    "graphql": _graphql, "eventbridge": _eventbridge, "eventbridge-scheduled": _scheduled,
    "cloudwatch-logs": _cloudwatch_logs, "warmup": _warmup, "azure-http": _azure_http,
    "azure-timer": _azure_trigger, "azure-queue": _azure_trigger, "azure-blob": _azure_trigger,
    "azure-servicebus": _azure_trigger, "azure-eventhub": _azure_batch, "azure-cosmosdb": _azure_batch,
    "azure-eventgrid": _azure_event_grid, "azure-cloudevent": _azure_event_grid, "azure-sql": _azure_sql,
    "azure-activity": _azure_trigger, "rekognition": _s3,
}


def validate(event: Any, kind: str | None = None) -> list[Issue]:
    """Every problem with ``event`` as a ``kind`` event (detected when not given)."""
    kind = kind or detect(event)
    if kind is None:
        return []
    checker = Checker()
    if not isinstance(event, dict):
        checker.add("$", f"should be a JSON object, not {json_type(event)}", f"a {kind} event is an object")
        return checker.issues
    if kind in SHAPES:
        check_shape(checker, event, kind)
    else:
        VALIDATORS[kind](checker, event)
    return checker.issues
