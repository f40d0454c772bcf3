"""Every service and variant of ``sam local generate-event`` has a kind, and every one of its tags (parameter
names) is accepted and lands in the event. The list of services, variants and tags is SAM CLI's own
(``samcli/lib/generated_sample_events/event-mapping.json``, aws/aws-sam-cli of July 2026), kept here as data."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from event_samples import KINDS, detect, generate, validate
from event_samples.sam import VARIANTS, variant

MAPPING = json.loads((Path(__file__).parent / "data" / "sam_event_mapping_tags.json").read_text())
CASES = [(service, name, tags) for service, variants in MAPPING.items() for name, tags in variants.items()]

# A value for each tag that its parameter accepts; most are free text.
SENTINELS = {"method": "PATCH", "region": "eu-west-3", "partition": "aws-cn", "account-id": "210987654321",
             "bucket-arn": "arn:aws:s3:::sentinel-bucket", "flow-direction": "OUTBOUND", "uri": "/sentinel-uri",
             "path": "/sentinel-path", "resource": "/sentinel-resource", "stage": "sentinelstage",
             "querystringparameters": "sentinelq=7", "phone-number": "+15550123",
             "sequence": "49590338271490256608559692538361571095921575989136588898"}
EXPECTED = {"querystringparameters": "sentinelq"}  # a query string is kept parsed: its name shows


def sentinel(tag: str) -> str:
    return SENTINELS.get(tag, f"sentinel-{tag}")


def unpacked(value: object) -> list[str]:
    """Every string in ``value``, and the text of those that are base64 of gzipped data (Kinesis Analytics)."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in unpacked(item)]
    if isinstance(value, list):
        return [text for item in value for text in unpacked(item)]
    if not isinstance(value, str):
        return []
    try:
        return [value, gzip.decompress(base64.b64decode(value, validate=True)).decode()]
    except (ValueError, OSError, EOFError):
        return [value]


def shows(event: object, value: str) -> bool:
    """``value`` is in the event as is, base64-encoded, gzipped and encoded, or URL-encoded."""
    text = json.dumps(event) + "\n".join(unpacked(event))
    encoded = base64.b64encode(value.encode()).decode()
    return value in text or encoded in text or quote_plus(value, safe="/") in text or value.lstrip("/") in text


def test_every_service_and_variant_has_a_kind() -> None:
    assert {(s, v) for s, v, _ in CASES} == {(s, v) for s, vs in VARIANTS.items() for v in vs}


@pytest.mark.parametrize(("service", "name", "tags"), CASES, ids=[f"{s}-{v}" for s, v, _ in CASES])
def test_variant_generates_a_valid_event_with_every_tag_applied(service: str, name: str, tags: list[str]) -> None:
    found = variant(service, name)
    kind = KINDS[found.kind]
    values = {tag.replace("-", "_"): sentinel(tag) for tag in tags}
    event = kind.generate(**found.preset, **values)
    assert validate(event, kind.name) == []
    assert detect(event) == (kind.detected_as or kind.name)
    for tag in tags:
        expected = EXPECTED.get(tag, sentinel(tag))
        assert shows(event, expected), f"--{tag} {sentinel(tag)!r} is not in the {service} {name} event"
    if "partition" in tags:
        assert '"arn:aws:' not in json.dumps(event)  # every ARN in the asked partition


def test_our_names_stay_and_sams_are_aliases() -> None:
    assert generate("sqs", queue="a")["Records"][0]["eventSourceARN"].endswith(":a")
    by_sam = generate("sqs", queue_name="b", region="eu-west-1", account_id="111122223333")
    assert by_sam["Records"][0]["eventSourceARN"] == "arn:aws:sqs:eu-west-1:111122223333:b"
    with pytest.raises(ValueError, match="has no parameter --colour.*--region"):
        generate("sqs", colour="blue")


def test_new_kinds_carry_what_their_variants_need() -> None:
    kpl = generate("kinesis-analytics", variant="kpl", records=2)
    assert [r["kinesisStreamRecordMetadata"]["partitionKey"] for r in kpl["records"]] == ["partitionKey-01",
                                                                                         "partitionKey-02"]
    packed = generate("kinesis-analytics", variant="compressed", data="zipped")["records"][0]["data"]
    assert gzip.decompress(base64.b64decode(packed)) == b"zipped"
    logs = generate("kinesis-firehose", variant="cloudwatch-logs-processor")["records"][0]["data"]
    assert json.loads(gzip.decompress(base64.b64decode(logs)))["messageType"] == "DATA_MESSAGE"
    line = base64.b64decode(generate("kinesis-firehose", variant="apachelog")["records"][0]["data"]).decode()
    assert line.startswith("64.242.88.10 - - [07/Mar/2004")
    rekognition = generate("rekognition", key="photos/my cat.jpg")["Records"][0]
    assert rekognition["s3"]["object"]["key"] == "photos/my+cat.jpg" and rekognition["eventName"] == "ObjectCreated:Put"
    with pytest.raises(ValueError, match="variant: one of"):
        generate("kinesis-analytics", variant="csv")


def test_unknown_services_and_variants_list_what_exists() -> None:
    with pytest.raises(ValueError, match="services: .*rekognition"):
        variant("lambda", "invoke")
    with pytest.raises(ValueError, match="variants: .*analytics-kpl"):
        variant("kinesis", "analytics-json")
