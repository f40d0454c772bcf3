"""Saved events: CRUD, atomic writes under a simulated crash, hostile names, imports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from event_samples import SavedEventError, SavedEvents, generate


def test_save_list_load_rename_delete(tmp_path: Path) -> None:
    store = SavedEvents(tmp_path)
    store.save("orders-api", "happy path", {"a": 1})
    store.save("orders-api", "Bad-input", {"a": 2})
    assert (tmp_path / ".svl" / "events" / "orders-api" / "happy path.json").is_file()
    assert store.list("orders-api") == ["Bad-input", "happy path"]
    assert store.load("orders-api", "happy path") == {"a": 1}
    store.rename("orders-api", "happy path", "ok")
    assert store.list("orders-api") == ["Bad-input", "ok"]
    with pytest.raises(SavedEventError, match="already exists"):
        store.rename("orders-api", "ok", "Bad-input")
    store.delete("orders-api", "ok")
    assert store.list("orders-api") == ["Bad-input"]
    with pytest.raises(SavedEventError, match="no saved event"):
        store.load("orders-api", "ok")
    assert store.list("other") == []


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", "", "   ", "a\\b", ".hidden", "x" * 141, "nul\x00"])
def test_hostile_names_are_refused(tmp_path: Path, name: str) -> None:
    store = SavedEvents(tmp_path)
    with pytest.raises(SavedEventError):
        store.save("fn", name, {})
    with pytest.raises(SavedEventError):
        store.save(name, "ok", {})
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_crash_during_write_keeps_the_old_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SavedEvents(tmp_path)
    store.save("fn", "e", {"version": 1})

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save("fn", "e", {"version": 2, "big": "x" * 100_000})
    monkeypatch.undo()
    assert store.load("fn", "e") == {"version": 1}
    assert [p.name for p in (tmp_path / ".svl" / "events" / "fn").iterdir()] == ["e.json"]


def test_import_sam_events_folder(tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    (events / "event.json").write_text(json.dumps(generate("apigw-rest")))
    (events / "sqs batch.json").write_text(json.dumps(generate("sqs")))
    store = SavedEvents(tmp_path)
    assert store.import_folder("fn", events) == ["event", "sqs batch"]
    assert store.load("fn", "sqs batch")["Records"]


def test_import_broken_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(SavedEventError, match="bad.json is not valid JSON"):
        SavedEvents(tmp_path).import_folder("fn", tmp_path)


def test_import_lambda_console_shareable_events(tmp_path: Path) -> None:
    document = {"openapi": "3.0.0", "components": {"schemas": {}, "examples": {
        "TestEvent": {"value": {"key1": "value1"}}, "with/slash": {"value": {"k": 2}}}}}
    export = tmp_path / "schema.json"
    export.write_text(json.dumps({"Content": json.dumps(document)}))
    store = SavedEvents(tmp_path)
    assert store.import_shareable("fn", export) == ["TestEvent", "with-slash"]
    assert store.load("fn", "with-slash") == {"k": 2}
    (tmp_path / "empty.json").write_text("{}")
    with pytest.raises(SavedEventError, match="components.examples"):
        store.import_shareable("fn", tmp_path / "empty.json")
