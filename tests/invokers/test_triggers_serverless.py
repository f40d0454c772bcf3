"""Triggers read from serverless.yml and Azure function.json: kinds, parameters, stages, warnings."""

from __future__ import annotations

import json
from pathlib import Path

from invokers.discovery import discover
from invokers.models import Trigger
from tests.files import write
from tests.invokers.test_triggers_sam import functions


def test_serverless_http_and_http_api_forms(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: demo
        provider: {name: aws, runtime: python3.12, stage: "${opt:stage, 'beta'}"}
        functions:
          hello:
            handler: handler.hello
            events:
              - http: GET orders/{id}
              - http: {path: /orders, method: post}
              - httpApi: 'PUT /items/{id}'
              - httpApi: '*'
              - httpApi:
                  method: delete
                  path: /items/{id}
              - sqs: arn:aws:sqs:us-east-1:123456789012:q
    """)
    triggers = functions(tmp_path)["hello"].triggers
    assert [(t.kind, t.name) for t in triggers[:5]] == [
        ("api", "http#1"), ("api", "http#2"), ("http_api", "httpApi#1"), ("http_api", "httpApi#2"),
        ("http_api", "httpApi#3")]
    assert triggers[0].params == {"path": "/orders/{id}", "method": "GET", "stage": "beta", "api": "ApiGatewayRestApi"}
    assert triggers[1].params["method"] == "POST" and triggers[1].params["path"] == "/orders"
    assert triggers[2].params["route_key"] == "PUT /items/{id}" and triggers[2].params["stage"] == "$default"
    assert triggers[3].params["route_key"] == "$default" and triggers[3].params["method"] == "ANY"
    assert triggers[4].params["route_key"] == "DELETE /items/{id}"


def test_serverless_stage_defaults_to_dev_and_bad_events_warn(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: demo
        provider: {name: aws, runtime: python3.12}
        functions:
          hello:
            handler: handler.hello
            events:
              - http: nonsense
              - http: {path: x, method: get}
    """)
    found = discover(tmp_path)
    trigger, = found.functions[0].triggers
    assert trigger.name == "http#2" and trigger.params["stage"] == "dev" and trigger.params["path"] == "/x"
    warning, = found.problems
    assert warning.severity == "warning" and warning.field == "functions.hello.events.0.http"


def test_serverless_every_event_type_and_url(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: demo
        provider: {name: aws, runtime: python3.12}
        functions:
          hello:
            handler: handler.hello
            url: true
            events:
              - sqs: arn:aws:sqs:us-east-1:123456789012:jobs
              - sqs:
                  arn: {"Fn::GetAtt": [Orders, Arn]}
                  batchSize: 10
                  filterPatterns:
                    - body: {kind: [order]}
              - sns: alerts
              - sns:
                  arn: arn:aws:sns:us-east-1:123456789012:news
                  filterPolicy: {lang: [en]}
              - stream: arn:aws:dynamodb:us-east-1:123456789012:table/Users/stream/2024-01-01T00:00:00.000
              - stream:
                  type: kinesis
                  arn: {"Fn::GetAtt": [Clicks, Arn]}
                  startingPosition: LATEST
              - s3: photos
              - s3:
                  bucket: docs
                  event: s3:ObjectRemoved:*
                  rules:
                    - prefix: archive/
                    - suffix: .pdf
              - schedule: rate(10 minutes)
              - schedule:
                  rate: ['cron(0 12 * * ? *)']
                  enabled: false
                  input: {key: value}
              - eventBridge:
                  eventBus: shop
                  pattern:
                    source: [shop.orders]
              - eventBridge:
                  schedule: rate(1 hour)
              - cloudwatchEvent:
                  event:
                    source: [aws.ec2]
              - cloudwatchLog: /aws/lambda/other
              - alb:
                  listenerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/y/z
                  priority: 1
                  conditions:
                    path: /users*
                    method: [POST]
              - websocket: $connect
              - websocket:
                  route: sendMessage
              - cognitoUserPool: {pool: MyPool, trigger: PreSignUp}
              - iot: {sql: "SELECT * FROM 'topic'"}
              - kafka: {topic: events, bootstrapServers: ["b1:9092"]}
              - msk: {arn: "arn:aws:kafka:us-east-1:123456789012:cluster/c/1", topic: orders}
              - activemq: {arn: "arn:aws:mq:us-east-1:123456789012:broker:b:1", queue: work}
              - rabbitmq: {arn: "arn:aws:mq:us-east-1:123456789012:broker:r:2", queue: jobs}
              - alexaSkill: amzn1.ask.skill.2
        resources:
          Resources:
            Orders: {Type: AWS::SQS::Queue, Properties: {QueueName: orders}}
            Clicks: {Type: AWS::Kinesis::Stream}
    """)
    found = discover(tmp_path)
    assert found.problems == []
    triggers = found.functions[0].triggers
    got = {t.name: t for t in triggers}
    assert got["sqs#1"].params == {"queue": "jobs", "queue_arn": "arn:aws:sqs:us-east-1:123456789012:jobs",
                                   "fifo": False}
    assert got["sqs#2"].params == {"queue": "orders", "fifo": False, "batch_size": 10,
                                   "filters": [{"body": {"kind": ["order"]}}]}
    assert got["sns#1"].params == {"topic": "alerts"}
    assert got["sns#2"].params == {"topic": "news", "topic_arn": "arn:aws:sns:us-east-1:123456789012:news",
                                   "filter_policy": {"lang": ["en"]}}
    assert got["stream#1"].kind == "dynamodb" and got["stream#1"].params["table"] == "Users"
    assert got["stream#2"] == Trigger("kinesis", "stream#2", {"stream": "Clicks", "starting_position": "LATEST"})
    assert got["s3#1"].params == {"bucket": "photos", "events": ["s3:ObjectCreated:*"]}
    assert got["s3#2"].params == {"bucket": "docs", "events": ["s3:ObjectRemoved:*"], "prefix": "archive/",
                                  "suffix": ".pdf"}
    assert got["schedule#1"].params == {"expression": "rate(10 minutes)", "rule": "schedule#1", "enabled": True}
    assert got["schedule#2"].params == {"expression": "cron(0 12 * * ? *)", "rule": "schedule#2", "enabled": False,
                                        "input": {"key": "value"}}
    assert got["eventBridge#1"].params == {"pattern": {"source": ["shop.orders"]}, "bus": "shop",
                                           "rule": "eventBridge#1"}
    assert got["eventBridge#2"].kind == "schedule" and got["eventBridge#2"].params["expression"] == "rate(1 hour)"
    assert got["cloudwatchEvent#1"].params["pattern"] == {"source": ["aws.ec2"]}
    assert got["cloudwatchLog#1"].params == {"log_group": "/aws/lambda/other", "filter_pattern": ""}
    assert got["alb#1"].params == {"path": "/users", "method": "POST", "priority": 1}
    assert got["websocket#1"].params == {"route": "$connect", "stage": "dev"}
    assert got["websocket#2"].params["route"] == "sendMessage"
    assert got["cognitoUserPool#1"].params == {"user_pool": "MyPool", "trigger": "PreSignUp"}
    assert got["iot#1"].params["sql"] == "SELECT * FROM 'topic'"
    assert got["kafka#1"].params == {"topics": ["events"], "bootstrap_servers": ["b1:9092"]}
    assert got["msk#1"].params == {"topics": ["orders"],
                                   "cluster_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/c/1"}
    assert got["activemq#1"].kind == "mq" and got["rabbitmq#1"].params["queues"] == ["jobs"]
    assert got["alexaSkill#1"].params == {"skill_id": "amzn1.ask.skill.2"}
    assert got["url"] == Trigger("function_url", "url", {"auth_type": "NONE", "invoke_mode": "BUFFERED"})


def test_serverless_bare_events_and_azure_plugin_settings(tmp_path: Path) -> None:
    """Layouts from serverless/examples: '- alexaSkill' alone, and serverless-azure-functions' http events."""
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: skill
        provider: {name: aws, runtime: python3.12}
        functions:
          lucky:
            handler: handler.hello
            events:
              - alexaSkill
    """)
    assert functions(tmp_path)["lucky"].triggers == [Trigger("alexa", "alexaSkill#1", {"skill_id": ""})]
    write(tmp_path, "serverless.yml", """
        service: azure-app
        provider: {name: azure, runtime: python3.12}
        functions:
          hello:
            handler: handler.hello
            events:
              - http: true
                x-azure-settings:
                  authLevel: anonymous
                  methods: [get]
    """)
    found = discover(tmp_path)
    assert found.problems == []
    assert found.functions[0].triggers == [Trigger("azure_http", "req", {"authLevel": "anonymous",
                                                                         "methods": ["get"]})]


def test_azure_bindings_become_triggers(tmp_path: Path) -> None:
    write(tmp_path, "host.json", "{}")
    write(tmp_path, "Hello/index.js", "module.exports = async function (context, req) { return {}; };\n")
    (tmp_path / "Hello" / "function.json").write_text(json.dumps({"bindings": [
        {"authLevel": "anonymous", "type": "httpTrigger", "direction": "in", "name": "req",
         "methods": ["get", "post"], "route": "orders/{id}"},
        {"type": "http", "direction": "out", "name": "res"}]}))
    spec, = discover(tmp_path).functions
    assert spec.triggers == [Trigger("azure_http", "req", {"authLevel": "anonymous", "methods": ["get", "post"],
                                                           "route": "orders/{id}"})]
