"""The services checked by a table of required fields rather than by code of their own."""

from __future__ import annotations

import json
import re
from typing import Any

from .checker import Checker, Issue, valid_base64

# Required fields of the other services, as (path, type): ``Records[]`` checks every record, a ``?``
# suffix marks a field that may be absent or null, ``\.`` is a dot inside a key. One table, one walker.
SHAPES: dict[str, tuple[tuple[str, type | tuple[type, ...]], ...]] = {
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
BASE64_LISTS = {"kinesis-firehose": ("records", "data"), "mq": ("messages", "data"),
                "kinesis-analytics": ("records", "data")}


def check_shape(c: Checker, event: Any, kind: str) -> None:
    """Every required field of a ``kind`` listed in SHAPES, and the base64 of its payload lists."""
    for path, types in SHAPES[kind]:
        optional = path.endswith("?")
        _walk(c, event, "$", [part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", path.rstrip("?"))],
              types, optional)
    unique: dict[tuple[str, str], Issue] = {}
    for issue in c.issues:  # a missing parent is reported once, not once per field below it
        unique.setdefault((issue.path, issue.message), issue)
    c.issues[:] = unique.values()
    if kind in BASE64_LISTS:
        key, field = BASE64_LISTS[kind]
        for index, item in enumerate(event.get(key) or [] if isinstance(event, dict) else []):
            data = item.get(field) if isinstance(item, dict) else None
            if isinstance(data, str) and not valid_base64(data):
                c.add(f"$.{key}[{index}].{field}", "is not base64", "the service base64-encodes the payload")


def _walk(c: Checker, node: Any, where: str, parts: list[str], types: type | tuple[type, ...],
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
