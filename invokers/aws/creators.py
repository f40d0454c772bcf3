"""Creating one declared resource in the embedded AWS: one method per CloudFormation type svl-tui creates
(DynamoDB, SQS, SNS, S3, Kinesis, EventBridge, Secrets Manager, SSM), through boto3 on the mock's endpoint,
with the reason a type is skipped and the small converters from template values to API arguments.

Kept apart from reading the templates (``cfn_template.py``) and from the orchestration (``provision.py``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..discovery.trigger_values import NAME_PROPERTY
from ..environment import ACCOUNT_ID
from .cfn_template import generated_name, unresolved
from .resources import SKIPPED, Failed, Provisioned, Resource, parameter_value

if TYPE_CHECKING:
    from .mock import MockAws


_NOT_CREATED = {
    "AWS::IAM::": "permissions are not enforced by the embedded AWS",
    "AWS::Lambda::Permission": "permissions are not enforced by the embedded AWS",
    "AWS::SQS::QueuePolicy": "permissions are not enforced by the embedded AWS",
    "AWS::SNS::TopicPolicy": "permissions are not enforced by the embedded AWS",
    "AWS::S3::BucketPolicy": "permissions are not enforced by the embedded AWS",
    "AWS::Lambda::EventSourceMapping": "svl-tui's event source mappings deliver to the local function",
    "AWS::Serverless::Api": "served locally by 'svl-tui serve'",
    "AWS::Serverless::HttpApi": "served locally by 'svl-tui serve'",
    "AWS::ApiGateway": "served locally by 'svl-tui serve'",
    "AWS::Logs::": "logs are shown by svl-tui itself",
}

CREATED_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "AWS::SQS::Queue", "AWS::SNS::Topic",
                 "AWS::SNS::Subscription", "AWS::S3::Bucket", "AWS::Kinesis::Stream", "AWS::Events::EventBus",
                 "AWS::Events::Rule", "AWS::SecretsManager::Secret", "AWS::SSM::Parameter")


GIVEN_NAME = {**{t: p for t, p in NAME_PROPERTY.items() if t in CREATED_TYPES and t != "AWS::Events::EventBus"},
               "AWS::Serverless::SimpleTable": "TableName", "AWS::Events::Rule": "Name"}
"""The property that names a resource of each type (the bus's Name is required, so never generated)."""

_LOCAL_TARGETS = {"AWS::S3::Bucket": ("NotificationConfiguration",), "AWS::Events::Rule": ("Targets",),
                  "AWS::SNS::Topic": ("Subscription",), "AWS::SNS::Subscription": ("Endpoint",)}


def _lambda_arn(value: Any) -> bool:
    """A Lambda function as a target (an ARN, or a reference we could not resolve: a local function)."""
    return (isinstance(value, str) and ":lambda:" in value) or isinstance(value, dict)


class Maker:
    """Creates one resource at a time through boto3 clients on the mock's endpoint."""

    def __init__(self, mock: MockAws, result: Provisioned) -> None:
        self.mock = mock
        self.result = result
        self.region = mock.region
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.mock.client(service)
        return self._clients[service]

    def make(self, logical_id: str, type_: str, props: dict[str, Any], file: str, note: str = "") -> Resource:
        handler = getattr(self, "_" + type_.replace("AWS::", "").replace("::", "_").lower(), None)
        if handler is None or type_ not in CREATED_TYPES:
            return Resource(logical_id, type_, "", status=SKIPPED, reason=self._skip_reason(type_),
                            properties=props, file=file)
        # a local function as a target stays unresolved (svl-tui delivers to it): only the rest must resolve
        missing = unresolved({k: v for k, v in props.items() if k not in _LOCAL_TARGETS.get(type_, ())})
        if missing:
            raise Failed(f"{missing} cannot be resolved locally (a parameter without Default needs "
                         "--parameter-overrides; a resource must be one created here)")
        made: Resource = handler(logical_id, props)
        return Resource(made.logical_id, type_, made.name, made.arn, made.url, made.stream_arn, made.status,
                        "; ".join(r for r in (note, made.reason) if r), props, file)

    @staticmethod
    def _skip_reason(type_: str) -> str:
        for prefix, reason in _NOT_CREATED.items():
            if type_.startswith(prefix):
                return reason
        return f"{type_} is not created in the embedded AWS (svl-tui creates DynamoDB tables, SQS queues, " \
               "SNS topics, S3 buckets, Kinesis streams, EventBridge buses and rules, secrets and SSM parameters)"

    def name(self, logical_id: str, given: Any, *, limit: int, lower: bool = False, suffix: str = "") -> str:
        if isinstance(given, str) and given:
            return given
        return generated_name(self.result.stack, logical_id, limit=limit, lower=lower, suffix=suffix)

    # DynamoDB
    def _dynamodb_table(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = self.name(logical_id, props.get("TableName"), limit=255)
        request: dict[str, Any] = {"TableName": name, "KeySchema": props.get("KeySchema"),
                                   "AttributeDefinitions": props.get("AttributeDefinitions")}
        if not request["KeySchema"] or not request["AttributeDefinitions"]:
            raise Failed("KeySchema and AttributeDefinitions are required")
        provisioned = props.get("BillingMode") != "PAY_PER_REQUEST" and props.get("ProvisionedThroughput")
        throughput = _throughput(props.get("ProvisionedThroughput"))
        if provisioned:
            request["ProvisionedThroughput"] = throughput
        else:
            request["BillingMode"] = "PAY_PER_REQUEST"
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            indexes = props.get(key)
            if isinstance(indexes, list) and indexes:
                request[key] = [_index(index, throughput if provisioned and key.startswith("Global") else None)
                                for index in indexes]
        stream = props.get("StreamSpecification")
        if isinstance(stream, dict) and stream.get("StreamViewType"):
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        tags = _tags(props.get("Tags"))
        if tags:
            request["Tags"] = tags
        table = self.client("dynamodb").create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if isinstance(ttl, dict) and _true(ttl.get("Enabled")) and ttl.get("AttributeName"):
            self.client("dynamodb").update_time_to_live(TableName=name, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["AttributeName"]})
        return Resource(logical_id, "", name, table["TableArn"], stream_arn=table.get("LatestStreamArn", ""))

    def _serverless_simpletable(self, logical_id: str, props: dict[str, Any]) -> Resource:
        key: dict[str, Any] = props["PrimaryKey"] if isinstance(props.get("PrimaryKey"), dict) else {}
        key_type = {"String": "S", "Number": "N", "Binary": "B"}.get(str(key.get("Type", "String")), "S")
        key_name = str(key.get("Name") or "id")
        table = {"TableName": props.get("TableName"), "KeySchema": [{"AttributeName": key_name, "KeyType": "HASH"}],
                 "AttributeDefinitions": [{"AttributeName": key_name, "AttributeType": key_type}]}
        if props.get("ProvisionedThroughput"):
            table["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        return self._dynamodb_table(logical_id, table)

    # SQS
    def _sqs_queue(self, logical_id: str, props: dict[str, Any]) -> Resource:
        fifo = _true(props.get("FifoQueue"))
        given = props.get("QueueName")
        name = self.name(logical_id, given, limit=80, suffix=".fifo" if fifo else "")
        if fifo and not name.endswith(".fifo"):
            raise Failed(f"QueueName {name!r} of a FIFO queue must end in '.fifo'")
        attributes: dict[str, str] = {}
        for key in ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                    "VisibilityTimeout", "DeduplicationScope", "FifoThroughputLimit", "KmsMasterKeyId",
                    "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"):
            if props.get(key) is not None:
                attributes[key] = _attribute(props[key])
        if fifo:
            attributes["FifoQueue"] = "true"
            if props.get("ContentBasedDeduplication") is not None:
                attributes["ContentBasedDeduplication"] = _attribute(props["ContentBasedDeduplication"])
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            policy = props.get(key)
            if policy is not None:
                attributes[key] = policy if isinstance(policy, str) else json.dumps(policy)
        sqs = self.client("sqs")
        request: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        tags = {t["Key"]: t["Value"] for t in _tags(props.get("Tags"))}
        if tags:
            request["tags"] = tags
        url = sqs.create_queue(**request)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return Resource(logical_id, "", name, arn, url=url)

    # SNS
    def _sns_topic(self, logical_id: str, props: dict[str, Any]) -> Resource:
        fifo = _true(props.get("FifoTopic"))
        name = self.name(logical_id, props.get("TopicName"), limit=256, suffix=".fifo" if fifo else "")
        attributes = {"FifoTopic": "true"} if fifo else {}
        if fifo and props.get("ContentBasedDeduplication") is not None:
            attributes["ContentBasedDeduplication"] = _attribute(props["ContentBasedDeduplication"])
        if props.get("DisplayName"):
            attributes["DisplayName"] = str(props["DisplayName"])
        sns = self.client("sns")
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        skipped = 0
        for subscription in props.get("Subscription") or []:
            if not isinstance(subscription, dict):
                continue
            if subscription.get("Protocol") == "lambda" or unresolved(subscription):
                skipped += 1  # a local function: svl-tui delivers to it, moto cannot
                continue
            sns.subscribe(TopicArn=arn, Protocol=str(subscription.get("Protocol")),
                          Endpoint=str(subscription.get("Endpoint")))
        reason = f"{skipped} lambda subscription(s) are delivered by svl-tui, not the embedded AWS" if skipped else ""
        return Resource(logical_id, "", name, arn, reason=reason)

    def _sns_subscription(self, logical_id: str, props: dict[str, Any]) -> Resource:
        protocol, endpoint, topic = props.get("Protocol"), props.get("Endpoint"), props.get("TopicArn")
        if not isinstance(topic, str) or unresolved(topic):
            raise Failed(f"TopicArn {unresolved(topic) or topic!r} is not a topic created here")
        if protocol == "lambda" or unresolved(endpoint):
            return Resource(logical_id, "", "", status=SKIPPED,
                            reason="a lambda subscription is delivered by svl-tui to the local function")
        attributes = {key: (value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict)
                            else _attribute(value))
                      for key, value in props.items()
                      if key in ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy")}
        arn = self.client("sns").subscribe(TopicArn=topic, Protocol=str(protocol), Endpoint=str(endpoint),
                                           Attributes=attributes, ReturnSubscriptionArn=True)["SubscriptionArn"]
        return Resource(logical_id, "", arn.rsplit(":", 1)[-1], arn)

    # S3
    def _s3_bucket(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = self.name(logical_id, props.get("BucketName"), limit=63, lower=True)
        s3 = self.client("s3")
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        versioning = props.get("VersioningConfiguration")
        if isinstance(versioning, dict) and versioning.get("Status"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
        reason = self._notifications(name, props.get("NotificationConfiguration"))
        return Resource(logical_id, "", name, f"arn:aws:s3:::{name}", reason=reason)

    def _notifications(self, bucket: str, config: Any) -> str:
        if not isinstance(config, dict):
            return ""
        request: dict[str, Any] = {}
        for key, target in (("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")):
            entries = [{f"{target}Arn": entry[target], "Events": [entry["Event"]],
                        **_s3_filter(entry.get("Filter"))}
                       for entry in config.get(key) or [] if isinstance(entry, dict) and
                       isinstance(entry.get(target), str) and isinstance(entry.get("Event"), str)]
            if entries:
                request[key] = entries
        if request:
            self.client("s3").put_bucket_notification_configuration(Bucket=bucket,
                                                                   NotificationConfiguration=request)
        lambdas = len(config.get("LambdaConfigurations") or [])
        return f"{lambdas} lambda notification(s) are delivered by svl-tui, not the embedded AWS" if lambdas else ""

    # Kinesis
    def _kinesis_stream(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = self.name(logical_id, props.get("Name"), limit=128)
        kinesis = self.client("kinesis")
        mode = (props.get("StreamModeDetails") or {}).get("StreamMode") \
            if isinstance(props.get("StreamModeDetails"), dict) else None
        request: dict[str, Any] = {"StreamName": name}
        if mode == "ON_DEMAND":
            request["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
        else:
            request["ShardCount"] = int(props.get("ShardCount") or 1)
        kinesis.create_stream(**request)
        arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        hours = props.get("RetentionPeriodHours")
        if hours is not None and int(hours) > 24:
            kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=int(hours))
        return Resource(logical_id, "", name, arn, stream_arn=arn)

    # values handlers read at start: a secret, an SSM parameter
    def _secretsmanager_secret(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = self.name(logical_id, props.get("Name"), limit=512)
        value = props.get("SecretString")
        if value is None:
            value = _generated_secret(props.get("GenerateSecretString"))
        request = {"Name": name, "SecretString": value if isinstance(value, str) else json.dumps(value)}
        if props.get("Description"):
            request["Description"] = str(props["Description"])
        arn = self.client("secretsmanager").create_secret(**request)["ARN"]
        return Resource(logical_id, "", name, arn)

    def _ssm_parameter(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = self.name(logical_id, props.get("Name"), limit=2048)
        if props.get("Value") is None:
            raise Failed("Value is required")
        value = props["Value"]
        self.client("ssm").put_parameter(Name=name, Type=str(props.get("Type") or "String"), Overwrite=True,
                                         Value=parameter_value(value))
        return Resource(logical_id, "", name, f"arn:aws:ssm:{self.region}:{ACCOUNT_ID}:parameter/{name.lstrip('/')}")

    # EventBridge
    def _events_eventbus(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = props.get("Name")
        if not isinstance(name, str) or not name:
            raise Failed("Name is required")
        arn = self.client("events").create_event_bus(Name=name)["EventBusArn"]
        return Resource(logical_id, "", name, arn)

    def _events_rule(self, logical_id: str, props: dict[str, Any]) -> Resource:
        name = self.name(logical_id, props.get("Name"), limit=64)
        request: dict[str, Any] = {"Name": name, "State": str(props.get("State") or "ENABLED")}
        bus = props.get("EventBusName")
        if isinstance(bus, str) and bus:
            request["EventBusName"] = bus
        pattern = props.get("EventPattern")
        if pattern is not None:
            request["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if props.get("ScheduleExpression"):
            request["ScheduleExpression"] = str(props["ScheduleExpression"])
        if "EventPattern" not in request and "ScheduleExpression" not in request:
            raise Failed("a rule needs EventPattern or ScheduleExpression")
        events = self.client("events")
        arn = events.put_rule(**request)["RuleArn"]
        targets = [t for t in props.get("Targets") or [] if isinstance(t, dict)]
        kept = [{k: v for k, v in t.items() if k in ("Id", "Arn", "Input", "InputPath", "SqsParameters")}
                for t in targets if not _lambda_arn(t.get("Arn"))]
        if kept:
            events.put_targets(Rule=name, EventBusName=request.get("EventBusName", "default"), Targets=kept)
        lambdas = len(targets) - len(kept)
        reason = f"{lambdas} lambda target(s) are delivered by svl-tui, not the embedded AWS" if lambdas else ""
        return Resource(logical_id, "", name, arn, reason=reason)


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _attribute(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _throughput(value: Any) -> dict[str, int]:
    value = value if isinstance(value, dict) else {}
    return {"ReadCapacityUnits": int(value.get("ReadCapacityUnits") or 5),
            "WriteCapacityUnits": int(value.get("WriteCapacityUnits") or 5)}


def _index(index: Any, throughput: dict[str, int] | None) -> dict[str, Any]:
    if not isinstance(index, dict):
        raise Failed(f"a secondary index must be a mapping, got {index!r}")
    made = {key: index[key] for key in ("IndexName", "KeySchema", "Projection") if key in index}
    made.setdefault("Projection", {"ProjectionType": "ALL"})
    if throughput is not None:
        made["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput")) \
            if index.get("ProvisionedThroughput") else throughput
    return made


def _generated_secret(spec: Any) -> str:
    """A value for ``GenerateSecretString`` as Secrets Manager makes one (random, so never the same twice)."""
    import secrets
    import string

    spec = spec if isinstance(spec, dict) else {}
    alphabet = string.ascii_letters + string.digits
    if not _true(spec.get("ExcludePunctuation")):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    alphabet = "".join(c for c in alphabet if c not in str(spec.get("ExcludeCharacters") or ""))
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength") or 32)))
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if isinstance(template, str) and isinstance(key, str):
        try:
            document = json.loads(template)
        except ValueError as exc:
            raise Failed(f"GenerateSecretString.SecretStringTemplate is not JSON: {exc}") from None
        return json.dumps({**document, key: password})
    return password


def _tags(value: Any) -> list[dict[str, str]]:
    if isinstance(value, dict):
        return [{"Key": str(k), "Value": str(v)} for k, v in value.items()]
    if isinstance(value, list):
        return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in value
                if isinstance(t, dict) and "Key" in t]
    return []


def _s3_filter(value: Any) -> dict[str, Any]:
    rules = ((value or {}).get("S3Key") or {}).get("Rules") if isinstance(value, dict) else None
    if not isinstance(rules, list) or not rules:
        return {}
    return {"Filter": {"Key": {"FilterRules": [{"Name": str(r.get("Name")).lower(), "Value": str(r.get("Value"))}
                                               for r in rules if isinstance(r, dict)]}}}
