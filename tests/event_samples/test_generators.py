"""Generated events are realistic and consistent with themselves."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from event_samples import KINDS, contents, detect, encode, generate, validate
from event_samples.common import Env
from event_samples.messaging import sqs
from event_samples.streams import cloudwatch_logs

TEMPLATES = Path(__file__).resolve().parents[2] / "event_samples" / "templates"


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_a_readable_template_generates_detects_and_validates(kind: str) -> None:
    assert json.loads((TEMPLATES / f"{kind}.json").read_text())
    event = generate(kind)
    assert detect(event) == (KINDS[kind].detected_as or kind)  # a Rekognition request is an S3 notification
    assert validate(event, kind) == []


def test_sqs_batch_ids_md5_arns_and_times_agree() -> None:
    env = Env(region="eu-west-1", account="111122223333", now=1_700_000_000.5)
    event = sqs(body={"id": 1}, records=3, queue="orders", env=env)
    records = event["Records"]
    assert len({r["messageId"] for r in records}) == 3
    for index, record in enumerate(records):
        assert record["body"] == '{"id": 1}'
        assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()
        assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:111122223333:orders"
        assert record["awsRegion"] == "eu-west-1"
        assert record["attributes"]["SentTimestamp"] == str(1_700_000_000_500 + index)


def test_sqs_fifo_has_group_and_sequence() -> None:
    record = generate("sqs", queue="jobs.fifo")["Records"][0]
    assert record["attributes"]["MessageGroupId"] and record["attributes"]["SequenceNumber"].isdigit()


def test_kinesis_base64_and_growing_sequence_numbers() -> None:
    records = generate("kinesis", data={"t": 1}, records=3)["Records"]
    assert [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records] == [{"t": 1}] * 3
    numbers = [int(r["kinesis"]["sequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(r["eventID"].endswith(r["kinesis"]["sequenceNumber"]) for r in records)


def test_dynamodb_typed_images_and_event_name_follow_images() -> None:
    event = generate("dynamodb", keys='{"pk": "a"}', new_image='{"n": 2, "ok": true}', old_image='{"n": 1}')
    record = event["Records"][0]
    assert record["eventName"] == "MODIFY"
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "n": {"N": "2"}, "ok": {"BOOL": True}}
    assert record["dynamodb"]["OldImage"]["n"] == {"N": "1"}


def test_http_bodies_content_type_and_base64() -> None:
    rest = generate("apigw-rest", method="post", body='{"a": 1}', query="x=1&y=two")
    assert rest["httpMethod"] == "POST" and rest["headers"]["Content-Type"] == "application/json"
    assert rest["queryStringParameters"] == {"x": "1", "y": "two"}
    assert rest["multiValueQueryStringParameters"] == {"x": ["1"], "y": ["two"]}
    binary = generate("apigw-http", body="raw", binary="yes")
    assert binary["isBase64Encoded"] is True and base64.b64decode(binary["body"]) == b"raw"
    assert binary["requestContext"]["http"]["method"] == "GET" and binary["version"] == "2.0"


def test_s3_key_is_url_encoded_like_s3() -> None:
    assert generate("s3", key="my folder/a+b.txt")["Records"][0]["s3"]["object"]["key"] == "my+folder/a%2Bb.txt"


def test_cloudwatch_logs_round_trip() -> None:
    event = cloudwatch_logs(messages=["a", "b"], log_group="/aws/lambda/x")
    (content,) = contents(event)
    assert content.value["logGroup"] == "/aws/lambda/x"
    assert [e["message"] for e in content.value["logEvents"]] == ["a", "b"]


def test_graphql_body() -> None:
    event = generate("graphql", query="{ a }", variables='{"v": 1}')
    assert json.loads(event["body"]) == {"query": "{ a }", "variables": {"v": 1}}


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("sqs", {"records": "lots"}, "expected a whole number"),
    ("sqs", {"records": 0}, "1 to 10,000"),
    ("apigw-rest", {"headers": "{broken"}, "not valid JSON"),
    ("dynamodb", {"event_name": "UPSERT"}, "INSERT, MODIFY or REMOVE"),
    ("eventbridge", {"detail": "[1, 2]"}, "must be a JSON object"),
    ("sqs", {"colour": "red"}, "has no parameter --colour"),
])
def test_bad_parameters_say_what_is_wrong(kind: str, params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(kind, **params)


def test_round_trip_generate_validate_decode_edit_encode() -> None:
    for kind, new_value in (("sqs", {"edited": True}), ("sns", "plain"), ("kinesis", {"k": 2}),
                            ("apigw-rest", {"b": 1}), ("dynamodb", {"id": "x", "v": 3})):
        event = generate(kind, body="{}") if kind == "apigw-rest" else generate(kind)
        content = contents(event)[-1]
        edited = encode(event, content, new_value)
        assert validate(edited, kind) == [], kind
        assert contents(edited)[-1].value == new_value
        assert event != edited


def test_sqs_batch_of_ten_thousand() -> None:
    assert len(generate("sqs", records=10_000)["Records"]) == 10_000
