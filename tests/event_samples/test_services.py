"""The other generate-event services: each validates, and matches powertools' parser model or data class."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import (
    AppSyncResolverEvent,
    AWSConfigRuleEvent,
    CodePipelineJobEvent,
    ConnectContactFlowEvent,
)
from aws_lambda_powertools.utilities.data_classes.active_mq_event import ActiveMQEvent
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerTokenEvent,
)
from aws_lambda_powertools.utilities.data_classes.rabbit_mq_event import RabbitMQEvent
from aws_lambda_powertools.utilities.parser import models

from event_samples import KINDS, detect, generate, validate
from event_samples.services import COGNITO_TRIGGERS

PARSER_MODELS: list[tuple[str, type, dict[str, Any]]] = [
    ("apigw-websocket", models.APIGatewayWebSocketMessageEventModel, {"route": "sendMessage", "body": {"a": 1}}),
    ("apigw-websocket", models.APIGatewayWebSocketConnectEventModel, {"route": "$connect"}),
    ("apigw-websocket", models.APIGatewayWebSocketDisconnectEventModel, {"route": "$disconnect"}),
    ("appsync-resolver", models.AppSyncResolverEventModel, {"field": "listOrders", "arguments": {"limit": 5}}),
    ("kinesis-firehose", models.KinesisFirehoseModel, {"data": {"n": 1}, "records": 3}),
    ("ses", models.SesModel, {"sender": "a@example.com", "subject": "Hi"}),
    ("cloudformation", models.CloudFormationCustomResourceCreateModel, {"properties": {"Size": "1"}}),
    ("cloudformation", models.CloudFormationCustomResourceUpdateModel, {"request_type": "Update"}),
    ("cloudformation", models.CloudFormationCustomResourceDeleteModel, {"request_type": "Delete"}),
    ("s3-batch", models.S3BatchOperationModel, {"bucket": "b", "key": "k.csv"}),
    ("s3-batch", models.S3BatchOperationModel, {"schema": "2.0"}),
    ("s3-eventbridge", models.S3EventNotificationEventBridgeModel, {"bucket": "b", "key": "a b.txt"}),
    ("kafka", models.KafkaMskEventModel, {"value": {"id": 1}, "records": 2}),
    ("kafka", models.KafkaSelfManagedEventModel, {"self_managed": True}),
]
COGNITO_MODELS = {
    "PreSignUp_SignUp": models.CognitoPreSignupTriggerModel,
    "PostConfirmation_ConfirmSignUp": models.CognitoPostConfirmationTriggerModel,
    "PreAuthentication_Authentication": models.CognitoPreAuthenticationTriggerModel,
    "PostAuthentication_Authentication": models.CognitoPostAuthenticationTriggerModel,
    "CustomMessage_SignUp": models.CognitoCustomMessageTriggerModel,
    "DefineAuthChallenge_Authentication": models.CognitoDefineAuthChallengeTriggerModel,
    "CreateAuthChallenge_Authentication": models.CognitoCreateAuthChallengeTriggerModel,
    "VerifyAuthChallengeResponse_Authentication": models.CognitoVerifyAuthChallengeTriggerModel,
    "UserMigration_Authentication": models.CognitoMigrateUserTriggerModel,
}


@pytest.mark.parametrize(("kind", "model", "params"), PARSER_MODELS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(PARSER_MODELS)])
def test_powertools_parser_models_accept_the_generated_event(kind: str, model: type, params: dict[str, Any]) -> None:
    event = json.loads(json.dumps(generate(kind, **params)))
    assert validate(event, kind) == [] and detect(event) == kind
    model.model_validate(event)  # type: ignore[attr-defined]


@pytest.mark.parametrize("trigger", sorted(COGNITO_TRIGGERS))
def test_every_cognito_trigger_matches_its_model(trigger: str) -> None:
    event = generate("cognito", trigger=trigger)
    assert event["triggerSource"] == trigger and validate(event, "cognito") == []
    if trigger in COGNITO_MODELS:
        COGNITO_MODELS[trigger].model_validate(event)


def test_sam_short_cognito_names_and_unknown_ones() -> None:
    assert generate("cognito", trigger="PreTokenGeneration")["triggerSource"] == "TokenGeneration_Authentication"
    with pytest.raises(ValueError, match="unknown Cognito trigger 'PreSignIn'"):
        generate("cognito", trigger="PreSignIn")


DATA_CLASSES: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], Any]]] = [
    ("apigw-authorizer-token", {"token": "Bearer x", "path": "/orders/1"},
     lambda e: APIGatewayAuthorizerTokenEvent(e).parsed_arn.resource == "orders/1"),
    ("apigw-authorizer-request", {"headers": {"Authorization": "x"}, "method": "POST"},
     lambda e: APIGatewayAuthorizerRequestEvent(e).headers.get("Authorization") == "x"
     and APIGatewayAuthorizerRequestEvent(e).parsed_arn.http_method == "POST"),
    ("appsync-resolver", {"field": "getOrder"}, lambda e: AppSyncResolverEvent(e).field_name == "getOrder"),
    ("config", {"variant": "item-change"},
     lambda e: AWSConfigRuleEvent(e).invoking_event.message_type == "ConfigurationItemChangeNotification"),
    ("config", {"variant": "periodic"},
     lambda e: AWSConfigRuleEvent(e).invoking_event.message_type == "ScheduledNotification"),
    ("codepipeline", {"input_key": "in.zip"},
     lambda e: CodePipelineJobEvent(e).data.input_artifacts[0].location.s3_location.key == "in.zip"),
    ("connect", {"phone": "+15550123"},
     lambda e: ConnectContactFlowEvent(e).contact_data.customer_endpoint.address == "+15550123"),
    ("mq", {"data": "hi", "queue": "jobs"}, lambda e: ActiveMQEvent(e).message.decoded_data == "hi"
     and ActiveMQEvent(e).message.destination_physicalname == "jobs"),
    ("rabbitmq", {"data": "hi", "queue": "jobs"},
     lambda e: RabbitMQEvent(e).rmq_messages_by_queue["jobs::/"][0].decoded_data == "hi"),
]


@pytest.mark.parametrize(("kind", "params", "check"), DATA_CLASSES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(DATA_CLASSES)])
def test_powertools_data_classes_read_the_generated_event(kind: str, params: dict[str, Any],
                                                          check: Callable[[dict[str, Any]], Any]) -> None:
    event = json.loads(json.dumps(generate(kind, **params)))
    assert validate(event, kind) == [] and detect(event) == kind
    assert check(event)


@pytest.mark.parametrize(("kind", "params", "path"), [
    ("cloudfront", {"event_type": "origin-response"}, ("Records", 0, "cf", "response", "status")),
    ("alexa-skills-kit", {"intent": "GetFact"}, ("request", "intent", "name")),
    ("alexa-smart-home", {"directive": "TurnOn"}, ("directive", "endpoint", "endpointId")),
    ("lex", {"intent": "BookCar"}, ("currentIntent", "name")),
    ("lex-v2", {"intent": "BookCar"}, ("sessionState", "intent", "name")),
    ("workmail", {"flow_direction": "OUTBOUND"}, ("flowDirection",)),
    ("codecommit", {"branch": "dev"}, ("Records", 0, "codecommit", "references", 0, "ref")),
])
def test_parameters_land_where_the_service_puts_them(kind: str, params: dict[str, Any],
                                                     path: tuple[str | int, ...]) -> None:
    node: Any = generate(kind, **params)
    assert validate(node, kind) == []
    for key in path:
        node = node[key]
    assert node in ("200", "GetFact", "light-1", "BookCar", "OUTBOUND", "refs/heads/dev")


def test_base64_payloads_decode_to_what_was_given() -> None:
    firehose = generate("kinesis-firehose", data={"n": 1}, records=2)
    assert [json.loads(base64.b64decode(r["data"])) for r in firehose["records"]] == [{"n": 1}] * 2
    kafka = generate("kafka", value="v", key="k", topic="orders")
    record = kafka["records"]["orders-0"][0]
    assert base64.b64decode(record["value"]) == b"v" and base64.b64decode(record["key"]) == b"k"


def test_validation_names_the_missing_field_once() -> None:
    issues = validate({"Records": [{"cf": {}}]}, "cloudfront")
    assert [i.path for i in issues] == ["$.Records[0].cf.config", "$.Records[0].cf.request"]
    bad = generate("kinesis-firehose")
    bad["records"][0]["data"] = "%%%"
    assert [i.message for i in validate(bad, "kinesis-firehose")] == ["is not base64"]


def test_bad_choices_are_refused_with_the_allowed_values() -> None:
    for kind, params, message in [("cloudfront", {"event_type": "edge"}, "viewer-request"),
                                  ("cloudformation", {"request_type": "Patch"}, "Create, Update or Delete"),
                                  ("config", {"variant": "x"}, "item-change"),
                                  ("s3-batch", {"schema": "3"}, "1.0 or 2.0"),
                                  ("alexa-smart-home", {"directive": "Dim"}, "Discover")]:
        with pytest.raises(ValueError, match=message):
            generate(kind, **params)


def test_catalogue_has_every_generate_event_service() -> None:
    """sam local generate-event's services (rekognition's sample is an S3 put: use s3) plus MQ, Kafka, WebSocket."""
    sam_services = {"alexa-skills-kit", "alexa-smart-home", "alb", "apigw-rest", "apigw-http",
                    "apigw-authorizer-token", "apigw-authorizer-request", "appsync-resolver", "batch",
                    "cloudformation", "cloudfront", "codecommit", "codepipeline", "cognito-sync", "config", "connect",
                    "dynamodb", "cloudwatch-logs", "eventbridge-scheduled", "kinesis", "kinesis-firehose", "lex",
                    "lex-v2", "s3", "s3-batch", "sagemaker-ground-truth", "ses", "sns", "sqs", "stepfunctions",
                    "workmail"}
    extras = {"mq", "rabbitmq", "kafka", "apigw-websocket", "cognito", "s3-eventbridge"}
    assert sam_services | extras <= set(KINDS)
