"""Azure trigger events: filled from the binding, bare payloads completed with the host's metadata."""

from __future__ import annotations

import json

import pytest

from event_samples import azure, detect, triggers, validate


def test_for_trigger_uses_the_bindings_own_values() -> None:
    timer = azure.for_trigger({"type": "timerTrigger", "schedule": "0 0 * * * *"})
    assert timer["metadata"]["schedule"] == "0 0 * * * *"
    queue = azure.for_trigger({"type": "queueTrigger", "queueName": "work"})
    assert queue["metadata"]["QueueName"] == "work" and queue["metadata"]["DequeueCount"] == 1
    blob = azure.for_trigger({"type": "blobTrigger", "path": "uploads/{name}"})
    assert blob["metadata"]["BlobTrigger"] == "uploads/report.txt" and blob["metadata"]["Name"] == "report.txt"
    hub = azure.for_trigger({"type": "eventHubTrigger", "eventHubName": "t", "cardinality": "one"})
    assert not isinstance(hub["data"], list) and hub["metadata"]["PartitionContext"]["EventHubName"] == "t"
    assert azure.for_trigger({"type": "httpTrigger"}) is None


def test_fill_completes_a_bare_payload_and_keeps_given_metadata() -> None:
    queue = azure.fill({"id": 1}, {"type": "queueTrigger", "queueName": "q"})
    assert queue["data"] == json.dumps({"id": 1})  # storage queue messages are text
    assert queue["metadata"]["QueueTrigger"] == queue["data"]
    kept = azure.fill({"data": "x", "metadata": {"DequeueCount": 5}}, {"type": "queueTrigger"})
    assert kept["metadata"]["DequeueCount"] == 5 and kept["metadata"]["Id"]
    batch = azure.fill([{"a": 1}, {"a": 2}, {"a": 3}], {"type": "eventHubTrigger", "cardinality": "many"})
    assert [s["SequenceNumber"] for s in batch["metadata"]["SystemPropertiesArray"]] == [1, 2, 3]
    timer = azure.fill({"IsPastDue": True}, {"type": "timerTrigger"})
    assert timer["data"]["IsPastDue"] is True and timer["data"]["ScheduleStatus"]["Next"]
    blob = azure.fill({"data": "abcd"}, {"type": "blobTrigger", "path": "c/x.txt"})
    assert blob["metadata"]["Properties"]["Length"] == 4


def test_trigger_kinds_give_detectable_valid_events() -> None:
    for kind, params in (("azure_timer", {"schedule": "0 */5 * * * *"}), ("azure_queue", {"queueName": "q"}),
                         ("azure_blob", {"path": "c/{name}"}), ("azure_service_bus", {"queueName": "q"}),
                         ("azure_event_hub", {"eventHubName": "h"}), ("azure_cosmos_db", {"containerName": "c"}),
                         ("azure_event_grid", {}), ("azure_sql", {"tableName": "dbo.T"}), ("azure_activity", {})):
        made = triggers.event_for(kind, params)
        assert made is not None and made.kind is not None
        assert detect(made.event) == made.kind and validate(made.event, made.kind) == []
    problems = validate({"metadata": {}}, "azure-queue")
    assert problems[0].path == "$.data"


def test_event_grid_sql_and_activity_events_are_checked_as_the_host_sends_them() -> None:
    grid = azure.event_grid(subject="items/1", data={"n": 1})
    assert grid["data"]["subject"] == "items/1" and grid["data"]["data"] == {"n": 1} and grid["data"]["eventTime"]
    cloud = azure.cloud_event(event_type="Contoso.Created")
    assert cloud["data"]["specversion"] == "1.0" and cloud["data"]["type"] == "Contoso.Created"
    cloud["data"]["specversion"] = "0.3"
    assert [p.path for p in validate(cloud, "azure-cloudevent")] == ["$.data.specversion"]
    del grid["data"]["eventType"]
    assert [p.path for p in validate(grid, "azure-eventgrid")] == ["$.data.eventType"]
    changes = azure.sql_changes(items=[{"Id": 1}], operation="delete")
    assert changes["data"] == [{"Operation": 2, "Item": {"Id": 1}}] and changes["metadata"]["TableName"] == "dbo.ToDo"
    changes["data"][0]["Operation"] = 7
    assert [p.path for p in validate(changes, "azure-sql")] == ["$.data[0].Operation"]
    with pytest.raises(ValueError, match="insert, update or delete"):
        azure.sql_changes(operation="upsert")
    assert azure.activity({"city": "Oslo"})["data"] == {"city": "Oslo"}
    assert azure.durable_runtime_message("orchestrationTrigger").startswith("Durable Functions orchestrators")
    assert azure.durable_runtime_message("activityTrigger") == ""
