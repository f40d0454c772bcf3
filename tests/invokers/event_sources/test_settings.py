"""Mapping settings read from SAM and serverless.yml, with Lambda's defaults where they are silent."""

from __future__ import annotations

from pathlib import Path

from invokers.discovery import discover
from invokers.event_sources.settings import settings_of
from invokers.models import Trigger
from tests.files import write


def triggers(folder: Path) -> dict[str, Trigger]:
    found = discover(folder)
    assert found.errors == []
    return {t.name: t for spec in found.functions for t in spec.triggers}


def test_sam_mapping_settings(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::SQS::Queue
          Failures:
            Type: AWS::SQS::Queue
          Stream:
            Type: AWS::Kinesis::Stream
            Properties: {ShardCount: 1}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src
              Handler: app.handler
              Runtime: python3.12
              Events:
                Queue:
                  Type: SQS
                  Properties:
                    Queue: !GetAtt Orders.Arn
                    BatchSize: 25
                    MaximumBatchingWindowInSeconds: 2
                    FunctionResponseTypes: [ReportBatchItemFailures]
                    ScalingConfig: {MaximumConcurrency: 3}
                Clicks:
                  Type: Kinesis
                  Properties:
                    Stream: !GetAtt Stream.Arn
                    StartingPosition: TRIM_HORIZON
                    BisectBatchOnFunctionError: true
                    MaximumRetryAttempts: 2
                    Enabled: false
                    DestinationConfig:
                      OnFailure:
                        Destination: !GetAtt Failures.Arn
    """)
    found = triggers(tmp_path)
    queue = settings_of(found["Queue"])
    assert (queue.batch_size, queue.batching_window_s, queue.report_batch_item_failures, queue.max_concurrency) == (
        25, 2.0, True, 3)
    clicks = settings_of(found["Clicks"])
    assert (clicks.batch_size, clicks.starting_position, clicks.bisect_on_error, clicks.max_retry_attempts,
            clicks.enabled, clicks.on_failure) == (100, "TRIM_HORIZON", True, 2, False, "Failures")


def test_serverless_mapping_settings(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def main(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: shop
        provider: {name: aws, runtime: python3.12}
        functions:
          consume:
            handler: handler.main
            events:
              - sqs:
                  arn: arn:aws:sqs:us-east-1:123456789012:orders
                  batchSize: 5
                  maximumBatchingWindow: 10
                  functionResponseType: ReportBatchItemFailures
              - sns:
                  arn: arn:aws:sns:us-east-1:123456789012:main
                  topicName: mainTopic
                  filterPolicyScope: MessageBody
                  filterPolicy: {status: [foo]}
              - stream:
                  type: dynamodb
                  arn: arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000
                  bisectBatchOnFunctionError: true
                  maximumRetryAttempts: 1
                  destinations:
                    onFailure: arn:aws:sqs:us-east-1:123456789012:stream-failures
    """)
    found = discover(tmp_path)
    [spec] = found.functions
    sqs, sns, stream = spec.triggers
    assert sns.params["filter_policy_scope"] == "MessageBody" and sns.params["topic_arn"].endswith(":main")
    sqs, stream = settings_of(sqs), settings_of(stream)
    assert (sqs.batch_size, sqs.batching_window_s, sqs.report_batch_item_failures) == (5, 10.0, True)
    assert (stream.batch_size, stream.bisect_on_error, stream.max_retry_attempts, stream.on_failure) == (
        100, True, 1, "arn:aws:sqs:us-east-1:123456789012:stream-failures")


def test_defaults_are_lambdas() -> None:
    sqs = settings_of(Trigger("sqs", "Q", {"queue": "q"}))
    assert (sqs.batch_size, sqs.batching_window_s, sqs.report_batch_item_failures, sqs.max_concurrency) == (
        10, 0.0, False, 5)
    stream = settings_of(Trigger("kinesis", "S", {"stream": "s", "batch_size": "oops"}))
    assert (stream.batch_size, stream.starting_position, stream.max_retry_attempts, stream.enabled) == (
        100, "LATEST", -1, True)
