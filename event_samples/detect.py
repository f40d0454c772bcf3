"""Guess what kind of event an arbitrary JSON value is (for labels and validation).

Never raises: any JSON value goes in, a kind name or None comes out.
"""

from __future__ import annotations

import json
from typing import Any

_RECORD_SOURCES = {"aws:sqs": "sqs", "aws:kinesis": "kinesis", "aws:dynamodb": "dynamodb", "aws:s3": "s3",
                   "aws:sns": "sns"}


def detect(event: Any) -> str | None:
    if not isinstance(event, dict):
        return None
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        source = first.get("eventSource") or first.get("EventSource")
        if isinstance(source, str) and source in _RECORD_SOURCES:
            return _RECORD_SOURCES[source]
        for key, kind in (("Sns", "sns"), ("kinesis", "kinesis"), ("dynamodb", "dynamodb"), ("s3", "s3")):
            if key in first:
                return kind
        if "body" in first and "messageId" in first:
            return "sqs"
    if isinstance(event.get("awslogs"), dict):
        return "cloudwatch-logs"
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
