"""Triggers read from SAM templates and serverless.yml: kinds, parameters, stages, warnings."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from invokers.discovery import discover
from invokers.models import FunctionSpec, Trigger


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def functions(folder: Path) -> dict[str, FunctionSpec]:
    found = discover(folder)
    assert found.errors == []
    return {spec.name: spec for spec in found.functions}


def test_sam_api_events_with_implicit_and_explicit_api_stages(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Parameters:
          Stage: {Type: String, Default: staging}
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          OrdersApi:
            Type: AWS::Serverless::Api
            Properties: {StageName: !Ref Stage}
          GetOrder:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Get:
                  Type: Api
                  Properties:
                    Path: /orders/{id}
                    Method: get
                    RestApiId: !Ref OrdersApi
                Any:
                  Type: Api
                  Properties: {Path: /any, Method: any}
    """)
    spec = functions(tmp_path)["GetOrder"]
    assert spec.triggers == [
        Trigger("api", "Get", {"path": "/orders/{id}", "method": "GET", "stage": "staging", "api": "OrdersApi"}),
        Trigger("api", "Any", {"path": "/any", "method": "ANY", "stage": "Prod", "api": "ServerlessRestApi"}),
    ]
    assert json.loads(json.dumps(spec.to_dict()))["triggers"][0]["params"]["path"] == "/orders/{id}"


def test_sam_http_api_routes_catch_all_and_function_url(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Resources:
          MyHttpApi:
            Type: AWS::Serverless::HttpApi
            Properties: {StageName: v1}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              FunctionUrlConfig: {AuthType: NONE}
              Events:
                Route:
                  Type: HttpApi
                  Properties: {Path: /items, Method: POST, ApiId: !Ref MyHttpApi, PayloadFormatVersion: "1.0"}
                CatchAll:
                  Type: HttpApi
    """)
    route, catch_all, url = functions(tmp_path)["Fn"].triggers
    assert route == Trigger("http_api", "Route", {"path": "/items", "method": "POST", "route_key": "POST /items",
                                                  "stage": "v1", "api": "MyHttpApi", "payload_format": "1.0"})
    assert catch_all.params == {"path": "/{proxy+}", "method": "ANY", "route_key": "$default", "stage": "$default",
                                "api": "ServerlessHttpApi", "payload_format": "2.0"}
    assert url == Trigger("function_url", "FunctionUrl", {"auth_type": "NONE", "invoke_mode": "BUFFERED"})


def test_sam_malformed_event_is_a_warning_and_the_function_still_loads(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Events:
                Broken: just-a-string
                Good: {Type: Api, Properties: {Path: /, Method: get}}
    """)
    found = discover(tmp_path)
    assert [t.name for t in found.functions[0].triggers] == ["Good"]
    warning, = found.problems
    assert warning.severity == "warning" and warning.line == 9
    assert warning.field == "Resources.Fn.Properties.Events.Broken"


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


SAM_ALL = """
Parameters:
  ExternalQueueArn: {Type: String, Default: "arn:aws:sqs:eu-west-1:111122223333:external-q"}
Resources:
  Orders: {Type: AWS::SQS::Queue, Properties: {QueueName: orders.fifo}}
  Topic: {Type: AWS::SNS::Topic}
  Stream: {Type: AWS::Kinesis::Stream, Properties: {Name: clicks}}
  Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: orders-table}}
  Uploads: {Type: AWS::S3::Bucket, Properties: {BucketName: my-uploads}}
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: shop}}
  Pool: {Type: AWS::Cognito::UserPool}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
            BatchSize: 5
            FilterCriteria:
              Filters:
                - Pattern: '{"body": {"kind": ["order"]}}'
        External: {Type: SQS, Properties: {Queue: !Ref ExternalQueueArn}}
        Notify:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            FilterPolicy: {color: [red]}
        Clicks: {Type: Kinesis, Properties: {Stream: !GetAtt Stream.Arn, StartingPosition: LATEST}}
        Changes: {Type: DynamoDB, Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: TRIM_HORIZON}}
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:Put
            Filter:
              S3Key:
                Rules:
                  - {Name: prefix, Value: incoming/}
                  - {Name: suffix, Value: .csv}
        Nightly: {Type: Schedule, Properties: {Schedule: 'cron(0 3 * * ? *)', Name: nightly, Input: '{"full": true}'}}
        Every5: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(5 minutes)}}
        Placed:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern:
              source: [shop.orders]
              detail-type: [OrderPlaced]
        Legacy: {Type: CloudWatchEvent, Properties: {Pattern: {source: [aws.ec2]}}}
        Logs: {Type: CloudWatchLogs, Properties: {LogGroupName: /app/logs, FilterPattern: ERROR}}
        SignUp: {Type: Cognito, Properties: {UserPool: !Ref Pool, Trigger: [PreSignUp, PostConfirmation]}}
        Button: {Type: IoTRule, Properties: {Sql: "SELECT * FROM 'button'"}}
        Msk:
          Type: MSK
          Properties:
            Stream: arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc
            Topics: [orders]
            StartingPosition: LATEST
        Kafka: {Type: SelfManagedKafka, Properties: {KafkaBootstrapServers: ["b1:9092"], Topics: [events]}}
        Broker:
          Type: MQ
          Properties:
            Broker: arn:aws:mq:us-east-1:123456789012:broker:b:b-1
            Queues: [work]
        Skill: {Type: AlexaSkill, Properties: {SkillId: amzn1.ask.skill.1}}
        Unknown: {Type: SomethingNew}
"""


def test_sam_every_event_source_type(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(SAM_ALL)
    found = discover(tmp_path)
    assert found.problems == []
    by_name: dict[str, list[Trigger]] = {}
    for trigger in found.functions[0].triggers:
        by_name.setdefault(trigger.name, []).append(trigger)
    one = {name: triggers[0] for name, triggers in by_name.items()}
    assert one["Q"] == Trigger("sqs", "Q", {"queue": "orders.fifo", "fifo": True, "batch_size": 5,
                                            "filters": [{"body": {"kind": ["order"]}}]})
    assert one["External"].params == {"queue": "external-q", "fifo": False,
                                      "queue_arn": "arn:aws:sqs:eu-west-1:111122223333:external-q"}
    assert one["Notify"] == Trigger("sns", "Notify", {"topic": "Topic", "filter_policy": {"color": ["red"]}})
    assert one["Clicks"] == Trigger("kinesis", "Clicks", {"stream": "clicks", "starting_position": "LATEST"})
    assert one["Changes"] == Trigger("dynamodb", "Changes", {"table": "orders-table",
                                                             "starting_position": "TRIM_HORIZON"})
    assert one["Upload"] == Trigger("s3", "Upload", {"bucket": "my-uploads", "events": ["s3:ObjectCreated:Put"],
                                                     "prefix": "incoming/", "suffix": ".csv"})
    assert one["Nightly"] == Trigger("schedule", "Nightly", {"expression": "cron(0 3 * * ? *)", "rule": "nightly",
                                                             "enabled": True, "input": {"full": True}})
    assert one["Every5"].params == {"expression": "rate(5 minutes)", "rule": "Every5", "enabled": True,
                                    "scheduler": True}
    assert one["Placed"] == Trigger("eventbridge", "Placed", {
        "pattern": {"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}, "bus": "shop", "rule": "Placed"})
    assert one["Legacy"].kind == "eventbridge" and one["Legacy"].params["bus"] == "default"
    assert one["Logs"].params == {"log_group": "/app/logs", "filter_pattern": "ERROR"}
    assert [t.params for t in by_name["SignUp"]] == [{"user_pool": "Pool", "trigger": "PreSignUp"},
                                                     {"user_pool": "Pool", "trigger": "PostConfirmation"}]
    assert one["Button"] == Trigger("iot", "Button", {"sql": "SELECT * FROM 'button'", "rule": "Button"})
    assert one["Msk"].params == {"topics": ["orders"], "starting_position": "LATEST",
                                 "cluster_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc"}
    assert one["Kafka"].params == {"topics": ["events"], "bootstrap_servers": ["b1:9092"]}
    assert one["Broker"].params == {"queues": ["work"], "broker_arn": "arn:aws:mq:us-east-1:123456789012:broker:b:b-1"}
    assert one["Skill"] == Trigger("alexa", "Skill", {"skill_id": "amzn1.ask.skill.1"})
    assert "Unknown" not in by_name  # an event type we do not know is left out, not an error


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


def test_sam_pattern_intrinsics_resolve_to_names(tmp_path: Path) -> None:
    """As in serverless-patterns' lambda-rekognition-rust: a pattern naming the template's own bucket."""
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Resources:
          SourceBucket: {Type: AWS::S3::Bucket, Properties: {BucketName: photos-in}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Events:
                Trigger:
                  Type: EventBridgeRule
                  Properties:
                    Pattern:
                      source: [aws.s3]
                      detail:
                        bucket:
                          name: [!Ref SourceBucket]
                        reason: [PutObject, CompleteMultipartUpload]
                        account: [!ImportValue SharedAccount]
    """)
    trigger, = functions(tmp_path)["Fn"].triggers
    assert trigger.params["pattern"]["detail"] == {"bucket": {"name": ["photos-in"]},
                                                   "reason": ["PutObject", "CompleteMultipartUpload"],
                                                   "account": ["<Fn::ImportValue SharedAccount>"]}
