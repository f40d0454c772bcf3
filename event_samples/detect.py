"""Guess what kind of event an arbitrary JSON value is (for labels and validation).

Never raises: any JSON value goes in, a kind name or None comes out.
"""

from __future__ import annotations

import json
from typing import Any

_RECORD_SOURCES = {"aws:sqs": "sqs", "aws:kinesis": "kinesis", "aws:dynamodb": "dynamodb", "aws:s3": "s3",
                   "aws:sns": "sns", "aws:ses": "ses", "aws:codecommit": "codecommit"}
_EVENT_SOURCES = {"aws:mq": "mq", "aws:rmq": "rabbitmq", "aws:kafka": "kafka", "SelfManagedKafka": "kafka"}
# (keys that must all be present, kind): payloads recognised by their own top-level fields
_BY_KEYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("authorizationToken", "methodArn"), "apigw-authorizer-token"),
    (("triggerSource", "userPoolId"), "cognito"),
    (("deliveryStreamArn", "records"), "kinesis-firehose"),
    (("applicationArn", "streamArn", "records"), "kinesis-analytics"),
    (("labelingJobArn", "labelAttributeName", "payload"), "sagemaker-annotation-consolidation"),
    (("invokingEvent", "configRuleName"), "config"),
    (("CodePipeline.job",), "codepipeline"),
    (("RequestType", "ResponseURL"), "cloudformation"),
    (("currentIntent",), "lex"),
    (("sessionState", "interpretations"), "lex-v2"),
    (("labelingJobArn", "dataObject"), "sagemaker-ground-truth"),
    (("jobName", "jobQueue", "jobDefinition"), "batch"),
    (("summaryVersion", "flowDirection"), "workmail"),
    (("invocationSchemaVersion", "tasks"), "s3-batch"),
    (("datasetName", "datasetRecords"), "cognito-sync"),
)


def detect(event: Any) -> str | None:
    if not isinstance(event, dict):
        return None
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        source = first.get("eventSource") or first.get("EventSource")
        if isinstance(source, str) and source in _RECORD_SOURCES:
            return _RECORD_SOURCES[source]
        for key, kind in (("Sns", "sns"), ("kinesis", "kinesis"), ("dynamodb", "dynamodb"), ("s3", "s3"),
                          ("cf", "cloudfront")):
            if key in first:
                return kind
        if "body" in first and "messageId" in first:
            return "sqs"
    shaped = _by_shape(event)
    if shaped is not None:
        return shaped
    if isinstance(event.get("awslogs"), dict):
        return "cloudwatch-logs"
    if "detail-type" in event and event.get("source") == "aws.s3" and isinstance(event.get("detail"), dict) \
            and "bucket" in event["detail"]:
        return "s3-eventbridge"
    if "detail-type" in event:
        return "eventbridge-scheduled" if event.get("detail-type") == "Scheduled Event" else "eventbridge"
    context: dict[str, Any] = event["requestContext"] if isinstance(event.get("requestContext"), dict) else {}
    if event.get("version") == "2.0" or isinstance(context.get("http"), dict):
        domain = context.get("domainName")
        return "function-url" if isinstance(domain, str) and ".lambda-url." in domain else "apigw-http"
    if "elb" in context:
        return "alb"
    if "httpMethod" in event:
        return "graphql" if _is_graphql(event) else "apigw-rest"
    if isinstance(event.get("method"), str) and isinstance(event.get("url"), str):
        return "azure-http"
    if "data" in event and isinstance(event.get("metadata"), dict):
        return _azure_trigger(event["data"], event["metadata"])
    if event.get("source") in ("warmup", "serverless-plugin-warmup"):
        return "warmup"
    return None


def _is_graphql(event: dict[str, Any]) -> bool:
    body = event.get("body")
    if not isinstance(body, str) or not str(event.get("path", "")).rstrip("/").endswith("graphql"):
        return False
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    return isinstance(payload, dict) and isinstance(payload.get("query"), str)


def _by_shape(event: dict[str, Any]) -> str | None:
    """The services recognised by their own fields rather than by Records or requestContext."""
    source = event.get("eventSource")
    if isinstance(source, str) and source in _EVENT_SOURCES:
        return _EVENT_SOURCES[source]
    for keys, kind in _BY_KEYS:
        if all(key in event for key in keys):
            return kind
    if event.get("type") == "REQUEST" and "methodArn" in event:
        return "apigw-authorizer-request"
    context = event.get("requestContext")
    if isinstance(context, dict) and context.get("eventType") in ("CONNECT", "MESSAGE", "DISCONNECT"):
        return "apigw-websocket"
    info = event.get("info")
    if isinstance(info, dict) and "fieldName" in info and "arguments" in event:
        return "appsync-resolver"
    if isinstance(event.get("session"), dict) and isinstance(event.get("request"), dict) and "context" in event:
        return "alexa-skills-kit"
    directive = event.get("directive")
    if isinstance(directive, dict) and isinstance(directive.get("header"), dict):
        return "alexa-smart-home"
    details = event.get("Details")
    if isinstance(details, dict) and "ContactData" in details:
        return "connect"
    if set(event) == {"Error", "Cause"}:
        return "stepfunctions"
    return None

_AZURE_METADATA = (("DequeueCount", "azure-queue"), ("BlobTrigger", "azure-blob"), ("MessageId", "azure-servicebus"),
                   ("MessageIdArray", "azure-servicebus"), ("PartitionContext", "azure-eventhub"),
                   ("ContainerName", "azure-cosmosdb"), ("TableName", "azure-sql"), ("instanceId", "azure-activity"))


def _azure_trigger(data: Any, metadata: dict[str, Any]) -> str | None:
    """An Azure trigger event (``{data, metadata}``): its kind by the host's metadata names."""
    if isinstance(data, dict) and "ScheduleStatus" in data:
        return "azure-timer"
    if isinstance(data, dict) and "specversion" in data and "source" in data:
        return "azure-cloudevent"
    if isinstance(data, dict) and "eventType" in data and "dataVersion" in data:
        return "azure-eventgrid"
    if isinstance(data, list) and data and all(isinstance(r, dict) and set(r) == {"Operation", "Item"} for r in data):
        return "azure-sql"
    return next((kind for key, kind in _AZURE_METADATA if key in metadata), None)
