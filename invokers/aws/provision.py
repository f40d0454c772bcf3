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
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..discovery import sam, serverless
from ..discovery.settings import samconfig_overrides
from ..discovery.trigger_values import NAME_PROPERTY
from ..discovery.yamlfile import ConfigFileError, Problem, YamlDocument, load
from ..environment import ACCOUNT_ID

if TYPE_CHECKING:
    from ..discovery import Discovery
    from ..models import FunctionSpec
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
                          Value=_parameter_value(resource.properties.get("Value", "")))
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


# ---- reading the templates -------------------------------------------------

@dataclass
class _Declared:
    logical_id: str
    type: str
    properties: Any
    depends_on: list[str]
    doc: YamlDocument
    section: tuple[str, ...] = ("Resources",)  # where the file declares it, for the problem's line


def provision(discovery: Discovery, mock: MockAws) -> Provisioned:
    """Create in ``mock`` what the project's template / serverless.yml declare; return what exists.

    Input is a Discovery (its folder, settings and the functions' triggers),
    read once before provisioning; discovery is then run again with the
    result in ``Settings.resources`` so environments see the real names
    (``cli_project.discover_with_mock`` does both).
    """
    started = time.perf_counter()
    result = Provisioned()
    declared, stack, scope_of = _declared(discovery, result)
    result.stack = stack
    maker = _Maker(mock, result)
    for item in _ordered([d for d in declared if d.type not in _FUNCTION_TYPES], result):  # functions run locally
        if item.type == "?":
            _fail(result, item, "expected a mapping with 'Type' (and 'Properties')")
            continue
        scope = scope_of(item.doc)
        try:
            properties = _deep(scope, item.properties if isinstance(item.properties, dict) else {})
            if item.properties is not None and not isinstance(item.properties, dict):
                raise Failed("Properties must be a mapping")
            properties, note = _unnamed(item.type, properties, scope.missing)
            result.resources[item.logical_id] = maker.make(item.logical_id, item.type, properties,
                                                           item.doc.path.name, note)
        except Failed as exc:
            _fail(result, item, str(exc))
        except Exception as exc:  # noqa: BLE001 - moto's refusal becomes a line, never a traceback
            _fail(result, item, _aws_message(exc))
    _implicit(discovery.functions, maker, result)
    result.seconds = time.perf_counter() - started
    return result


def _unnamed(type_: str, props: dict[str, Any], missing: set[str]) -> tuple[dict[str, Any], str]:
    """Drop a name that is ``!Ref`` of a parameter nobody gave a value (and say so), so the resource is named
    as CloudFormation names unnamed ones; e.g. `sam init`'s S3 template's ``BucketName: !Ref AppBucketName``.

    CloudFormation would refuse to deploy without the parameter; a local run can do better.
    """
    key = _GIVEN_NAME.get(type_)
    value = props.get(key) if key else None
    parameter = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
    if key is None or not isinstance(parameter, str) or parameter not in missing:
        return props, ""
    return ({k: v for k, v in props.items() if k != key},
            f"{key} !Ref {parameter}: the parameter has no Default and no --parameter-overrides value, so it is "
            "named as CloudFormation names unnamed resources")


def _fail(result: Provisioned, item: _Declared, reason: str) -> None:
    result.resources[item.logical_id] = Resource(item.logical_id, item.type, "", status=FAILED, reason=reason,
                                                 file=item.doc.path.name)
    result.problems.append(item.doc.problem(f"{item.type} {item.logical_id} was not created in the embedded AWS: "
                                            f"{reason}", *item.section, item.logical_id, severity="warning"))


def _aws_message(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        error = response["Error"]
        return f"{error.get('Code', type(exc).__name__)}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def _declared(discovery: Discovery, result: Provisioned) -> tuple[list[_Declared], str, Callable[[YamlDocument],
                                                                                                   sam.Scope]]:
    """The declared resources of the project's SAM template and serverless.yml, with a scope per file."""
    root = Path(discovery.project)
    declared: list[_Declared] = []
    scopes: dict[Path, sam.Scope] = {}
    stack = ""
    for filename in sam.FILENAMES:
        path = root / filename
        if path.is_file():
            doc = _load(path, result)
            data = doc.data if doc is not None and isinstance(doc.data, dict) else None
            if doc is None or data is None or not isinstance(data.get("Resources"), dict):
                break
            overrides, _ = samconfig_overrides(root)
            stack = result.stack = _samconfig_stack(root) or _stack_name(root.name)  # before the scope reads it
            parameters: dict[str, Any] = data["Parameters"] if isinstance(data.get("Parameters"), dict) else {}
            scopes[doc.path] = sam.Scope(parameters, {**overrides, **discovery.settings.parameter_overrides},
                                         result)
            declared += _items(data["Resources"], doc)
            break
    for filename in serverless.FILENAMES:
        path = root / filename
        if path.is_file():
            doc = _load(path, result)
            if doc is None:
                break
            resources, service_stack = serverless.cloudformation(doc, discovery.settings)
            stack = result.stack = stack or service_stack
            scopes[doc.path] = sam.Scope({}, {}, result)
            declared += _items(resources, doc, ("resources", "Resources"))
            break
    result.stack = stack or "local"

    def scope_of(doc: YamlDocument) -> sam.Scope:
        return scopes[doc.path]

    return declared, result.stack, scope_of


def _load(path: Path, result: Provisioned) -> YamlDocument | None:
    try:
        return load(path)
    except ConfigFileError as exc:
        result.problems.append(exc.problem)  # discovery reports it too; here it explains why nothing was created
        return None


def _items(resources: dict[str, Any], doc: YamlDocument,
           section: tuple[str, ...] = ("Resources",)) -> list[_Declared]:
    items = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            items.append(_Declared(str(logical_id), "?", None, [], doc, section))
            continue
        depends = resource.get("DependsOn") or []
        items.append(_Declared(str(logical_id), str(resource.get("Type") or "?"), resource.get("Properties"),
                               [str(d) for d in (depends if isinstance(depends, list) else [depends])], doc,
                               section))
    return items


def _samconfig_stack(root: Path) -> str:
    """``stack_name`` from samconfig.toml's default environment, as ``sam deploy`` would use it."""
    from ..discovery.settings import SAMCONFIG_FILES, tomllib

    path = root / SAMCONFIG_FILES[0]
    if not path.is_file():
        return ""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    default = data.get("default") if isinstance(data.get("default"), dict) else {}
    for section in ("deploy", "global"):
        params = (default.get(section) or {}).get("parameters") or {}
        if isinstance(params, dict) and isinstance(params.get("stack_name"), str):
            return _stack_name(params["stack_name"])
    return ""


def _stack_name(text: str) -> str:
    """A valid CloudFormation stack name from a folder name: letters, digits and hyphens, starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")
    return name if name[:1].isalpha() else f"stack-{name}".rstrip("-")


# ---- order and intrinsics --------------------------------------------------

def _references(value: Any) -> set[str]:
    """Logical ids a value refers to (``Ref``, ``Fn::GetAtt``, ``${Id}`` / ``${Id.Attr}`` in ``Fn::Sub``)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and parts and isinstance(parts[0], str):
                    found.add(parts[0])
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text)}
                found |= _references(arg[1:] if isinstance(arg, list) else [])
            else:
                found |= _references(arg)
    return found


def _ordered(declared: list[_Declared], result: Provisioned) -> list[_Declared]:
    """Declared resources with each one after those it refers to; a cycle is reported, not looped on."""
    by_id = {item.logical_id: item for item in declared}
    needs = {item.logical_id: ((_references(item.properties) | set(item.depends_on)) & set(by_id)) - {item.logical_id}
             for item in declared}
    ordered: list[_Declared] = []
    done: set[str] = set()
    while len(done) < len(declared):
        ready = [item for item in declared if item.logical_id not in done and needs[item.logical_id] <= done]
        if not ready:
            for item in declared:
                if item.logical_id not in done:
                    waits = ", ".join(sorted(needs[item.logical_id] - done))
                    _fail(result, item, f"circular reference: it needs {waits}, which need it")
            break
        ordered += ready
        done |= {item.logical_id for item in ready}
    return ordered


def _deep(scope: sam.Scope, value: Any) -> Any:
    """``value`` with every intrinsic the scope can answer replaced by its value (arguments first)."""
    if isinstance(value, list):
        return [_deep(scope, item) for item in value]
    if not isinstance(value, dict):
        return scope.resolve(value) if isinstance(value, str) else value
    if len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref" or name == "Fn::GetAtt":
            return scope.resolve(value)
        if name == "Fn::Sub":
            if isinstance(arg, list) and len(arg) > 1:
                return scope.resolve({name: [arg[0], _deep(scope, arg[1])]})
            return scope.resolve(value)
        if name.startswith("Fn::"):
            return scope.resolve({name: _deep(scope, arg)})
    return {key: _deep(scope, item) for key, item in value.items()}


def _unresolved(value: Any) -> str | None:
    """The first intrinsic left in a resolved value, as written (``!GetAtt Fn.Arn``), or None."""
    if isinstance(value, list):
        return next((found for item in value if (found := _unresolved(item))), None)
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            (name, arg), = value.items()
            return f"!{name.removeprefix('Fn::')} {'.'.join(arg) if isinstance(arg, list) else arg}"
        return next((found for item in value.values() if (found := _unresolved(item))), None)
    return None


# ---- names -----------------------------------------------------------------

def generated_name(stack: str, logical_id: str, *, limit: int, lower: bool = False, suffix: str = "") -> str:
    """CloudFormation's name for a resource that sets none: ``<stack>-<LogicalId>-<SUFFIX>``.

    The suffix is 12 characters of a hash of the stack and the id, so a run
    gives the same names every time; parts are cut as CloudFormation does to
    keep within the service's length ``limit``.
    """
    digest = hashlib.sha256(f"{stack}/{logical_id}".encode()).hexdigest().upper()
    tail = digest[:12]
    room = limit - len(tail) - len(suffix) - 2
    head_stack = stack[: max(1, room // 2)] if len(stack) + len(logical_id) > room else stack
    head_id = logical_id[: max(1, room - len(head_stack))]
    name = f"{head_stack}-{head_id}-{tail}{suffix}"
    return name.lower() if lower else name


# ---- creating ---------------------------------------------------------------

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
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::Serverless::LayerVersion",
                   "AWS::Lambda::LayerVersion", "AWS::Serverless::Application", "AWS::Lambda::Version",
                   "AWS::Lambda::Alias", "AWS::Lambda::Url", "AWS::Lambda::EventInvokeConfig")
CREATED_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "AWS::SQS::Queue", "AWS::SNS::Topic",
                 "AWS::SNS::Subscription", "AWS::S3::Bucket", "AWS::Kinesis::Stream", "AWS::Events::EventBus",
                 "AWS::Events::Rule", "AWS::SecretsManager::Secret", "AWS::SSM::Parameter")


_GIVEN_NAME = {**{t: p for t, p in NAME_PROPERTY.items() if t in CREATED_TYPES and t != "AWS::Events::EventBus"},
               "AWS::Serverless::SimpleTable": "TableName", "AWS::Events::Rule": "Name"}
"""The property that names a resource of each type (the bus's Name is required, so never generated)."""
_LOCAL_TARGETS = {"AWS::S3::Bucket": ("NotificationConfiguration",), "AWS::Events::Rule": ("Targets",),
                  "AWS::SNS::Topic": ("Subscription",), "AWS::SNS::Subscription": ("Endpoint",)}


def _lambda_arn(value: Any) -> bool:
    """A Lambda function as a target (an ARN, or a reference we could not resolve: a local function)."""
    return (isinstance(value, str) and ":lambda:" in value) or isinstance(value, dict)


class _Maker:
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
        missing = _unresolved({k: v for k, v in props.items() if k not in _LOCAL_TARGETS.get(type_, ())})
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
            if subscription.get("Protocol") == "lambda" or _unresolved(subscription):
                skipped += 1  # a local function: svl-tui delivers to it, moto cannot
                continue
            sns.subscribe(TopicArn=arn, Protocol=str(subscription.get("Protocol")),
                          Endpoint=str(subscription.get("Endpoint")))
        reason = f"{skipped} lambda subscription(s) are delivered by svl-tui, not the embedded AWS" if skipped else ""
        return Resource(logical_id, "", name, arn, reason=reason)

    def _sns_subscription(self, logical_id: str, props: dict[str, Any]) -> Resource:
        protocol, endpoint, topic = props.get("Protocol"), props.get("Endpoint"), props.get("TopicArn")
        if not isinstance(topic, str) or _unresolved(topic):
            raise Failed(f"TopicArn {_unresolved(topic) or topic!r} is not a topic created here")
        if protocol == "lambda" or _unresolved(endpoint):
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
                                         Value=_parameter_value(value))
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


def _implicit(functions: list[FunctionSpec], maker: _Maker, result: Provisioned) -> None:
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


# ---- small converters --------------------------------------------------------

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


def _parameter_value(value: Any) -> str:
    """An SSM parameter's value as stored: a StringList given as a YAML list is comma-joined."""
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


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



# ---- the list the UI and `svl-tui aws resources` show -------------------------

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
