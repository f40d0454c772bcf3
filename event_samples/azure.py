"""Azure Functions trigger events: what the Azure host hands a function for each trigger.

The host gives a function two things: the trigger's data (a queue message, a
blob's bytes, a batch of Event Hubs events ...) and its trigger metadata (the
message id, dequeue count, insertion time, blob path, partition context ...),
named as the host names them. An event here is ``{"data": ..., "metadata":
{...}}``; the metadata a template leaves out is filled with the host's
defaults (``fill``), so a plain payload sent to a queue function still becomes
a message with an id, a dequeue count and times. HTTP requests are in ``http.py``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from .common import as_json_value, template

QUEUE_TTL = timedelta(days=7)  # a storage queue message's default time to live


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _data(value: Any, default: Any) -> Any:
    if value is None:
        return default
    try:
        return as_json_value(value, "data")
    except ValueError:
        return value


def timer(schedule: str = "0 */5 * * * *", past_due: bool = False) -> dict[str, Any]:
    """A timer firing: the host's ``TimerInfo`` (``myTimer.isPastDue``, ``scheduleStatus``)."""
    now = _now().replace(microsecond=0)
    last, following = _iso(now - timedelta(minutes=5)), _iso(now + timedelta(minutes=5))
    event = template("azure-timer")
    event["data"]["ScheduleStatus"] = {"Last": last, "Next": following, "LastUpdated": last}
    event["data"]["IsPastDue"] = bool(past_due)
    event["metadata"]["schedule"] = schedule
    return event


def queue(body: Any = None, queue_name: str = "orders", dequeue_count: int = 1) -> dict[str, Any]:
    """A storage queue message: its text (or JSON) and the host's message metadata."""
    now = _now()
    data = _data(body, {"orderId": 42, "status": "created"})
    event = template("azure-queue")
    event["data"] = data
    event["metadata"].update({
        "Id": str(uuid.uuid4()), "DequeueCount": int(dequeue_count), "InsertionTime": _iso(now),
        "ExpirationTime": _iso(now + QUEUE_TTL), "NextVisibleTime": _iso(now + timedelta(minutes=10)),
        "PopReceipt": uuid.uuid4().hex[:24], "QueueTrigger": data if isinstance(data, str) else None,
        "QueueName": queue_name})
    return event


def blob(path: str = "samples-workitems/report.txt", content: Any = "hello from a blob",
         content_type: str = "text/plain") -> dict[str, Any]:
    """A blob written to a container: its content and the host's blob metadata."""
    data = content if isinstance(content, str) else _data(content, "")
    container, _, name = path.partition("/")
    size = len(data.encode() if isinstance(data, str) else str(data).encode())
    event = template("azure-blob")
    event["data"] = data
    event["metadata"].update({"BlobTrigger": path, "Name": name.rsplit("/", 1)[-1] if name else path,
                              "Uri": f"http://127.0.0.1:10000/devstoreaccount1/{container}/{name}"})
    event["metadata"]["Properties"].update({"ContentType": content_type, "Length": size, "LastModified": _iso(_now()),
                                            "ETag": f"\"0x{uuid.uuid4().hex[:15].upper()}\""})
    return event


def service_bus(body: Any = None, queue_name: str = "orders", delivery_count: int = 1,
                many: bool = False) -> dict[str, Any]:
    """A Service Bus message (queue or topic subscription) with the host's message metadata; with
    ``many`` (cardinality many) a batch, one metadata array per field."""
    now = _now()
    data = _data(body, [{"orderId": 42, "status": "paid"}] if many else {"orderId": 42, "status": "paid"})
    items = (data if isinstance(data, list) else [data]) if many else [data]
    base = template("azure-servicebus")["metadata"]
    fields = [{**base, "MessageId": uuid.uuid4().hex, "DeliveryCount": int(delivery_count),
               "EnqueuedTimeUtc": _iso(now), "ExpiresAtUtc": _iso(now + timedelta(days=14)),
               "SequenceNumber": index + 1,
               "LockToken": str(uuid.uuid4())} for index in range(len(items))]
    if not many:
        return {"data": data, "metadata": {**fields[0], "EntityName": queue_name}}
    arrays = {f"{key}Array": [f[key] for f in fields] for key in fields[0]}
    return {"data": items, "metadata": {**arrays, "EntityName": queue_name}}


def event_hub(bodies: Any = None, event_hub_name: str = "telemetry", many: bool = True) -> dict[str, Any]:
    """A batch of Event Hubs events (cardinality many, the default), each with its system properties."""
    items = _data(bodies, [{"deviceId": "sensor-1", "temperature": 21.5},
                           {"deviceId": "sensor-2", "temperature": 19.0}])
    if not isinstance(items, list):
        items = [items]
    now = _now()
    system = [{"EnqueuedTimeUtc": _iso(now), "SequenceNumber": index + 1, "Offset": str(index * 256),
               "PartitionKey": None} for index in range(len(items))]
    if not many:
        return {"data": items[0], "metadata": {**system[0], "PartitionContext": _partition(event_hub_name),
                                               "Properties": {}, "SystemProperties": system[0]}}
    return {"data": items, "metadata": {
        "PartitionContext": _partition(event_hub_name), "SystemPropertiesArray": system,
        "PropertiesArray": [{} for _ in items], "EnqueuedTimeUtcArray": [s["EnqueuedTimeUtc"] for s in system],
        "SequenceNumberArray": [s["SequenceNumber"] for s in system], "OffsetArray": [s["Offset"] for s in system],
        "PartitionKeyArray": [None for _ in items]}}


def _partition(event_hub_name: str) -> dict[str, Any]:
    partition: dict[str, Any] = template("azure-eventhub")["metadata"]["PartitionContext"]
    partition["EventHubName"] = event_hub_name
    return partition


def cosmos_db(documents: Any = None, container: str = "items") -> dict[str, Any]:
    """A batch of changed Cosmos DB documents from the change feed, with their system properties."""
    docs = _data(documents, [{"id": "1", "name": "widget", "price": 9.5}])
    if not isinstance(docs, list):
        docs = [docs]
    stamp = int(_now().timestamp())
    data = [{**doc, "_rid": doc.get("_rid", uuid.uuid4().hex[:12]), "_ts": doc.get("_ts", stamp),
             "_etag": doc.get("_etag", f"\"{uuid.uuid4()}\"")} if isinstance(doc, dict) else doc for doc in docs]
    event = template("azure-cosmosdb")
    event["data"] = data
    event["metadata"]["ContainerName"] = container
    return event


def event_grid(event_type: str = "Microsoft.Storage.BlobCreated",
               subject: str = "/blobServices/default/containers/uploads/blobs/report.txt",
               data: Any = None) -> dict[str, Any]:
    """An Event Grid trigger's event in the Event Grid schema (``eventType``, ``subject``, ``data``...)."""
    event = template("azure-eventgrid")
    body = event["data"]
    body.update({"id": str(uuid.uuid4()), "eventType": event_type, "subject": subject, "eventTime": _iso(_now())})
    body["data"] = _data(data, body["data"])
    return event


def cloud_event(event_type: str = "Microsoft.Storage.BlobCreated",
                subject: str = "/blobServices/default/containers/uploads/blobs/report.txt",
                data: Any = None) -> dict[str, Any]:
    """An Event Grid trigger's event in the CloudEvents 1.0 schema (``specversion``, ``type``, ``source``...)."""
    event = template("azure-cloudevent")
    body = event["data"]
    body.update({"id": str(uuid.uuid4()), "type": event_type, "subject": subject, "time": _iso(_now())})
    body["data"] = _data(data, body["data"])
    return event


SQL_OPERATIONS = {"insert": 0, "update": 1, "delete": 2}  # SqlChangeOperation


def sql_changes(table: str = "dbo.ToDo", items: Any = None, operation: str = "insert") -> dict[str, Any]:
    """A SQL trigger's batch of row changes (``[{Operation, Item}]``, Operation 0 insert, 1 update, 2 delete)."""
    code = SQL_OPERATIONS.get(str(operation).lower())
    if code is None:
        raise ValueError(f"--operation: expected insert, update or delete, got {operation!r}")
    rows = _data(items, [template("azure-sql")["data"][0]["Item"]])
    event = template("azure-sql")
    event["data"] = [{"Operation": code, "Item": row} for row in (rows if isinstance(rows, list) else [rows])]
    event["metadata"]["TableName"] = table
    return event


def activity(input: Any = None) -> dict[str, Any]:
    """A Durable Functions activity's input, as an orchestrator's ``call_activity`` / ``callActivity`` passes it."""
    event = template("azure-activity")
    event["data"] = _data(input, event["data"])
    event["metadata"]["instanceId"] = uuid.uuid4().hex  # the orchestration instance that called it
    return event


DURABLE_RUNTIME = ("Durable Functions {what} run inside the Durable Task runtime, which replays the orchestration's "
                   "history and schedules its activities, timers and entity operations; svl-tui does not emulate it. "
                   "Run the app with Azure Functions Core Tools ('func start', with Azurite for the task hub) to drive "
                   "{what}, and invoke each activity function here with its input (the azure-activity event).")
"""Why an orchestrator or entity cannot be invoked on its own, and what to run instead."""


def durable_runtime_message(trigger_type: str) -> str:
    """What to tell a user who invokes a Durable orchestrator or entity ('' for any other trigger)."""
    what = {"orchestrationTrigger": "orchestrators", "entityTrigger": "entities"}.get(trigger_type)
    return DURABLE_RUNTIME.format(what=what) if what else ""


BUILDERS = {"timerTrigger": "azure-timer", "queueTrigger": "azure-queue", "blobTrigger": "azure-blob",
            "serviceBusTrigger": "azure-servicebus", "eventHubTrigger": "azure-eventhub",
            "cosmosDBTrigger": "azure-cosmosdb", "httpTrigger": "azure-http", "eventGridTrigger": "azure-eventgrid",
            "sqlTrigger": "azure-sql", "activityTrigger": "azure-activity"}
"""The event kind of each Azure trigger type."""


def for_trigger(binding: dict[str, Any]) -> dict[str, Any] | None:
    """The event a trigger binding sends, filled from the binding (schedule, queue name, blob path ...)."""
    kind = binding.get("type")
    name = str(binding.get("queueName") or binding.get("topicName") or "orders")
    if kind == "timerTrigger":
        return timer(str(binding.get("schedule") or "0 */5 * * * *"))
    if kind == "queueTrigger":
        return queue(queue_name=name)
    if kind == "blobTrigger":
        path = str(binding.get("path") or "samples-workitems/{name}").replace("{name}", "report.txt")
        return blob(path.split("{")[0].rstrip("/") + "/report.txt" if "{" in path else path)
    if kind == "serviceBusTrigger":
        return service_bus(queue_name=name, many=str(binding.get("cardinality", "one")).lower() == "many")
    if kind == "eventHubTrigger":
        return event_hub(event_hub_name=str(binding.get("eventHubName") or "telemetry"),
                         many=str(binding.get("cardinality", "many")).lower() != "one")
    if kind == "cosmosDBTrigger":
        return cosmos_db(container=str(binding.get("containerName") or binding.get("collectionName") or "items"))
    if kind == "eventGridTrigger":
        return event_grid()
    if kind == "sqlTrigger":
        return sql_changes(table=str(binding.get("tableName") or "dbo.ToDo"))
    if kind == "activityTrigger":
        return activity()
    return None


def fill(event: Any, binding: dict[str, Any]) -> Any:
    """``event`` as the host would send it to this trigger: a bare payload becomes ``{data, metadata}``
    with the host's metadata; metadata the event leaves out gets the template's values."""
    sample = for_trigger(binding)
    if sample is None:
        return event
    if not (isinstance(event, dict) and "data" in event):
        event = {"data": event}
    if binding.get("type") == "timerTrigger" and isinstance(event["data"], dict):
        event = {**event, "data": {**sample["data"], **event["data"]}}  # the host's TimerInfo, fields overridden
    template = dict(sample)
    if binding.get("type") == "eventHubTrigger" and str(binding.get("cardinality", "many")).lower() != "one":
        items = event["data"] if isinstance(event["data"], list) else [event["data"]]
        template = event_hub(items, str(binding.get("eventHubName") or "telemetry"))
        event = {**event, "data": items}
    if binding.get("type") == "serviceBusTrigger" and str(binding.get("cardinality", "one")).lower() == "many":
        items = event["data"] if isinstance(event["data"], list) else [event["data"]]
        template = service_bus(items, str(binding.get("queueName") or binding.get("topicName") or "orders"), many=True)
        event = {**event, "data": items}
    if binding.get("type") == "blobTrigger":  # the blob's properties describe the content sent
        template = blob(template["metadata"]["BlobTrigger"], event["data"])
    metadata = {**template["metadata"], **(event.get("metadata") or {})}
    if binding.get("type") == "queueTrigger":  # a storage queue message is text: JSON travels as its text
        if not isinstance(event["data"], str):
            event = {**event, "data": json.dumps(event["data"])}
        metadata["QueueTrigger"] = event["data"]
    return {**event, "metadata": metadata}
