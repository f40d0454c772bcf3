"""Resources of the configuration created in the embedded AWS (issue 14, points 1 and 5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from invokers.aws import mock as mock_module
from invokers.aws.cfn_template import generated_name
from invokers.aws.mock import MockAws
from invokers.aws.provision import provision
from invokers.aws.resources import Provisioned
from invokers.cli import main
from invokers.cli_project import provision_project
from invokers.discovery import discover
from invokers.discovery.settings import Settings
from tests.files import write

SAM = """
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Prefix: {Type: String, Default: shop}
    Globals:
      Function:
        Runtime: python3.12
        Environment:
          Variables:
            TABLE_NAME: !Ref Orders
    Resources:
      Reader:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Environment:
            Variables:
              QUEUE_URL: !Ref Jobs
              QUEUE_ARN: !GetAtt Jobs.Arn
              STREAM_ARN: !GetAtt Orders.StreamArn
              TOPIC_ARN: !Ref Alerts
              OBJECTS: !Join ["", ["arn:aws:s3:::", !Ref Uploads, "/*"]]
              SUBBED: !Sub "${Orders}|${Jobs.QueueName}|${AWS::StackName}"
              LEFT_ALONE: !GetAtt Pool.Arn
          Events:
            FromJobs:
              Type: SQS
              Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 5}
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          AttributeDefinitions:
            - {AttributeName: pk, AttributeType: S}
            - {AttributeName: sk, AttributeType: S}
            - {AttributeName: status, AttributeType: S}
          KeySchema:
            - {AttributeName: pk, KeyType: HASH}
            - {AttributeName: sk, KeyType: RANGE}
          BillingMode: PAY_PER_REQUEST
          GlobalSecondaryIndexes:
            - IndexName: byStatus
              KeySchema: [{AttributeName: status, KeyType: HASH}]
              Projection: {ProjectionType: KEYS_ONLY}
          LocalSecondaryIndexes:
            - IndexName: byPkStatus
              KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: status, KeyType: RANGE}]
              Projection: {ProjectionType: ALL}
          StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      Jobs:                       # declared before its dead-letter queue: created after it
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimeout: 60
          RedrivePolicy:
            deadLetterTargetArn: !GetAtt JobsDlq.Arn
            maxReceiveCount: 3
      JobsDlq:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Sub "${Prefix}-${AWS::StackName}-dlq"
      Ordered:
        Type: AWS::SQS::Queue
        Properties: {FifoQueue: true, ContentBasedDeduplication: true}
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          Subscription:
            - {Protocol: sqs, Endpoint: !GetAtt JobsDlq.Arn}
            - {Protocol: lambda, Endpoint: !GetAtt Reader.Arn}
      AlertsToJobs:
        Type: AWS::SNS::Subscription
        Properties: {TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Jobs.Arn, RawMessageDelivery: true}
      Uploads:
        Type: AWS::S3::Bucket
        Properties:
          NotificationConfiguration:
            QueueConfigurations:
              - Event: s3:ObjectCreated:*
                Queue: !GetAtt Jobs.Arn
                Filter: {S3Key: {Rules: [{Name: prefix, Value: in/}]}}
      Clicks:
        Type: AWS::Kinesis::Stream
        Properties: {ShardCount: 2}
      Bus:
        Type: AWS::Events::EventBus
        Properties: {Name: !Sub "${Prefix}-${AWS::StackName}-bus"}
      OrderPlaced:
        Type: AWS::Events::Rule
        Properties:
          EventBusName: !Ref Bus
          EventPattern: {source: [shop.orders]}
          Targets:
            - {Id: toQueue, Arn: !GetAtt Jobs.Arn}
            - {Id: toFunction, Arn: !GetAtt Reader.Arn}
      Role:
        Type: AWS::IAM::Role
        Properties: {AssumeRolePolicyDocument: {}}
      Pool:
        Type: AWS::Cognito::UserPool
"""

HANDLER = """
    import os

    import boto3


    def handler(event, context):
        table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
        table.put_item(Item={"pk": "order-1", "sk": "v1", "status": "new"})
        if event.get("send"):  # not when a queue delivery invokes it (serve runs the mappings): no loop
            boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="hi")
        return {"table": os.environ["TABLE_NAME"], "items": table.scan()["Count"]}
"""


@pytest.fixture(scope="module")
def mock() -> Iterator[MockAws]:
    """One embedded AWS for the module: each test's project folder has its own name, so its own resources."""
    started = mock_module.start()
    yield started
    started.stop()


def sam_project(folder: Path) -> Path:
    write(folder, "template.yaml", SAM)
    write(folder, "src/app.py", HANDLER)
    return folder


def provisioned(folder: Path, mock: MockAws) -> tuple[Provisioned, Any]:
    found = discover(folder)
    problems = provision_project(found, mock)
    assert mock.provisioned is not None
    return mock.provisioned, (found, problems)


def test_sam_resources_are_created_with_their_properties(tmp_path: Path, mock: MockAws) -> None:
    made, (found, problems) = provisioned(sam_project(tmp_path / "shop"), mock)
    assert problems == []
    assert made.stack == "shop"
    status = {r.logical_id: r.status for r in made.resources.values()}
    assert status == {"Orders": "created", "Jobs": "created", "JobsDlq": "created", "Ordered": "created",
                      "Alerts": "created", "AlertsToJobs": "created", "Uploads": "created", "Clicks": "created",
                      "Bus": "created", "OrderPlaced": "created", "Role": "skipped", "Pool": "skipped"}

    table = mock.client("dynamodb").describe_table(TableName=made.resources["Orders"].name)["Table"]
    assert made.resources["Orders"].name == generated_name("shop", "Orders", limit=255)
    assert made.resources["Orders"].name.startswith("shop-Orders-")
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["byStatus"]
    assert table["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert [i["IndexName"] for i in table["LocalSecondaryIndexes"]] == ["byPkStatus"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert made.resources["Orders"].stream_arn == table["LatestStreamArn"]

    sqs = mock.client("sqs")
    jobs = sqs.get_queue_attributes(QueueUrl=made.resources["Jobs"].url, AttributeNames=["All"])["Attributes"]
    assert jobs["VisibilityTimeout"] == "60"
    assert json.loads(jobs["RedrivePolicy"]) == {"deadLetterTargetArn": made.resources["JobsDlq"].arn,
                                                  "maxReceiveCount": 3}
    assert made.resources["JobsDlq"].name == "shop-shop-dlq"
    ordered = sqs.get_queue_attributes(QueueUrl=made.resources["Ordered"].url, AttributeNames=["All"])["Attributes"]
    assert made.resources["Ordered"].name.endswith(".fifo")
    assert ordered["FifoQueue"] == "true" and ordered["ContentBasedDeduplication"] == "true"

    subscriptions = mock.client("sns").list_subscriptions_by_topic(TopicArn=made.resources["Alerts"].arn)
    endpoints = sorted(s["Endpoint"] for s in subscriptions["Subscriptions"])
    assert endpoints == sorted([made.resources["JobsDlq"].arn, made.resources["Jobs"].arn])
    assert "1 lambda subscription(s)" in made.resources["Alerts"].reason

    bucket = made.resources["Uploads"].name
    assert bucket == bucket.lower() and bucket.startswith("shop-uploads-")
    notes = mock.client("s3").get_bucket_notification_configuration(Bucket=bucket)
    assert notes["QueueConfigurations"][0]["QueueArn"] == made.resources["Jobs"].arn

    stream = mock.client("kinesis").describe_stream_summary(StreamName=made.resources["Clicks"].name)
    assert stream["StreamDescriptionSummary"]["OpenShardCount"] == 2
    assert made.resources["Clicks"].stream_arn == made.resources["Clicks"].arn

    events = mock.client("events")
    assert made.resources["Bus"].name == "shop-shop-bus"
    rule = events.describe_rule(Name=made.resources["OrderPlaced"].name, EventBusName="shop-shop-bus")
    assert json.loads(rule["EventPattern"]) == {"source": ["shop.orders"]}
    targets = events.list_targets_by_rule(Rule=made.resources["OrderPlaced"].name, EventBusName="shop-shop-bus")
    assert [t["Id"] for t in targets["Targets"]] == ["toQueue"]
    assert "1 lambda target(s)" in made.resources["OrderPlaced"].reason

    assert made.resources["Role"].reason == "permissions are not enforced by the embedded AWS"
    assert "AWS::Cognito::UserPool is not created" in made.resources["Pool"].reason
    assert made.resources["Jobs"].properties["RedrivePolicy"]["deadLetterTargetArn"] == made.resources["JobsDlq"].arn
    assert made.by_arn(made.resources["Orders"].stream_arn) == made.resources["Orders"]
    assert made.by_arn("arn:aws:sqs:us-east-1:123456789012:nothing") is None


def test_refs_in_environment_and_triggers_resolve_to_what_exists(tmp_path: Path, mock: MockAws) -> None:
    made, (found, _) = provisioned(sam_project(tmp_path / "envs"), mock)
    env = found.get("Reader").environment
    jobs, orders = made.resources["Jobs"], made.resources["Orders"]
    assert env["TABLE_NAME"] == orders.name  # from Globals
    assert env["QUEUE_URL"] == jobs.url and jobs.url.startswith(mock.endpoint)
    assert env["QUEUE_ARN"] == jobs.arn == f"arn:aws:sqs:us-east-1:123456789012:{jobs.name}"
    assert env["STREAM_ARN"] == orders.stream_arn
    assert env["TOPIC_ARN"] == made.resources["Alerts"].arn
    assert env["OBJECTS"] == f"arn:aws:s3:::{made.resources['Uploads'].name}/*"
    assert env["SUBBED"] == f"{orders.name}|{jobs.name}|envs"
    assert env["LEFT_ALONE"] == "<Fn::GetAtt Pool.Arn>"  # skipped: still a placeholder
    trigger = found.get("Reader").triggers[0]
    assert trigger.params["queue"] == jobs.name and trigger.params["queue_arn"] == jobs.arn
    assert found.settings.resources is made  # kept for reloads


def test_without_mock_aws_environment_keeps_its_placeholders(tmp_path: Path) -> None:
    env = discover(sam_project(tmp_path)).get("Reader").environment
    assert env["TABLE_NAME"] == "<Ref Orders>" and env["QUEUE_ARN"] == "<Fn::GetAtt Jobs.Arn>"
    assert env["SUBBED"] == "${Orders}|${Jobs.QueueName}|local"


def test_a_local_handler_reads_and_writes_the_template_table(tmp_path: Path,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    project = sam_project(tmp_path / "orders")
    code = main(["invoke", "Reader", "--project", str(project), "--mock-aws", "--no-aws", "-d", '{"send": true}',
                 "-q"])
    out, err = capfd.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert answer == {"table": generated_name("orders", "Orders", limit=255), "items": 1}


SERVERLESS = """
    service: pets
    provider:
      name: aws
      runtime: python3.12
      environment:
        TABLE: ${self:service}-${sls:stage}-pets
        QUEUE_URL: {Ref: Adoptions}
        QUEUE_ARN: {"Fn::GetAtt": [Adoptions, Arn]}
    functions:
      adopt:
        handler: app.handler
        events:
          - sqs: {arn: {"Fn::GetAtt": [Adoptions, Arn]}, batchSize: 2}
          - sns: pet-news
          - s3: {bucket: pets-photos, event: "s3:ObjectCreated:*"}
          - sqs: arn:aws:sqs:us-east-1:123456789012:legacy-queue
          - stream: arn:aws:kinesis:us-east-1:123456789012:stream/pet-clicks
    resources:
      Resources:
        PetsTable:
          Type: AWS::DynamoDB::Table
          Properties:
            TableName: ${self:service}-${sls:stage}-pets
            AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
            KeySchema: [{AttributeName: id, KeyType: HASH}]
            ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
        Adoptions:
          Type: AWS::SQS::Queue
          Properties:
            QueueName: ${self:service}-adoptions
"""


def test_serverless_resources_and_what_its_events_create(tmp_path: Path, mock: MockAws) -> None:
    folder = tmp_path / "pets"
    write(folder, "serverless.yml", SERVERLESS)
    write(folder, "app.py", "def handler(e, c):\n    return 1\n")
    made, (found, problems) = provisioned(folder, mock)
    assert problems == []
    assert made.stack == "pets-dev"
    table = mock.client("dynamodb").describe_table(TableName="pets-dev-pets")["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 1
    env = found.get("adopt").environment
    assert env["TABLE"] == "pets-dev-pets"
    assert env["QUEUE_URL"] == made.resources["Adoptions"].url and made.resources["Adoptions"].name == "pets-adoptions"
    assert env["QUEUE_ARN"] == made.resources["Adoptions"].arn
    implicit = {r.logical_id: (r.type, r.name, r.status) for r in made.resources.values() if r.file == ""}
    assert implicit == {"SNSTopicPetnews": ("AWS::SNS::Topic", "pet-news", "created"),
                        "S3BucketPetsphotos": ("AWS::S3::Bucket", "pets-photos", "created"),
                        "SQSQueueLegacyqueue": ("AWS::SQS::Queue", "legacy-queue", "created"),
                        "KinesisStreamPetclicks": ("AWS::Kinesis::Stream", "pet-clicks", "created")}
    assert mock.client("s3").head_bucket(Bucket="pets-photos")["ResponseMetadata"]["HTTPStatusCode"] == 200
    sqs_trigger = found.get("adopt").triggers[0]
    assert sqs_trigger.params["queue"] == "pets-adoptions" and sqs_trigger.params["batch_size"] == 2


BROKEN = """
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12,
                     Environment: {Variables: {GOOD: !Ref Good, BAD: !Ref NoKeys}}}
      Good:
        Type: AWS::SQS::Queue
      NoKeys:
        Type: AWS::DynamoDB::Table
        Properties: {TableName: no-keys}
      NotAMapping:
        Type: AWS::SQS::Queue
        Properties: [1, 2]
      BadName:
        Type: AWS::SQS::Queue
        Properties: {QueueName: "has spaces!"}
      Unknown:
        Type: AWS::SQS::Queue
        Properties: {QueueName: !Ref NoSuchThing}
      Chicken:
        Type: AWS::SQS::Queue
        Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Egg.Arn, maxReceiveCount: 1}}
      Egg:
        Type: AWS::SQS::Queue
        Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Chicken.Arn, maxReceiveCount: 1}}
      NoType: just-a-string
"""


def test_malformed_resources_fail_with_their_logical_id_and_the_rest_is_created(tmp_path: Path,
                                                                               mock: MockAws) -> None:
    folder = tmp_path / "broken"
    write(folder, "template.yaml", BROKEN)
    write(folder, "src/app.py", "def handler(e, c):\n    return 1\n")
    made, (found, problems) = provisioned(folder, mock)
    status = {r.logical_id: r.status for r in made.resources.values()}
    assert status == {"Good": "created", "NoKeys": "failed", "NotAMapping": "failed", "BadName": "failed",
                      "Unknown": "failed", "Chicken": "failed", "Egg": "failed", "NoType": "failed"}
    reasons = {r.logical_id: r.reason for r in made.resources.values()}
    assert reasons["NoKeys"] == "KeySchema and AttributeDefinitions are required"
    assert reasons["NotAMapping"] == "Properties must be a mapping"
    assert "InvalidParameterValue" in reasons["BadName"] or "Can only include" in reasons["BadName"]
    assert reasons["Unknown"].startswith("!Ref NoSuchThing cannot be resolved locally")
    assert reasons["Chicken"].startswith("circular reference: it needs Egg")
    lines = [str(p) for p in problems]
    assert reasons["NoType"] == "expected a mapping with 'Type' (and 'Properties')"
    assert all(line.startswith("template.yaml:") for line in lines) and len(lines) == 7
    assert any(line.startswith("template.yaml:10: Resources.NoKeys:") for line in lines)
    assert any("AWS::DynamoDB::Table NoKeys was not created in the embedded AWS" in line for line in lines)
    assert "Traceback" not in "\n".join(lines)
    env = found.get("Fn").environment
    assert env["GOOD"] == made.resources["Good"].url and env["BAD"] == "<Ref NoKeys>"


def test_generated_names_are_stable_and_within_the_service_limits() -> None:
    name = generated_name("a-very-long-stack-name-" * 4, "AVeryLongLogicalIdForAQueue" * 3, limit=80,
                          suffix=".fifo")
    assert len(name) <= 80 and name.endswith(".fifo")
    assert name == generated_name("a-very-long-stack-name-" * 4, "AVeryLongLogicalIdForAQueue" * 3, limit=80,
                                  suffix=".fifo")
    assert generated_name("s", "Bucket", limit=63, lower=True) == generated_name("s", "Bucket", limit=63).lower()
    assert generated_name("s", "A", limit=255) != generated_name("s", "B", limit=255)


def test_a_project_without_resources_provisions_nothing(tmp_path: Path, mock: MockAws) -> None:
    write(tmp_path, "svl.yaml", "functions:\n  hi: {handler: app.handler}\n")
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    made = provision(discover(tmp_path), mock)
    assert made.resources == {} and made.problems == []


def test_aws_resources_lists_what_the_configuration_creates(tmp_path: Path,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    project = sam_project(tmp_path / "listed")
    assert main(["aws", "resources", "--project", str(project)]) == 0
    out, err = capfd.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["LOGICAL", "ID", "TYPE", "STATUS", "NAME", "ARN", "/", "URL", "NOTE"]
    jobs = next(line for line in lines if line.startswith("Jobs "))
    assert "AWS::SQS::Queue" in jobs and "created" in jobs and "/123456789012/listed-Jobs-" in jobs
    assert any(line.startswith("Pool ") and "skipped" in line for line in lines)
    assert "10 created, 2 skipped, 0 failed in" in err

    assert main(["aws", "resources", "--project", str(project), "--json"]) == 0
    rows = json.loads(capfd.readouterr().out)
    assert rows[0] == {"logical_id": "Orders", "type": "AWS::DynamoDB::Table",
                       "name": generated_name("listed", "Orders", limit=255), "arn": rows[0]["arn"], "url": "",
                       "stream_arn": rows[0]["stream_arn"], "status": "created", "reason": "",
                       "file": "template.yaml"}
    assert rows[0]["stream_arn"].startswith(rows[0]["arn"] + "/stream/")


def test_aws_resources_exits_1_and_names_the_failures(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "pets"
    write(folder, "serverless.yml", """
        service: pets
        provider: {name: aws, runtime: python3.12}
        functions:
          adopt: {handler: app.handler}
        resources:
          Resources:
            Broken:
              Type: AWS::DynamoDB::Table
              Properties: {TableName: t}
    """)
    write(folder, "app.py", "def handler(e, c):\n    return 1\n")
    assert main(["aws", "resources", "--project", str(folder)]) == 1
    out, err = capfd.readouterr()
    assert ("svl-tui: warning: serverless.yml:9: resources.Resources.Broken: AWS::DynamoDB::Table Broken was "
            "not created in the embedded AWS: KeySchema and AttributeDefinitions are required") in err
    assert "Traceback" not in err


def test_a_name_from_a_parameter_without_value_falls_back_to_cloudformations_rule(tmp_path: Path,
                                                                                  mock: MockAws) -> None:
    """The layout of `sam init`'s S3 template: BucketName: !Ref AppBucketName, a parameter with no Default."""
    folder = tmp_path / "photos"
    write(folder, "template.yaml", """
        Parameters:
          AppBucketName: {Type: String, Description: "REQUIRED: Unique S3 bucket name to use for the app."}
        Resources:
          Logger:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: src/
              Environment: {Variables: {BUCKET: !Ref AppBucket}}
              Events:
                Uploaded:
                  Type: S3
                  Properties: {Bucket: !Ref AppBucket, Events: "s3:ObjectCreated:*"}
          AppBucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Ref AppBucketName
              VersioningConfiguration: {Status: Enabled}
    """)
    write(folder, "src/app.py", "def handler(e, c):\n    return 1\n")
    made, (found, problems) = provisioned(folder, mock)
    bucket = made.resources["AppBucket"]
    assert problems == [] and bucket.status == "created"
    assert bucket.name == generated_name("photos", "AppBucket", limit=63, lower=True)
    assert bucket.reason.startswith("BucketName !Ref AppBucketName: the parameter has no Default and no "
                                    "--parameter-overrides value")
    assert mock.client("s3").get_bucket_versioning(Bucket=bucket.name)["Status"] == "Enabled"
    assert found.get("Logger").environment["BUCKET"] == bucket.name
    assert found.get("Logger").triggers[0].params["bucket"] == bucket.name
    overridden = discover(folder, replace(Settings(), parameter_overrides={"AppBucketName": "my-photos"}))
    provision_project(overridden, mock)
    assert mock.provisioned.resources["AppBucket"].name == "my-photos"  # type: ignore[union-attr]


SECRETS = """
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: python3.12
          Environment:
            Variables:
              SECRET_ARN: !Ref DbSecret
              PARAM_NAME: !Ref Flags
              PARAM_VALUE: !GetAtt Flags.Value
      DbSecret:
        Type: AWS::SecretsManager::Secret
        Properties:
          GenerateSecretString:
            SecretStringTemplate: '{"username": "app"}'
            GenerateStringKey: password
            PasswordLength: 20
            ExcludePunctuation: true
      Flags:
        Type: AWS::SSM::Parameter
        Properties: {Name: /shop/flags, Type: StringList, Value: [fast, safe]}
"""

SECRETS_HANDLER = """
    import json
    import os

    import boto3


    def handler(event, context):
        secret = json.loads(boto3.client("secretsmanager").get_secret_value(
            SecretId=os.environ["SECRET_ARN"])["SecretString"])
        flags = boto3.client("ssm").get_parameter(Name=os.environ["PARAM_NAME"])["Parameter"]
        return {"user": secret["username"], "password_length": len(secret["password"]),
                "flags": flags["Value"], "type": flags["Type"], "env_value": os.environ["PARAM_VALUE"]}
"""


def test_secrets_and_parameters_a_handler_reads_at_start_exist(tmp_path: Path,
                                                                capfd: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "secrets"
    write(project, "template.yaml", SECRETS)
    write(project, "src/app.py", SECRETS_HANDLER)
    code = main(["invoke", "Fn", "--project", str(project), "--mock-aws", "--no-aws", "-d", "{}", "-q"])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert json.loads(out) == {"user": "app", "password_length": 20, "flags": "fast,safe", "type": "StringList",
                               "env_value": "fast,safe"}


def test_serve_with_mock_aws_gives_handlers_the_template_resources(tmp_path: Path) -> None:
    import re
    import signal
    import subprocess
    import sys
    import urllib.request

    project = sam_project(tmp_path / "served")
    process = subprocess.Popen([sys.executable, "-m", "tui.entry", "serve", "--port", "0", "--no-reload",
                                "--mock-aws", "--no-aws", "--quiet"],
                               cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        lines = []
        for _ in range(50):  # other notes may come first (event sources): read up to the banner
            lines.append(process.stderr.readline())
            match = re.search(r"serving \d+ functions on (http://127\.0\.0\.1:\d+)", lines[-1])
            if match or not lines[-1]:
                break
        assert match, "".join(lines)
        request = urllib.request.Request(match.group(1) + "/2015-03-31/functions/Reader/invocations", data=b"{}",
                                         method="POST")
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
        assert answer == {"table": generated_name("served", "Orders", limit=255), "items": 1}
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert process.returncode == 0
