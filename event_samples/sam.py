"""``sam local generate-event`` compatibility: every service and variant it offers, with its parameter names.

SAM CLI's ``samcli/lib/generated_sample_events/event-mapping.json`` lists 26
services and their variants (``sqs receive-message``, ``kinesis analytics``
...), each with its "tags" (``--queue-name``, ``--bucket``, ``--region``...).
``VARIANTS`` maps each of them to one of our kinds with the parameters that
make that variant; ``TAGS`` maps each kind's SAM tag names to our parameter
names (ours stay valid: SAM's names are aliases), and ``SETTERS`` the tags our
builders have no parameter for to the field they set. ``--region``,
``--account-id`` and ``--partition`` apply to every kind, ``--dns-suffix``
wherever the event names an AWS endpoint.

One difference, on purpose: ``--data`` is always the plain text, which we
base64-encode for you (SAM takes base64 for some variants and plain text for
others).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ENV_TAGS = {"region": "region", "account_id": "account", "partition": "partition"}
"""Tags that set where the event comes from (``Env``), for every kind."""


@dataclass(frozen=True)
class Variant:
    """One ``sam local generate-event SERVICE VARIANT``: our kind and the parameters that make it."""

    kind: str
    preset: dict[str, Any] = field(default_factory=dict)


def _cloudfront(event_type: str = "viewer-request", querystring: str = "") -> Variant:
    return Variant("cloudfront", {"event_type": event_type, "querystring": querystring} if querystring
                   else {"event_type": event_type})


VARIANTS: dict[str, dict[str, Variant]] = {
    "alexa-skills-kit": {
        "end-session": Variant("alexa-skills-kit", {"request_type": "SessionEndedRequest"}),
        "intent-answer": Variant("alexa-skills-kit", {"request_type": "IntentRequest", "intent": "AnswerIntent"}),
        "intent-getnewfact": Variant("alexa-skills-kit", {"request_type": "IntentRequest",
                                                          "intent": "GetNewFactIntent"}),
        "intent-mycoloris": Variant("alexa-skills-kit", {"request_type": "IntentRequest",
                                                         "intent": "MyColorIsIntent"}),
        "intent-recipe": Variant("alexa-skills-kit", {"request_type": "IntentRequest", "intent": "RecipeIntent"}),
        "start-session": Variant("alexa-skills-kit", {"request_type": "LaunchRequest"}),
    },
    "alexa-smart-home": {
        "smart-home-control-turn-off-request": Variant("alexa-smart-home", {"directive": "TurnOff"}),
        "smart-home-control-turn-on-request": Variant("alexa-smart-home", {"directive": "TurnOn"}),
        "smart-home-discovery-request": Variant("alexa-smart-home", {"directive": "Discover"}),
    },
    "alb": {"request": Variant("alb")},
    "apigateway": {
        "authorizer": Variant("apigw-authorizer-token"),
        "request-authorizer": Variant("apigw-authorizer-request"),
        "aws-proxy": Variant("apigw-rest"),
        "http-api-proxy": Variant("apigw-http"),
    },
    "appsync": {"resolver": Variant("appsync-resolver")},
    "batch": {"get-job": Variant("batch"), "submit-job": Variant("batch")},
    "cloudformation": {"create-request": Variant("cloudformation", {"request_type": "Create"})},
    "cloudfront": {
        "ab-test": _cloudfront(),
        "access-request-in-response": _cloudfront("viewer-response"),
        "http-redirect": _cloudfront(),
        "modify-querystring": _cloudfront(querystring="auth=test&foo=bar"),
        "modify-response-header": _cloudfront("origin-response"),
        "multiple-remote-calls-aggregate-response": _cloudfront(),
        "normalize-querystring-to-improve-cache-hit": _cloudfront(querystring="size=LARGE&color=RED"),
        "redirect-on-viewer-country": _cloudfront(),
        "redirect-unauthenticated-users": _cloudfront(querystring="foo=bar"),
        "response-generation": _cloudfront(),
        "serve-object-on-viewer-device": _cloudfront("origin-request"),
        "simple-remote-call": _cloudfront(),
    },
    "codecommit": {"repository": Variant("codecommit")},
    "codepipeline": {"job": Variant("codepipeline")},
    "cognito": {"sync-trigger": Variant("cognito-sync")},
    "config": {
        "item-change-notification": Variant("config", {"variant": "item-change"}),
        "oversized-item-change-notification": Variant("config", {"variant": "oversized"}),
        "periodic-rule": Variant("config", {"variant": "periodic"}),
    },
    "connect": {"contact-flow-event": Variant("connect")},
    "dynamodb": {"update": Variant("dynamodb", {"event_name": "MODIFY"})},
    "cloudwatch": {"logs": Variant("cloudwatch-logs"), "scheduled-event": Variant("eventbridge-scheduled")},
    "kinesis": {
        "get-records": Variant("kinesis"),
        "kinesis-firehose": Variant("kinesis-firehose"),
        "analytics": Variant("kinesis-analytics"),
        "analytics-compressed": Variant("kinesis-analytics", {"variant": "compressed"}),
        "analytics-dynamodb": Variant("kinesis-analytics", {"variant": "dynamodb"}),
        "analytics-kpl": Variant("kinesis-analytics", {"variant": "kpl"}),
        "apachelog": Variant("kinesis-firehose", {"variant": "apachelog"}),
        "cloudwatch-logs-processor": Variant("kinesis-firehose", {"variant": "cloudwatch-logs-processor"}),
        "streams-as-source": Variant("kinesis-firehose", {"variant": "streams-as-source"}),
        "syslog": Variant("kinesis-firehose", {"variant": "syslog"}),
    },
    "lex": {
        "book-car": Variant("lex", {"intent": "BookCar"}),
        "book-hotel": Variant("lex", {"intent": "BookHotel"}),
        "make-appointment": Variant("lex", {"intent": "MakeAppointment"}),
        "order-flowers": Variant("lex", {"intent": "OrderFlowers"}),
    },
    "lex-v2": {
        "banking-bot": Variant("lex-v2", {"intent": "CheckBalance"}),
        "book-car": Variant("lex-v2", {"intent": "BookCar"}),
        "book-hotel": Variant("lex-v2", {"intent": "BookHotel"}),
    },
    "rekognition": {"s3-request": Variant("rekognition")},
    "s3": {
        "batch-invocation": Variant("s3-batch"),
        "delete": Variant("s3", {"event_name": "ObjectRemoved:Delete"}),
        "put": Variant("s3", {"event_name": "ObjectCreated:Put"}),
    },
    "sagemaker": {
        "ground-truth-pre-human": Variant("sagemaker-ground-truth"),
        "ground-truth-annotation-consolidation": Variant("sagemaker-annotation-consolidation"),
    },
    "ses": {"email-receiving": Variant("ses")},
    "sns": {"notification": Variant("sns")},
    "sqs": {"receive-message": Variant("sqs")},
    "stepfunctions": {"error": Variant("stepfunctions")},
    "workmail": {"email": Variant("workmail")},
}
"""Every service and variant of ``sam local generate-event`` (SAM CLI 1.x event-mapping.json): none is skipped."""


def _bucket_from_arn(value: str) -> str:
    return value.rsplit(":", 1)[-1] if value.startswith("arn:") else value


Alias = str | tuple[str, Callable[[str], Any]]

TAGS: dict[str, dict[str, Alias]] = {
    "alexa-skills-kit": {"application_id": "skill_id"},
    "apigw-authorizer-token": {"resource": "path"},
    "apigw-authorizer-request": {"resource": "path"},
    "apigw-rest": {"querystringparameters": "query"},
    "codecommit": {},
    "connect": {"phone_number": "phone"},
    "kinesis": {},
    "rekognition": {},
    "s3-batch": {"bucket_arn": ("bucket", _bucket_from_arn)},
    "sagemaker-ground-truth": {"labeling_job_name": "job"},
    "sagemaker-annotation-consolidation": {},
    "sqs": {"queue_name": "queue"},
    "workmail": {},
}
"""SAM's tag names (with ``_`` for ``-``) that differ from our parameter names, per kind."""


def _set(*path: str | int) -> Callable[[Any, str], None]:
    """A setter of the field at ``path`` (an int indexes every item of a list: ``Records[*]``)."""
    def apply(event: Any, value: str) -> None:
        targets = [event]
        for step in path[:-1]:
            if isinstance(step, int):
                targets = [item for target in targets for item in (target if isinstance(target, list) else [])]
            else:
                targets = [target.setdefault(step, {}) for target in targets if isinstance(target, dict)]
        for target in targets:
            if isinstance(target, dict):
                target[str(path[-1])] = value

    return apply


def _replace(old: str) -> Callable[[Any, str], None]:
    """A setter that replaces ``old`` in every string of the event (an id or a suffix used in several places)."""
    def apply(event: Any, value: str) -> None:
        replace_strings(event, old, value)

    return apply


SETTERS: dict[str, dict[str, Callable[[Any, str], None]]] = {
    "alexa-skills-kit": {"session_id": _set("session", "sessionId"), "user_id": _replace("amzn1.ask.account.1"),
                         "request_id": _set("request", "requestId")},
    "apigw-authorizer-token": {"restapiid": _replace("abc123")},
    "apigw-authorizer-request": {"restapiid": _replace("abc123")},
    "codecommit": {"trigger": _set("Records", 0, "eventTriggerName"), "custom_data": _set("Records", 0, "customData")},
    "kinesis": {"sequence": _set("Records", 0, "kinesis", "sequenceNumber")},
    "workmail": {"sender": _set("sender", "address")},
}
"""SAM tags our builders have no parameter for: the field each sets in the generated event."""


def replace_strings(value: Any, old: str, new: str) -> Any:
    """``value`` with ``old`` replaced by ``new`` in every string, in place for lists and dicts."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        value[:] = [replace_strings(item, old, new) for item in value]
    elif isinstance(value, dict):
        for key in list(value):
            value[key] = replace_strings(value[key], old, new)
    return value


@dataclass
class Split:
    """A kind's parameters with SAM's tags sorted out."""

    params: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)
    setters: list[tuple[Callable[[Any, str], None], str]] = field(default_factory=list)


def split(kind: str, values: dict[str, Any]) -> Split:
    """``values`` (our names or SAM's) as the builder's parameters, the ``Env`` fields and the setters to apply."""
    aliases = TAGS.get(kind, {})
    setters = SETTERS.get(kind, {})
    result = Split({})
    for name, value in values.items():
        key = name.replace("-", "_").lower()  # our names are snake case; SAM's restApiId becomes restapiid
        if key in ENV_TAGS:
            result.env[ENV_TAGS[key]] = str(value)
        elif key == "dns_suffix":
            result.setters.append((_replace("amazonaws.com"), str(value)))
        elif key in aliases:
            alias = aliases[key]
            target, convert = (alias, None) if isinstance(alias, str) else alias
            result.params[target] = convert(value) if convert and isinstance(value, str) else value
        elif key in setters:
            result.setters.append((setters[key], str(value)))
        else:
            result.params[key] = value
    return result


def variant(service: str, name: str) -> Variant:
    """``sam local generate-event SERVICE NAME``; a ValueError listing what exists otherwise."""
    variants = VARIANTS.get(service)
    if variants is None:
        raise ValueError(f"sam local generate-event has no service {service!r}; services: {', '.join(VARIANTS)}")
    found = variants.get(name)
    if found is None:
        raise ValueError(f"{service} has no variant {name!r}; variants: {', '.join(variants)}")
    return found
