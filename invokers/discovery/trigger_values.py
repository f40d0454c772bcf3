"""What the trigger readers share: API path and method forms, intrinsic references, the template's resources.

The SAM reader (``triggers_sam.py``) and the serverless.yml reader
(``triggers_serverless.py``) both turn a trigger's source into a name and an
ARN, and both meet paths, methods and patterns in several spellings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Resolve = Callable[[Any], Any]

HTTP_API_DEFAULT_STAGE = "$default"


def api_path(value: Any) -> str:
    """``orders/{id}`` or ``/orders/{id}/`` -> ``/orders/{id}`` (API Gateway's own form)."""
    text = "/" + str(value or "").strip().strip("/")
    return text


def api_method(value: Any) -> str:
    text = str(value or "ANY").strip().upper()
    return "ANY" if text in ("*", "ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else text


def ref_id(value: Any) -> str | None:
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


def plain_text(value: Any) -> str | None:
    """A resolved string value, or None for anything still an intrinsic."""
    return value if isinstance(value, str) and value and "${" not in value else None


def strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def json_object(value: Any) -> Any:
    """A pattern or input given as a mapping or as JSON text (as SAM and CloudFormation accept)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def filter_patterns(criteria: Any) -> list[Any]:
    """``FilterCriteria.Filters[].Pattern`` (JSON text or mapping) -> patterns."""
    if not isinstance(criteria, dict):
        return []
    filters = criteria.get("Filters") or criteria.get("filters") or []
    return [json_object(f.get("Pattern", f.get("pattern"))) for f in filters if isinstance(f, dict)]


NAME_PROPERTY = {
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


class Resources:
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
        text = plain_text(resolved)
        if text is not None:
            if text.startswith("arn:"):
                tail = text.split(":", 5)[-1]
                name = tail.split("/")[1] if tail.split("/")[0] in ("table", "stream", "event-bus") else tail
                return name.split("/")[0], text
            if text not in self.resources:
                return text, None
        logical_id = ref_id(resolved) or (text if text in self.resources else None)
        resource = self.resources.get(logical_id) if logical_id else None
        if isinstance(resource, dict) and resource.get("Type") in NAME_PROPERTY:
            name_prop = NAME_PROPERTY[resource["Type"]]
            props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
            own_name = plain_text(self.resolve(props.get(name_prop))) if props else None
            return own_name or str(logical_id), None
        return (str(logical_id), None) if logical_id else (None, None)

    def source(self, value: Any, name_key: str, arn_key: str) -> dict[str, Any]:
        """A trigger's source as params: ``{queue: name, queue_arn: arn}``, each only when known."""
        name, arn = self.name_and_arn(value)
        params: dict[str, Any] = {}
        if name:
            params[name_key] = name
        if arn:
            params[arn_key] = arn
        return params
