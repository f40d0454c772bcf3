"""Triggers declared on resources (as CloudFormation templates and aws-samples' patterns write them):
an ``AWS::Lambda::EventSourceMapping``, lambda subscriptions on a topic, a bucket's ``LambdaConfigurations``,
rules whose targets are functions. The template's resources are created by ``provision``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from invokers.aws.mock import MockAws
from invokers.cli_project import provision_project
from invokers.discovery import discover
from tests.files import write

from .conftest import client, running

TEMPLATE = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
      JobsMapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          EventSourceArn: !GetAtt Jobs.Arn
          FunctionName: !Ref Worker
          BatchSize: 5
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          Subscription:
            - Protocol: lambda
              Endpoint: !GetAtt Worker.Arn
      Loud:
        Type: AWS::SNS::Subscription
        Properties:
          Protocol: lambda
          TopicArn: !Ref Alerts
          Endpoint: !GetAtt Worker.Arn
          FilterPolicy: {level: [high]}
      Uploads:
        Type: AWS::S3::Bucket
        Properties:
          NotificationConfiguration:
            LambdaConfigurations:
              - Event: s3:ObjectCreated:*
                Function: !GetAtt Worker.Arn
                Filter: {S3Key: {Rules: [{Name: suffix, Value: .csv}]}}
      Orders:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {source: [shop]}
          Targets:
            - Arn: !GetAtt Worker.Arn
              Id: worker
      Nightly:
        Type: AWS::Events::Rule
        Properties:
          ScheduleExpression: cron(0 3 * * ? *)
          Targets:
            - Arn: !GetAtt Worker.Arn
              Id: worker
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: python3.12
"""


async def test_triggers_declared_on_resources_deliver_to_the_function(tmp_path: Path, mock: MockAws) -> None:
    write(tmp_path, "src/app.py", "def handler(event, context):\n    return event\n")
    write(tmp_path, "template.yaml", TEMPLATE)
    found = discover(tmp_path)
    problems = await asyncio.to_thread(provision_project, found, mock)
    assert [p for p in problems if p.severity == "error"] == []
    provisioned = mock.provisioned
    assert provisioned is not None
    async with running(mock, *found.functions, provisioned=provisioned, schedules=False) as (sources, seen):
        assert sorted((i.source, i.state) for i in sources.infos) == [
            ("eventbridge:Orders", "running"), ("s3:Uploads", "running"), ("schedule:Nightly", "running"),
            ("sns:Alerts", "running"), ("sns:Alerts", "running"), ("sqs:Jobs", "running")]
        await asyncio.to_thread(client(mock, "sqs").send_message, QueueUrl=provisioned.resources["Jobs"].url,
                                MessageBody="job")
        await asyncio.to_thread(client(mock, "sns").publish, TopicArn=provisioned.resources["Alerts"].arn,
                                Message="quiet")
        s3 = client(mock, "s3")
        for key in ("a.txt", "b.csv"):
            await asyncio.to_thread(s3.put_object, Bucket=provisioned.resources["Uploads"].name, Key=key, Body=b"1")
        await asyncio.to_thread(client(mock, "events").put_events, Entries=[
            {"Source": "shop", "DetailType": "Sale", "Detail": json.dumps({"n": 1})},
            {"Source": "elsewhere", "DetailType": "Sale", "Detail": "{}"}])
        await sources.fire("Worker", "Nightly")
        await seen.until(lambda s: {d.source for d in s.deliveries} == {
            "sqs:Jobs", "sns:Alerts", "s3:Uploads", "eventbridge:Orders", "schedule:Nightly"})
        await asyncio.sleep(1)  # what should not come (the csv filter, the pattern, the filter policy) has had time
        counts = {source: sum(d.source == source for d in seen.deliveries) for source in
                  ("sqs:Jobs", "sns:Alerts", "s3:Uploads", "eventbridge:Orders", "schedule:Nightly")}
        assert counts == {"sqs:Jobs": 1, "sns:Alerts": 1, "s3:Uploads": 1, "eventbridge:Orders": 1,
                          "schedule:Nightly": 1}  # the filtered subscription saw "quiet" and left it
        s3_record = next(d for d in seen.deliveries if d.source == "s3:Uploads").event["Records"][0]
        assert s3_record["s3"]["object"]["key"] == "b.csv"


STREAM_TEMPLATE = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Activity:
        Type: AWS::Kinesis::Stream
        Properties: {Name: Activity, ShardCount: 1}
      Anomalies:
        Type: AWS::SQS::Queue
        Properties: {QueueName: Anomalies}
      Processor:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: python3.12
          Events:
            Records:
              Type: Kinesis
              Properties:
                Stream: !GetAtt Activity.Arn
                BatchSize: 5
                StartingPosition: TRIM_HORIZON
                BisectBatchOnFunctionError: true
                MaximumRetryAttempts: 1
                DestinationConfig:
                  OnFailure:
                    Type: SQS
                    Destination: !GetAtt Anomalies.Arn
"""


async def test_a_poison_record_is_bisected_out_and_described_on_the_templates_failure_queue(
        tmp_path: Path, mock: MockAws) -> None:
    """The layout of aws-samples' kinesis-lambda-error-handling pattern."""
    write(tmp_path, "src/app.py", """
        import base64, json
        def handler(event, context):
            for record in event["Records"]:
                json.loads(base64.b64decode(record["kinesis"]["data"]))["id"]
    """)
    write(tmp_path, "template.yaml", STREAM_TEMPLATE)
    found = discover(tmp_path)
    await asyncio.to_thread(provision_project, found, mock)
    kinesis = client(mock, "kinesis")
    for data in (b'{"id": 1}', b"not json", b'{"id": 3}'):
        await asyncio.to_thread(kinesis.put_record, StreamName="Activity", Data=data, PartitionKey="k")
    async with running(mock, *found.functions, provisioned=mock.provisioned) as (_, seen):
        await seen.until(lambda s: any("failure record sent to Anomalies" in n.message for n in s.notices))
        await seen.until(lambda s: sum(len(d.event["Records"]) for d in s.deliveries if d.outcome == "ok") >= 2)
    sqs = client(mock, "sqs")
    url = sqs.get_queue_url(QueueName="Anomalies")["QueueUrl"]
    body = json.loads((await asyncio.to_thread(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=5))[
        "Messages"][0]["Body"])
    assert body["KinesisBatchInfo"]["batchSize"] == 1 and body["requestContext"]["approximateInvokeCount"] == 2
