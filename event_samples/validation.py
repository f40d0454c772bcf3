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
from dataclasses import dataclass
from typing import Any

from .detect import detect
from .dynamodb_json import from_typed

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}


@dataclass(frozen=True)
class Issue:
    path: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" (AWS would never send this) | "warning" (odd but possible)
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.line else self.path
        return f"{self.severity}: {where}: {self.message}" + (f" ({self.hint})" if self.hint else "")


def parse_json(text: str) -> tuple[Any, Issue | None]:
    """Parse editor text; a syntax error becomes an Issue with its line and column."""
    try:
        return loads_strict(text), None
    except json.JSONDecodeError as exc:
        return None, Issue("$", f"invalid JSON: {exc.msg}", "keys and strings need double quotes; no trailing commas",
                           line=exc.lineno, column=exc.colno)


_CONSTANT = re.compile(r'"(?:\\.|[^"\\])*"|(-?Infinity|NaN)')


def loads_strict(text: str) -> Any:
    """``json.loads`` that refuses ``NaN``, ``Infinity`` and ``-Infinity``, with their line and column.

    Python accepts them, JSON (RFC 8259) does not, and neither does AWS: an
    event holding one would work here and fail when deployed.
    """
    def refuse(name: str) -> None:
        raise _NonStandard(name)

    try:
        return json.loads(text, parse_constant=refuse)
    except _NonStandard as exc:
        found = next((m for m in _CONSTANT.finditer(text) if m.group(1)), None)
        raise json.JSONDecodeError(f"{exc} is not JSON: use null, a number or a string",
                                   text, found.start(1) if found else 0) from None


class _NonStandard(ValueError):
    """``NaN`` / ``Infinity`` met while parsing."""


class _Checker:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.issues.append(Issue(path, message, hint, severity))

    def field(self, obj: Any, key: str, path: str, types: tuple[type, ...] | type, hint: str = "",
              *, optional: bool = False, nullable: bool = False) -> Any:
        """``obj[key]`` if present with one of ``types``; records a problem otherwise."""
        where = f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"
        if not isinstance(obj, dict) or key not in obj:
            if not optional:
                self.add(where, "missing", hint)
            return None
        value = obj[key]
        if value is None and (nullable or optional):
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            self.add(where, f"should be {_type_names(types)}, not {_json_type(value)}", hint)
            return None
        return value

    def equals(self, obj: Any, key: str, path: str, expected: Any, hint: str = "") -> None:
        value = self.field(obj, key, path, type(expected), hint)
        if value is not None and value != expected:
            self.add(f"{path}.{key}", f"should be {json.dumps(expected)}, not {json.dumps(value)}", hint)

    def records(self, event: Any, hint: str) -> list[tuple[str, Any]]:
        records = self.field(event, "Records", "$", list, hint)
        if records is None:
            return []
        if not records:
            self.add("$.Records", "is empty: a trigger always delivers at least one record", hint)
        result = []
        for index, record in enumerate(records):
            path = f"$.Records[{index}]"
            if not isinstance(record, dict):
                self.add(path, f"should be an object, not {_json_type(record)}")
                continue
            result.append((path, record))
        return result


def _as_tuple(types: tuple[type, ...] | type) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _type_names(types: tuple[type, ...] | type) -> str:
    names = {str: "a string", int: "a number", float: "a number", bool: "true or false", dict: "an object",
             list: "a list"}
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in _as_tuple(types)))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a number", float: "a number", dict: "an object", list: "a list"}.get(
        type(value), type(value).__name__)


def _valid_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


# ---- per kind ---------------------------------------------------------------------------

def _sqs(c: _Checker, event: Any) -> None:
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


def _sns(c: _Checker, event: Any) -> None:
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


def _kinesis(c: _Checker, event: Any) -> None:
    for path, record in c.records(event, "Kinesis events look like {\"Records\": [{\"kinesis\": {...}}]}"):
        c.equals(record, "eventSource", path, "aws:kinesis")
        c.field(record, "eventID", path, str)
        c.field(record, "eventSourceARN", path, str)
        data = c.field(record, "kinesis", path, dict)
        if data is None:
            continue
        where = f"{path}.kinesis"
        payload = c.field(data, "data", where, str, "Kinesis data is base64-encoded text")
        if payload is not None and not _valid_base64(payload):
            c.add(f"{where}.data", "is not valid base64", "encode the payload with base64, e.g. base64.b64encode")
        c.field(data, "partitionKey", where, str)
        sequence = c.field(data, "sequenceNumber", where, str, "a string of digits")
        if sequence is not None and not sequence.isdigit():
            c.add(f"{where}.sequenceNumber", "should contain only digits")
        c.field(data, "approximateArrivalTimestamp", where, (int, float))


def _dynamodb(c: _Checker, event: Any) -> None:
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


def _s3(c: _Checker, event: Any) -> None:
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


def _http_common(c: _Checker, event: Any, *, v2: bool) -> None:
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
            c.add(f"$.headers.{name}", f"should be a string, not {_json_type(value)}", "header values are strings")
    query = c.field(event, "queryStringParameters", "$", dict, optional=True, nullable=True)
    for name, value in (query or {}).items():
        if not isinstance(value, str):
            c.add(f"$.queryStringParameters.{name}", f"should be a string, not {_json_type(value)}")
    body = c.field(event, "body", "$", str, "the body arrives as a string: JSON-encode objects", optional=True,
                   nullable=True)
    encoded = c.field(event, "isBase64Encoded", "$", bool, optional=v2)
    if encoded and body is not None and not _valid_base64(body):
        c.add("$.body", "isBase64Encoded is true but the body is not base64",
              "set isBase64Encoded to false or base64-encode the body")


def _apigw_rest(c: _Checker, event: Any) -> None:
    _http_common(c, event, v2=False)


def _apigw_http(c: _Checker, event: Any) -> None:
    _http_common(c, event, v2=True)


def _alb(c: _Checker, event: Any) -> None:
    ctx = c.field(event, "requestContext", "$", dict)
    elb = c.field(ctx, "elb", "$.requestContext", dict, "ALB events carry requestContext.elb.targetGroupArn")
    c.field(elb, "targetGroupArn", "$.requestContext.elb", str)
    _http_common(c, event, v2=False)


def _graphql(c: _Checker, event: Any) -> None:
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


def _eventbridge(c: _Checker, event: Any) -> None:
    for key in ("version", "id", "detail-type", "source", "account", "time", "region"):
        c.field(event, key, "$", str)
    c.field(event, "resources", "$", list)
    c.field(event, "detail", "$", dict, "EventBridge detail is a JSON object")


def _scheduled(c: _Checker, event: Any) -> None:
    _eventbridge(c, event)
    c.equals(event, "detail-type", "$", "Scheduled Event")
    c.equals(event, "source", "$", "aws.events")


def _cloudwatch_logs(c: _Checker, event: Any) -> None:
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


def _warmup(c: _Checker, event: Any) -> None:
    c.field(event, "source", "$", str)


def _azure_http(c: _Checker, event: Any) -> None:
    c.field(event, "method", "$", str)
    c.field(event, "url", "$", str)
    c.field(event, "headers", "$", dict)
    c.field(event, "query", "$", dict, optional=True)


# Required fields of the other services, as (path, type): ``Records[]`` checks every record, a ``?``
# suffix marks a field that may be absent or null, ``\.`` is a dot inside a key. One table, one walker.
_SHAPES: dict[str, tuple[tuple[str, type | tuple[type, ...]], ...]] = {
    "apigw-authorizer-token": (("type", str), ("authorizationToken", str), ("methodArn", str)),
    "apigw-authorizer-request": (("type", str), ("methodArn", str), ("httpMethod", str), ("headers", dict),
                                 ("requestContext", dict)),
    "apigw-websocket": (("requestContext.routeKey", str), ("requestContext.eventType", str),
                        ("requestContext.connectionId", str), ("requestContext.stage", str),
                        ("isBase64Encoded", bool), ("body?", str)),
    "appsync-resolver": (("arguments", dict), ("info.fieldName", str), ("info.parentTypeName", str),
                         ("identity?", dict), ("source?", dict), ("request.headers", dict)),
    "cognito": (("version", str), ("triggerSource", str), ("region", str), ("userPoolId", str),
                ("userName", str), ("callerContext.clientId", str), ("request", dict), ("response", dict)),
    "cognito-sync": (("eventType", str), ("identityPoolId", str), ("datasetName", str), ("datasetRecords", dict)),
    "kinesis-firehose": (("invocationId", str), ("deliveryStreamArn", str), ("region", str),
                         ("records[].recordId", str), ("records[].data", str),
                         ("records[].approximateArrivalTimestamp", int)),
    "cloudfront": (("Records[].cf.config.eventType", str), ("Records[].cf.config.distributionId", str),
                   ("Records[].cf.request.uri", str), ("Records[].cf.request.method", str),
                   ("Records[].cf.request.headers", dict)),
    "ses": (("Records[].eventSource", str), ("Records[].ses.mail.source", str),
            ("Records[].ses.mail.destination", list), ("Records[].ses.mail.commonHeaders", dict),
            ("Records[].ses.receipt.recipients", list), ("Records[].ses.receipt.action", dict)),
    "config": (("invokingEvent", str), ("ruleParameters", str), ("resultToken", str), ("configRuleName", str),
               ("configRuleArn", str), ("accountId", str), ("eventLeftScope", bool)),
    "codecommit": (("Records[].eventSource", str), ("Records[].eventSourceARN", str),
                   ("Records[].codecommit.references", list), ("Records[].awsRegion", str)),
    "codepipeline": ((r"CodePipeline\.job.id", str), (r"CodePipeline\.job.accountId", str),
                     (r"CodePipeline\.job.data.inputArtifacts", list),
                     (r"CodePipeline\.job.data.outputArtifacts", list),
                     (r"CodePipeline\.job.data.artifactCredentials", dict)),
    "cloudformation": (("RequestType", str), ("ResponseURL", str), ("StackId", str), ("RequestId", str),
                       ("LogicalResourceId", str), ("ResourceType", str), ("ResourceProperties", dict)),
    "lex": (("currentIntent.name", str), ("currentIntent.slots", dict), ("bot.name", str),
            ("invocationSource", str), ("userId", str)),
    "lex-v2": (("sessionState.intent.name", str), ("interpretations", list), ("bot.name", str),
               ("invocationSource", str), ("sessionId", str)),
    "alexa-skills-kit": (("version", str), ("session.application.applicationId", str), ("request.type", str),
                         ("request.requestId", str), ("context.System", dict)),
    "alexa-smart-home": (("directive.header.namespace", str), ("directive.header.name", str),
                         ("directive.header.payloadVersion", str), ("directive.payload", dict)),
    "connect": (("Name", str), ("Details.ContactData.ContactId", str), ("Details.ContactData.Channel", str),
                ("Details.Parameters", dict)),
    "sagemaker-ground-truth": (("version", str), ("labelingJobArn", str), ("dataObject", dict)),
    "sagemaker-annotation-consolidation": (("version", str), ("labelingJobArn", str), ("labelAttributeName", str),
                                           ("roleArn", str), ("payload.s3Uri", str)),
    "kinesis-analytics": (("invocationId", str), ("applicationArn", str), ("streamArn", str),
                          ("records[].recordId", str), ("records[].data", str)),
    "stepfunctions": (("Error", str), ("Cause", str)),
    "batch": (("jobName", str), ("jobQueue", str), ("jobDefinition", str)),
    "workmail": (("summaryVersion", str), ("flowDirection", str), ("envelope.mailFrom.address", str),
                 ("envelope.recipients", list), ("messageId", str)),
    "s3-batch": (("invocationSchemaVersion", str), ("invocationId", str), ("job.id", str),
                 ("tasks[].taskId", str), ("tasks[].s3Key", str)),
    "s3-eventbridge": (("detail-type", str), ("source", str), ("detail.bucket.name", str),
                       ("detail.object.key", str), ("region", str), ("account", str)),
    "mq": (("eventSource", str), ("eventSourceArn", str), ("messages[].messageID", str),
           ("messages[].data", str), ("messages[].destination.physicalName", str)),
    "rabbitmq": (("eventSource", str), ("eventSourceArn", str), ("rmqMessagesByQueue", dict)),
    "kafka": (("eventSource", str), ("bootstrapServers", str), ("records", dict)),
}
_BASE64_LISTS = {"kinesis-firehose": ("records", "data"), "mq": ("messages", "data"),
                 "kinesis-analytics": ("records", "data")}


def _shape(c: _Checker, event: Any, kind: str) -> None:
    for path, types in _SHAPES[kind]:
        optional = path.endswith("?")
        _walk(c, event, "$", [part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", path.rstrip("?"))],
              types, optional)
    unique: dict[tuple[str, str], Issue] = {}
    for issue in c.issues:  # a missing parent is reported once, not once per field below it
        unique.setdefault((issue.path, issue.message), issue)
    c.issues[:] = unique.values()
    if kind in _BASE64_LISTS:
        key, field = _BASE64_LISTS[kind]
        for index, item in enumerate(event.get(key) or [] if isinstance(event, dict) else []):
            data = item.get(field) if isinstance(item, dict) else None
            if isinstance(data, str) and not _valid_base64(data):
                c.add(f"$.{key}[{index}].{field}", "is not base64", "the service base64-encodes the payload")


def _walk(c: _Checker, node: Any, where: str, parts: list[str], types: type | tuple[type, ...],
          optional: bool) -> None:
    name, rest = parts[0], parts[1:]
    if name.endswith("[]"):
        items = c.field(node, name[:-2], where, list)
        if items is not None and not items:
            c.add(f"{where}.{name[:-2]}", "is empty: the service always sends at least one item")
        for index, item in enumerate(items or []):
            _walk(c, item, f"{where}.{name[:-2]}[{index}]", rest, types, optional)
        return
    if rest:
        child = c.field(node, name, where, dict)
        if child is not None:
            _walk(c, child, f"{where}.{name}" if name.isidentifier() else f"{where}[{json.dumps(name)}]",
                  rest, types, optional)
        return
    c.field(node, name, where, types, optional=optional)

def _azure_trigger(c: _Checker, event: Any) -> None:
    """An Azure trigger event: the host's data and its trigger metadata (see ``event_samples.azure``)."""
    hint = 'an Azure trigger event is {"data": <the message, blob, events...>, "metadata": {...}}'
    if isinstance(event, dict) and "data" not in event:
        c.add("$.data", "missing", hint)
    c.field(event, "metadata", "$", dict, hint, optional=True)


def _azure_batch(c: _Checker, event: Any) -> None:
    _azure_trigger(c, event)
    if isinstance(event, dict) and "data" in event and not isinstance(event["data"], list):
        c.add("$.data", "should be a list (a batch)", "cardinality many delivers a list; use 'one' for single events",
              "warning")


def _azure_event_grid(c: _Checker, event: Any) -> None:
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


def _azure_sql(c: _Checker, event: Any) -> None:
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


VALIDATORS: dict[str, Callable[[_Checker, Any], None]] = {
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
    checker = _Checker()
    if not isinstance(event, dict):
        checker.add("$", f"should be a JSON object, not {_json_type(event)}", f"a {kind} event is an object")
        return checker.issues
    if kind in _SHAPES:
        _shape(checker, event, kind)
    else:
        VALIDATORS[kind](checker, event)
    return checker.issues
