"""What provisioning made: the records of the project's resources in the embedded AWS (``--mock-aws``).

``Resource`` is one declared resource and what became of it (created, skipped or failed, and why);
``Provisioned`` holds them all and answers ``!Ref``/``!GetAtt`` for discovery; ``listing`` is what the UI
and ``svl-tui aws resources`` show. Kept apart from how they are made (``provision.py``, ``creators.py``)
because the event sources, the mock and the UI read these records and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..discovery.yamlfile import Problem

if TYPE_CHECKING:
    from .mock import MockAws


CREATED, SKIPPED, FAILED = "created", "skipped", "failed"


@dataclass(frozen=True)
class Resource:
    """One declared resource and what became of it in the embedded AWS."""

    logical_id: str          # "OrdersQueue"
    type: str                # "AWS::SQS::Queue"
    name: str                # physical name ("" when skipped)
    arn: str = ""
    url: str = ""            # SQS queue URL
    stream_arn: str = ""     # DynamoDB table stream / Kinesis stream ARN
    status: str = CREATED    # "created" | "skipped" | "failed"
    reason: str = ""         # why skipped/failed
    properties: Mapping[str, Any] = field(default_factory=dict)
    """The template's Properties with intrinsics resolved (batch sizes, redrive, filters for the mappings)."""
    file: str = ""           # the template that declares it ("" for what serverless creates from events)

    def to_dict(self) -> dict[str, Any]:
        return {"logical_id": self.logical_id, "type": self.type, "name": self.name, "arn": self.arn,
                "url": self.url, "stream_arn": self.stream_arn, "status": self.status, "reason": self.reason,
                "file": self.file}


@dataclass
class Provisioned:
    """What ``provision`` made: resources by logical id, answering ``!Ref`` and ``!GetAtt`` as CloudFormation does."""

    resources: dict[str, Resource] = field(default_factory=dict)
    stack: str = "local"
    """The stack name used in generated names and for ``AWS::StackName``."""
    problems: list[Problem] = field(default_factory=list)
    """One warning per failed resource (file, logical id, moto's reason)."""
    seconds: float = 0.0
    """How long creating them took."""

    def ref(self, logical_id: str) -> str | None:
        """``!Ref``: a queue's URL, a topic's or subscription's ARN, otherwise the physical name."""
        resource = self._created(logical_id)
        if resource is None:
            return None
        if resource.type == "AWS::SQS::Queue":
            return resource.url
        if resource.type in ("AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SecretsManager::Secret"):
            return resource.arn
        return resource.name

    def get_att(self, logical_id: str, attribute: str) -> str | None:
        """``!GetAtt Id.Attribute`` for the attributes CloudFormation documents for these types."""
        resource = self._created(logical_id)
        if resource is None:
            return None
        region = resource.arn.split(":")[3] if resource.arn.count(":") >= 4 else ""
        values = {"Arn": resource.arn, "StreamArn": resource.stream_arn, "QueueUrl": resource.url,
                  "QueueName": resource.name, "TopicName": resource.name, "TopicArn": resource.arn,
                  "Name": resource.name}
        if resource.type == "AWS::SSM::Parameter":
            values.update(Type=str(resource.properties.get("Type") or "String"),
                          Value=parameter_value(resource.properties.get("Value", "")))
        if resource.type == "AWS::S3::Bucket":
            values.update(DomainName=f"{resource.name}.s3.amazonaws.com",
                          RegionalDomainName=f"{resource.name}.s3.{region}.amazonaws.com",
                          WebsiteURL=f"http://{resource.name}.s3-website-{region}.amazonaws.com")
        value = values.get(attribute)
        return value or None

    def by_arn(self, arn: str) -> Resource | None:
        """The created resource with this ARN (or stream ARN): how a mapping finds its source."""
        return next((r for r in self.resources.values() if r.status == CREATED and arn in (r.arn, r.stream_arn)),
                    None)

    def _created(self, logical_id: str) -> Resource | None:
        resource = self.resources.get(logical_id)
        return resource if resource is not None and resource.status == CREATED else None


class Failed(Exception):
    """A resource could not be created; the message says why (shown with its logical id and file)."""


def parameter_value(value: Any) -> str:
    """An SSM parameter's value as stored: a StringList given as a YAML list is comma-joined."""
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


_INVENTORY_TYPES = {"dynamodb tables": "AWS::DynamoDB::Table", "sqs queues": "AWS::SQS::Queue",
                    "sns topics": "AWS::SNS::Topic", "s3 buckets": "AWS::S3::Bucket"}


LATER = "created while the session ran (not in the configuration)"


def listing(mock: MockAws) -> list[Resource]:
    """The configuration's resources in creation order, then what else exists in the mock (handlers made it)."""
    declared = list(mock.provisioned.resources.values()) if mock.provisioned else []
    known = {("AWS::DynamoDB::Table" if r.type == "AWS::Serverless::SimpleTable" else r.type, r.name)
             for r in declared}
    later = [Resource("", type_, name, reason=LATER)
             for kind, names in mock.inventory().items() if (type_ := _INVENTORY_TYPES.get(kind))
             for name in names if (type_, name) not in known]
    return declared + later
