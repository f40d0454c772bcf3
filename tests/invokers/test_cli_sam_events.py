"""``svl-tui events show`` takes ``sam local generate-event``'s form and names: SERVICE VARIANT --tags."""

from __future__ import annotations

import json

from tests.invokers.test_cli import svl


def test_sam_form_with_sams_tag_names() -> None:
    done = svl("events", "show", "kinesis", "analytics-kpl", "--application", "app", "--region", "eu-west-1",
               "--account-id", "111122223333", "--partition", "aws-cn")
    assert done.returncode == 0, done.stderr
    event = json.loads(done.stdout)
    assert event["applicationArn"] == "arn:aws-cn:kinesisanalytics:eu-west-1:111122223333:application/app"
    assert "kinesisStreamRecordMetadata" in event["records"][0]
    proxy = json.loads(svl("events", "show", "apigateway", "aws-proxy", "--stage", "beta", "--method", "POST",
                           "--querystringparameters", "a=1").stdout)
    assert proxy["requestContext"]["stage"] == "beta" and proxy["httpMethod"] == "POST"
    assert proxy["queryStringParameters"] == {"a": "1"}


def test_our_kind_form_still_works_and_takes_sams_names_too() -> None:
    event = json.loads(svl("events", "show", "sqs", "--queue-name", "jobs", "--region", "ap-south-1").stdout)
    assert event["Records"][0]["eventSourceARN"] == "arn:aws:sqs:ap-south-1:123456789012:jobs"
    assert json.loads(svl("events", "show", "sqs", "--queue", "mine").stdout)["Records"][0]["eventSourceARN"].endswith(
        ":mine")


def test_list_sam_and_a_clear_error_for_an_unknown_variant() -> None:
    listing = svl("events", "list", "--sam").stdout.splitlines()
    assert any(line.split()[:3] == ["rekognition", "s3-request", "rekognition"] for line in listing)
    assert len(listing) == 68  # every variant of event-mapping.json (26 services)
    done = svl("events", "show", "kinesis", "analytics-json")
    assert done.returncode == 2 and "variants: get-records, kinesis-firehose, analytics" in done.stderr
