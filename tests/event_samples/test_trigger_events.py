"""The event each trigger sends: fields filled from the trigger, valid for its kind and for powertools' models."""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.utilities.parser import models

from event_samples import validate
from event_samples.common import Env
from event_samples.patterns import matches
from event_samples.triggers import concrete_path, event_for, event_matching

ENV = Env(region="eu-west-1", account="111122223333", now=1_700_000_000.0)


def made(kind: str, params: dict[str, Any]) -> tuple[str | None, Any]:
    result = event_for(kind, params, ENV)
    assert result is not None
    if result.kind is not None:
        assert [i for i in validate(result.event, result.kind) if i.severity == "error"] == []
    return result.kind, json.loads(json.dumps(result.event))


def test_concrete_path_fills_ids_and_greedy_parameters() -> None:
    assert concrete_path("/orders/{id}/items/{itemId}") == ("/orders/123/items/123", {"id": "123", "itemId": "123"})
    assert concrete_path("/files/{proxy+}") == ("/files/hello/world", {"proxy": "hello/world"})
    assert concrete_path("/users/{name}") == ("/users/example", {"name": "example"})


def test_rest_api_route_opens_with_its_method_path_parameters_and_stage() -> None:
    kind, event = made("api", {"path": "/orders/{id}", "method": "GET", "stage": "Prod", "api": "ServerlessRestApi"})
    assert kind == "apigw-rest"
    models.APIGatewayProxyEventModel.model_validate(event)
    assert event["httpMethod"] == "GET" and event["path"] == "/orders/123"
    assert event["resource"] == "/orders/{id}" and event["pathParameters"] == {"id": "123"}
    ctx = event["requestContext"]
    assert ctx["stage"] == "Prod" and ctx["resourcePath"] == "/orders/{id}" and ctx["path"] == "/Prod/orders/123"


def test_any_method_opens_as_get() -> None:
    assert made("api", {"path": "/x", "method": "ANY"})[1]["httpMethod"] == "GET"


def test_http_api_route_payload_2_and_1() -> None:
    kind, event = made("http_api", {"path": "/items/{id}", "method": "PUT", "route_key": "PUT /items/{id}",
                                    "stage": "v1", "payload_format": "2.0"})
    assert kind == "apigw-http"
    models.APIGatewayProxyEventV2Model.model_validate(event)
    assert event["routeKey"] == "PUT /items/{id}" and event["rawPath"] == "/items/123"
    assert event["pathParameters"] == {"id": "123"} and event["requestContext"]["stage"] == "v1"
    assert event["requestContext"]["http"]["method"] == "PUT"
    kind, v1 = made("http_api", {"path": "/a", "method": "GET", "route_key": "GET /a", "payload_format": "1.0"})
    assert kind == "apigw-rest" and v1["version"] == "1.0" and v1["requestContext"]["routeKey"] == "GET /a"
    _, catch_all = made("http_api", {"path": "/{proxy+}", "method": "ANY", "route_key": "$default"})
    assert catch_all["routeKey"] == "$default" and catch_all["pathParameters"] == {"proxy": "hello/world"}


def test_sqs_batch_names_the_queue_and_a_full_arn_keeps_its_region() -> None:
    _, event = made("sqs", {"queue": "OrdersQueue"})
    models.SqsModel.model_validate(event)
    record = event["Records"][0]
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:111122223333:OrdersQueue"
    _, other = made("sqs", {"queue": "q", "queue_arn": "arn:aws:sqs:us-west-2:999988887777:q"})
    assert other["Records"][0]["eventSourceARN"] == "arn:aws:sqs:us-west-2:999988887777:q"
    assert other["Records"][0]["awsRegion"] == "us-west-2"


def test_sqs_body_passes_the_event_source_filter() -> None:
    _, event = made("sqs", {"queue": "q", "filters": [{"body": {"kind": ["order"], "total": [{"numeric": [">", 9]}]}}]})
    body = json.loads(event["Records"][0]["body"])
    assert matches({"kind": ["order"], "total": [{"numeric": [">", 9]}]}, body)


def test_sns_topic_and_filter_policy_attributes() -> None:
    _, event = made("sns", {"topic": "alerts", "filter_policy": {"color": ["red", "blue"]}})
    models.SnsModel.model_validate(event)
    sns = event["Records"][0]["Sns"]
    assert sns["TopicArn"] == "arn:aws:sns:eu-west-1:111122223333:alerts"
    assert sns["MessageAttributes"]["color"] == {"Type": "String", "Value": "red"}


def test_streams_name_their_stream_and_table() -> None:
    _, kinesis = made("kinesis", {"stream": "clicks"})
    models.KinesisDataStreamModel.model_validate(kinesis)
    assert kinesis["Records"][0]["eventSourceARN"] == "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks"
    _, filtered = made("kinesis", {"stream": "s", "filters": [{"data": {"type": ["click"]}}]})
    assert json.loads(base64.b64decode(filtered["Records"][0]["kinesis"]["data"])) == {"type": "click"}
    _, dynamo = made("dynamodb", {"table": "Users"})
    models.DynamoDBStreamModel.model_validate(dynamo)
    arn = dynamo["Records"][0]["eventSourceARN"]
    assert arn.startswith("arn:aws:dynamodb:eu-west-1:111122223333:table/Users/stream/")


def test_s3_bucket_event_and_key_from_the_filter_rules() -> None:
    _, event = made("s3", {"bucket": "uploads", "events": ["s3:ObjectCreated:*"], "prefix": "in/", "suffix": ".csv"})
    models.S3Model.model_validate(event)
    record = event["Records"][0]
    assert record["s3"]["bucket"]["name"] == "uploads" and record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["key"] == "in/report.csv"
    _, removed = made("s3", {"bucket": "b", "events": ["s3:ObjectRemoved:*"]})
    assert removed["Records"][0]["eventName"] == "ObjectRemoved:Delete"


def test_schedule_rule_input_and_scheduler() -> None:
    kind, event = made("schedule", {"expression": "rate(5 minutes)", "rule": "nightly"})
    models.EventBridgeModel.model_validate(event)
    assert kind == "eventbridge-scheduled"
    assert event["resources"] == ["arn:aws:events:eu-west-1:111122223333:rule/nightly"]
    assert made("schedule", {"expression": "rate(1 day)", "input": {"full": True}}) == (None, {"full": True})
    assert made("schedule", {"expression": "rate(1 day)", "scheduler": True}) == (None, {})


def test_eventbridge_rule_event_matches_its_pattern() -> None:
    pattern = {"source": ["shop.orders"], "detail-type": ["OrderPlaced"],
               "detail": {"total": [{"numeric": [">=", 100]}], "status": [{"anything-but": "CANCELLED"}]}}
    kind, event = made("eventbridge", {"pattern": pattern, "bus": "shop", "rule": "big-orders"})
    models.EventBridgeModel.model_validate(event)
    assert kind == "eventbridge" and matches(pattern, event)
    assert event["source"] == "shop.orders" and event["detail-type"] == "OrderPlaced"
    assert event_matching({"resources": [{"prefix": "arn:aws:s3"}]}, ENV)["resources"] == ["arn:aws:s3example"]
    assert made("eventbridge", {"pattern": pattern, "input": {"x": 1}}) == (None, {"x": 1})


def test_logs_function_url_alb_and_azure_http() -> None:
    _, logs = made("cloudwatch_logs", {"log_group": "/app/logs"})
    models.CloudWatchLogsModel.model_validate(logs)
    _, url = made("function_url", {"auth_type": "NONE"})
    models.LambdaFunctionUrlModel.model_validate(url)
    _, alb = made("alb", {"path": "/users", "method": "POST"})
    models.AlbModel.model_validate(alb)
    assert alb["httpMethod"] == "POST" and alb["path"] == "/users"
    kind, azure = made("azure_http", {"route": "orders/{id}", "methods": ["post"]})
    assert kind == "azure-http" and azure["method"] == "POST" and azure["params"] == {"id": "123"}
    assert azure["url"].endswith("/api/orders/123")


def test_unknown_trigger_kind_has_no_event() -> None:
    assert event_for("carrier-pigeon", {}) is None


def test_websocket_cognito_kafka_mq_alexa_and_iot_triggers() -> None:
    kind, socket = made("websocket", {"route": "$connect", "stage": "dev"})
    models.APIGatewayWebSocketConnectEventModel.model_validate(socket)
    assert kind == "apigw-websocket" and socket["requestContext"]["stage"] == "dev"
    kind, signup = made("cognito", {"user_pool": "Pool", "trigger": "PostConfirmation"})
    models.CognitoPostConfirmationTriggerModel.model_validate(signup)
    assert signup["triggerSource"] == "PostConfirmation_ConfirmSignUp" and signup["userPoolId"] == "eu-west-1_Pool"
    arn = "arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc"
    _, msk = made("msk", {"topics": ["orders"], "cluster_arn": arn})
    models.KafkaMskEventModel.model_validate(msk)
    assert msk["eventSourceArn"] == arn and list(msk["records"]) == ["orders-0"]
    _, kafka = made("kafka", {"topics": ["events"], "bootstrap_servers": ["b1:9092", "b2:9092"]})
    models.KafkaSelfManagedEventModel.model_validate(kafka)
    assert kafka["bootstrapServers"] == "b1:9092,b2:9092" and kafka["eventSource"] == "SelfManagedKafka"
    _, mq = made("mq", {"queues": ["work"], "broker_arn": "arn:aws:mq:us-east-1:123456789012:broker:b:b-1"})
    assert mq["messages"][0]["destination"]["physicalName"] == "work"
    assert mq["eventSourceArn"] == "arn:aws:mq:us-east-1:123456789012:broker:b:b-1"
    _, alexa = made("alexa", {"skill_id": "amzn1.ask.skill.9"})
    assert alexa["session"]["application"]["applicationId"] == "amzn1.ask.skill.9"
    assert made("iot", {"sql": "SELECT * FROM 'button'"}) == (None, {"message": "Hello from AWS IoT"})


def test_dynamodb_records_pass_the_mapping_filter() -> None:
    pattern = {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": ["SHIPPED"]}}}}
    _, event = made("dynamodb", {"table": "Orders", "filters": [pattern]})
    record = event["Records"][0]
    assert matches(pattern, record) and record["dynamodb"]["NewImage"]["status"] == {"S": "SHIPPED"}


def test_well_known_aws_events_carry_their_detail() -> None:
    """As sam init's event-bridge template reads detail.instance-id and detail.state of an EC2 state change."""
    pattern = {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}
    _, event = made("eventbridge", {"pattern": pattern})
    assert event["detail"] == {"instance-id": "i-0123456789abcdef0", "state": "running"}
    stopped = {**pattern, "detail": {"state": ["stopped"]}}
    assert made("eventbridge", {"pattern": stopped})[1]["detail"]["state"] == "stopped"
    no_state = {**pattern, "detail": {"state": [{"exists": False}]}}
    assert "state" not in made("eventbridge", {"pattern": no_state})[1]["detail"]
    s3 = {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": ["photos"]}}}
    detail = made("eventbridge", {"pattern": s3})[1]["detail"]
    assert detail["bucket"] == {"name": "photos"} and detail["object"]["key"] == "uploads/report.csv"
