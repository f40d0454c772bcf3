"""Every generated event validates against aws-lambda-powertools' parser models, an independent model of AWS events."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.parser import models

from event_samples import generate

CASES = [
    ("apigw-rest", models.APIGatewayProxyEventModel, {}),
    ("apigw-rest", models.APIGatewayProxyEventModel,
     {"method": "post", "path": "/orders/7", "resource": "/orders/{id}", "path_params": '{"id": "7"}',
      "query": "a=1&b=2", "headers": '{"X-Api-Key": "k"}', "body": '{"item": "tea"}'}),
    ("apigw-rest", models.APIGatewayProxyEventModel, {"body": "raw bytes", "binary": "true"}),
    ("graphql", models.APIGatewayProxyEventModel, {"variables": '{"id": 3}', "operation_name": "Orders"}),
    ("apigw-http", models.APIGatewayProxyEventV2Model, {}),
    ("apigw-http", models.APIGatewayProxyEventV2Model,
     {"method": "PUT", "path": "/items/1", "query": {"x": "1"}, "body": {"a": 1}, "cookies": ["s=1"],
      "route_key": "PUT /items/{id}"}),
    ("function-url", models.LambdaFunctionUrlModel, {}),
    ("function-url", models.LambdaFunctionUrlModel, {"method": "POST", "body": "hello", "binary": True}),
    ("alb", models.AlbModel, {}),
    ("alb", models.AlbModel, {"method": "DELETE", "path": "/x", "query": "q=1", "body": "{}"}),
    ("sqs", models.SqsModel, {}),
    ("sqs", models.SqsModel, {"body": {"id": 1}, "records": 5, "queue": "orders.fifo",
                              "attributes": '{"priority": "high"}'}),
    ("sqs", models.SqsModel, {"bodies": '["a", {"b": 2}, 3]'}),
    ("sns", models.SnsModel, {}),
    ("sns", models.SnsModel, {"message": {"order": 1}, "subject": "", "topic": "orders",
                              "attributes": {"kind": "test"}}),
    ("kinesis", models.KinesisDataStreamModel, {}),
    ("kinesis", models.KinesisDataStreamModel, {"data": {"temp": 21.5}, "records": 4, "partition_key": "sensor-1"}),
    ("dynamodb", models.DynamoDBStreamModel, {}),
    ("dynamodb", models.DynamoDBStreamModel,
     {"keys": {"pk": "u#1", "sk": 2}, "new_image": {"name": "Ada", "tags": ["a"], "active": True, "meta": {"n": None}},
      "old_image": {"name": "Bob"}, "records": 2}),
    ("dynamodb", models.DynamoDBStreamModel, {"old_image": {"name": "gone"}, "event_name": "REMOVE"}),
    ("s3", models.S3Model, {}),
    ("s3", models.S3Model, {"bucket": "uploads", "key": "my folder/a file.txt", "size": 5}),
    ("s3", models.S3Model, {"event_name": "ObjectRemoved:Delete"}),
    ("eventbridge", models.EventBridgeModel, {}),
    ("eventbridge", models.EventBridgeModel, {"source": "my.app", "detail_type": "Thing", "detail": '{"k": [1]}'}),
    ("eventbridge-scheduled", models.EventBridgeModel, {"rule": "nightly"}),
    ("cloudwatch-logs", models.CloudWatchLogsModel, {}),
    ("cloudwatch-logs", models.CloudWatchLogsModel, {"messages": '["one", {"level": "ERROR"}]'}),
]


@pytest.mark.parametrize(("kind", "model", "params"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_generated_event_matches_powertools_model(kind: str, model: type, params: dict) -> None:
    event = generate(kind, **params)
    model.model_validate(json.loads(json.dumps(event)))


def test_every_kind_powertools_models_is_covered() -> None:
    modelled = {"apigw-rest", "apigw-http", "function-url", "alb", "graphql", "sqs", "sns", "kinesis", "dynamodb",
                "s3", "eventbridge", "eventbridge-scheduled", "cloudwatch-logs"}
    assert modelled == {kind for kind, _, _ in CASES}
