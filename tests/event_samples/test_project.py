"""Event files found where SAM, serverless and test habits keep them; big or broken files skipped."""

from __future__ import annotations

import json
from pathlib import Path

from event_samples import generate
from event_samples.project import MAX_BYTES, find


def test_usual_places_are_found_with_their_kind_and_function_folder(tmp_path: Path) -> None:
    files = {
        "event.json": generate("sqs"), "data.json": {"plain": True}, "events/api.json": generate("apigw-http"),
        "events/orders/created.json": generate("sns"), "mocks/s3.json": generate("s3"),
        "tests/events/k.json": generate("kinesis"), "__tests__/events/d.json": generate("dynamodb"),
        "svc/events/near.json": generate("alb"), "other/ignored.json": {"x": 1}, "package.json": {"name": "x"},
    }
    for name, value in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    (tmp_path / "events" / "huge.json").write_text(" " * (MAX_BYTES + 1) + "{}")
    (tmp_path / "events" / "bad.json").write_text("{")
    found = {e.path: (e.folder, e.kind) for e in find(tmp_path, [tmp_path / "svc"])}
    assert found == {
        "__tests__/events/d.json": (None, "dynamodb"), "data.json": (None, None), "event.json": (None, "sqs"),
        "events/api.json": (None, "apigw-http"), "events/orders/created.json": ("orders", "sns"),
        "mocks/s3.json": (None, "s3"), "svc/events/near.json": (None, "alb"), "tests/events/k.json": (None, "kinesis"),
    }


def test_an_empty_project_has_no_events(tmp_path: Path) -> None:
    assert find(tmp_path) == [] and find(tmp_path / "missing") == []
