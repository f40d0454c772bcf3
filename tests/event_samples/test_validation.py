"""Validation finds each problem with its path and a hint; it and detection never raise."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from event_samples import detect, generate, parse_json, validate

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25)


def paths(issues: list) -> set[str]:
    return {i.path for i in issues}


def test_missing_records() -> None:
    issues = validate({"records": []}, "sqs")
    assert paths(issues) == {"$.Records"} and "missing" in issues[0].message and issues[0].hint


def test_sqs_body_must_be_a_string_and_md5_checked() -> None:
    event = generate("sqs")
    event["Records"][0]["body"] = {"id": 1}
    issues = validate(event, "sqs")
    assert "$.Records[0].body" in paths(issues)
    assert "JSON-encode" in next(i for i in issues if i.path == "$.Records[0].body").hint
    event = generate("sqs", body="x")
    event["Records"][0]["body"] = "y"
    (md5,) = validate(event, "sqs")
    assert md5.path == "$.Records[0].md5OfBody" and md5.severity == "warning"


def test_kinesis_data_must_be_base64() -> None:
    event = generate("kinesis")
    event["Records"][0]["kinesis"]["data"] = "%%% not base64"
    (issue,) = validate(event, "kinesis")
    assert issue.path == "$.Records[0].kinesis.data" and "base64" in issue.message


def test_http_api_wrong_version() -> None:
    event = generate("apigw-http")
    event["version"] = "1.0"
    (issue,) = validate(event, "apigw-http")
    assert issue.path == "$.version" and "2.0" in issue.message and "httpMethod" in issue.hint


def test_rest_body_object_and_bad_method() -> None:
    event = generate("apigw-rest")
    event["body"] = {"a": 1}
    event["httpMethod"] = "FETCH"
    assert paths(validate(event, "apigw-rest")) == {"$.body", "$.httpMethod"}


def test_dynamodb_untyped_image() -> None:
    event = generate("dynamodb")
    event["Records"][0]["dynamodb"]["NewImage"]["status"] = "NEW"
    issues = validate(event, "dynamodb")
    assert "$.Records[0].dynamodb.NewImage.status" in paths(issues)


def test_wrong_kind_reports_problems_not_exceptions() -> None:
    assert validate(generate("sns"), "sqs")
    assert validate([1, 2], "sqs")[0].message.startswith("should be a JSON object")


def test_invalid_json_line_and_column() -> None:
    value, issue = parse_json('{\n  "a": 1,\n  "b": oops\n}')
    assert value is None and (issue.line, issue.column) == (3, 8)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_detect_and_validate_never_raise(value: object) -> None:
    kind = detect(value)
    validate(value, kind)
    for name in ("sqs", "sns", "kinesis", "dynamodb", "s3", "apigw-rest", "apigw-http", "alb", "graphql",
                 "eventbridge", "cloudwatch-logs", "azure-http", "warmup"):
        validate(value, name)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["Records", "body", "httpMethod", "version", "requestContext", "awslogs",
                                        "detail-type", "source", "method", "url"]), json_values, max_size=5))
def test_event_shaped_garbage_never_raises(value: dict) -> None:
    for name in ("sqs", "kinesis", "dynamodb", "apigw-http", "cloudwatch-logs", "graphql"):
        validate(value, name)
    detect(value)
    json.dumps(value)
