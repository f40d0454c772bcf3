"""Event Grid (both schemas), SQL and Durable Functions triggers: their default events, the package's own types,
and a plain refusal (with what to run instead) for orchestrators and entities."""

from __future__ import annotations

import json

from event_samples import generate
from invokers.engine import Engine
from tests.azure_setup import NodeApp, PythonApp, logged, run, spec_of

PYTHON = '''import json
import logging

import azure.functions as func

app = func.FunctionApp()

@app.event_grid_trigger(arg_name="event")
def grid(event: func.EventGridEvent):
    logging.info("grid %s %s %s", type(event).__name__, event.event_type, event.get_json()["api"])

@app.function_name(name="cloud")
@app.event_grid_trigger(arg_name="event")
def cloud(event: func.CloudEvent):
    logging.info("cloud %s %s %s", type(event).__name__, event.type, event.subject)

@app.sql_trigger(arg_name="changes", table_name="dbo.ToDo", connection_string_setting="SqlConnectionString")
def todo(changes: str):
    logging.info("sql %s", [(c["Operation"], c["Item"]["Title"]) for c in json.loads(changes)])

@app.function_name(name="SayHello")
@app.generic_trigger(arg_name="city", type="activityTrigger")
def say_hello(city: str) -> str:
    return f"Hello {city}!"
'''


async def test_python_event_grid_sql_and_activity(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({"function_app.py": PYTHON})
    grid = spec_of(root, "grid")
    assert grid.default_event["data"]["eventType"] == "Microsoft.Storage.BlobCreated"
    records, _ = await run(engine, grid, grid.default_event)
    assert "grid EventGridEvent Microsoft.Storage.BlobCreated PutBlob" in logged(records)
    event = generate("azure-cloudevent", event_type="Contoso.Items.ItemReceived", subject="items/7")
    records, _ = await run(engine, spec_of(root, "cloud"), event)
    assert "cloud CloudEvent Contoso.Items.ItemReceived items/7" in logged(records)
    todo = spec_of(root, "todo")
    assert todo.default_event["data"][0]["Operation"] == 0 and "SQL" in todo.description
    records, _ = await run(engine, todo, generate("azure-sql", items='[{"Title": "a"}, {"Title": "b"}]',
                                                  operation="update"))
    assert "sql [(1, 'a'), (1, 'b')]" in logged(records)
    hello = spec_of(root, "SayHello")
    assert hello.default_event["data"] == "Tokyo" and "Durable activity" in hello.description
    _, result = await run(engine, hello, {"data": "Seattle"})
    assert result.response == "Hello Seattle!"
    _, result = await run(engine, hello, "London")  # a bare input is the activity's input
    assert result.response == "Hello London!"


async def test_node_event_grid_sql_and_activity(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/app.js": """
        const { app, trigger } = require('@azure/functions');
        app.eventGrid('grid', { handler: async (event, context) => {
          context.log(`grid ${event.eventType} ${event.data.api}`); } });
        app.sql('todo', { tableName: 'dbo.ToDo', connectionStringSetting: 'SqlConnectionString',
          handler: async (changes, context) => { context.log(`sql ${changes.map((c) => c.Item.Title).join(',')}`); } });
        app.generic('SayHello', { trigger: trigger.generic({ type: 'activityTrigger' }),
          handler: async (input) => `Hello ${input}!` });
    """})
    grid = spec_of(root, "grid")
    records, _ = await run(engine, grid, grid.default_event)
    assert "grid Microsoft.Storage.BlobCreated PutBlob" in logged(records)
    todo = spec_of(root, "todo")
    records, _ = await run(engine, todo, todo.default_event)
    assert "sql write the report" in logged(records)
    hello = spec_of(root, "SayHello")
    _, result = await run(engine, hello, hello.default_event)
    assert result.response == "Hello Tokyo!"


async def test_orchestrators_and_entities_say_what_to_run_instead(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({
        "Orchestrator/__init__.py": "def main(context):\n    raise AssertionError('never called')\n",
        "Orchestrator/function.json": json.dumps({"scriptFile": "__init__.py", "bindings": [
            {"type": "orchestrationTrigger", "direction": "in", "name": "context"}]}),
        "Counter/__init__.py": "def main(context):\n    raise AssertionError('never called')\n",
        "Counter/function.json": json.dumps({"scriptFile": "__init__.py", "bindings": [
            {"type": "entityTrigger", "direction": "in", "name": "context"}]}),
    })
    orchestrator = spec_of(root, "Orchestrator")
    assert "Durable runtime: func start" in orchestrator.description
    records, result = await engine.invoke_collect(orchestrator, {})
    assert result.status == "error" and result.error is not None
    assert result.error["errorType"] == "Svl.DurableRuntimeRequired"
    message = result.error["errorMessage"]
    assert message.startswith("Durable Functions orchestrators run inside the Durable Task runtime")
    assert "func start" in message and "azure-activity" in message
    assert not records or all("never called" not in r.message for r in records)
    assert result.billed_ms == 0 and result.cost_usd == 0  # it never ran: no execution to bill
    _, result = await engine.invoke_collect(spec_of(root, "Counter"), {})
    assert result.error is not None and "Durable Functions entities" in result.error["errorMessage"]
