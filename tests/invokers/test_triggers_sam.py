"""Triggers read from SAM templates: kinds, parameters, stages, intrinsics, warnings."""

from __future__ import annotations

import json
from pathlib import Path

from invokers.discovery import discover
from invokers.models import FunctionSpec, Trigger
from tests.files import write


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
