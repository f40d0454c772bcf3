"""Azure Functions for Python: model v2 apps (function_app.py) and v1 function.json folders, with the real
``azure-functions`` package from PyPI in the project's own ``.venv``."""

from __future__ import annotations

import json
import subprocess
import sys

from invokers.discovery import discover
from invokers.engine import Engine
from tests.azure_setup import PythonApp, logged, run, spec_of
from tests.invokers.test_cli import svl

HEADER = "import json\nimport logging\n\nimport azure.functions as func\n\napp = func.FunctionApp()\n"


def test_discovers_the_v2_example(python_app: PythonApp) -> None:
    root = python_app(example=True)
    found = discover(root)
    assert found.problems == []
    by_name = {f.name: f for f in found.functions}
    assert set(by_name) == {"hello", "cleanup", "orders"}
    hello = by_name["hello"]
    assert hello.source == "function_app.py" and hello.runtime.startswith("python") and hello.style == "azure"
    trigger = next(b for b in hello.azure_bindings if b["type"] == "httpTrigger")
    assert trigger["route"] == "hello/{name?}" and trigger["methods"] == ["GET", "POST"]
    assert trigger["direction"] == "in" and trigger["authLevel"] == "anonymous"
    assert by_name["cleanup"].default_event["data"]["IsPastDue"] is False
    assert by_name["orders"].default_event["metadata"]["QueueName"] == "orders"
    assert hello.default_event["url"] == "http://localhost:7071/api/hello"


async def test_example_functions_run_with_real_objects_and_outputs(engine: Engine, python_app: PythonApp) -> None:
    root = python_app(example=True)
    _, result = await run(engine, spec_of(root, "hello"), {"httpMethod": "GET", "path": "/hello/ada", "headers": {}})
    assert result.response["status"] == 200 and result.response["body"] == {"message": "Hello, ada!"}
    assert result.response["cookies"] == ["visited=yes; HttpOnly"]
    assert json.loads(result.outputs["audit"]) == {"greeted": "ada"}
    records, result = await run(engine, spec_of(root, "orders"), {"orderId": 7})
    assert json.loads(result.outputs["shipments"]) == {"orderId": 7, "status": "ready"}
    assert any("{'orderId': 7} (dequeue count 1, id " in m for m in logged(records))
    records, _ = await run(engine, spec_of(root, "cleanup"), {"data": {"IsPastDue": True}})
    assert [r.level for r in records if "past due" in r.message] == ["WARN"]


async def test_http_request_fields(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({"function_app.py": HEADER + '''
@app.route(route="items/{category}/{id?}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def items(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({
        "method": req.method, "url": req.url, "route": dict(req.route_params), "q": req.params.get("q"),
        "agent": req.headers.get("user-agent"), "json": req.get_json(), "type": type(req).__qualname__}),
        status_code=201, mimetype="application/json", headers={"x-trace": "abc"})
'''})
    event = {"httpMethod": "POST", "path": "/items/tools/7", "queryStringParameters": {"q": "x"},
             "headers": {"User-Agent": "tests", "Content-Type": "application/json"}, "body": '{"n": 1}'}
    _, result = await run(engine, spec_of(root, "items"), event)
    assert result.response["status"] == 201 and result.response["headers"]["x-trace"] == "abc"
    assert result.response["body"] == {"method": "POST", "url": "http://localhost:7071/api/items/tools/7?q=x",
                                       "route": {"category": "tools", "id": "7"}, "q": "x", "agent": "tests",
                                       "json": {"n": 1}, "type": "HttpRequest"}


async def test_every_other_trigger_with_the_packages_own_types(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({"function_app.py": HEADER + '''
@app.blob_trigger(arg_name="blob", path="uploads/{name}", connection="AzureWebJobsStorage")
def on_blob(blob: func.InputStream):
    logging.info("blob %s %s %s %r", type(blob).__name__, blob.name, blob.length, blob.read())

@app.service_bus_queue_trigger(arg_name="msg", queue_name="orders", connection="SB")
def on_bus(msg: func.ServiceBusMessage):
    logging.info("bus %s %s %s", msg.get_body().decode(), msg.delivery_count, bool(msg.message_id))

@app.event_hub_message_trigger(arg_name="events", event_hub_name="telemetry", connection="EH", cardinality="many")
def on_hub(events: list[func.EventHubEvent]):
    logging.info("hub %s", [(e.get_body().decode(), e.sequence_number) for e in events])

@app.cosmos_db_trigger(arg_name="docs", connection="C", database_name="db", container_name="items",
                       create_lease_container_if_not_exists=True)
def on_cosmos(docs: func.DocumentList):
    logging.info("cosmos %s %s", type(docs).__name__, [d["id"] for d in docs])
'''})
    records, _ = await run(engine, spec_of(root, "on_blob"), {"data": "a,b"})
    assert "blob InputStream uploads/report.txt 3 b'a,b'" in logged(records)
    records, _ = await run(engine, spec_of(root, "on_bus"), {"orderId": 1})
    assert 'bus {"orderId": 1} 1 True' in logged(records)
    records, _ = await run(engine, spec_of(root, "on_hub"), [{"t": 1}, {"t": 2}])
    assert """hub [('{"t": 1}', 1), ('{"t": 2}', 2)]""" in logged(records)
    records, _ = await run(engine, spec_of(root, "on_cosmos"), {"data": [{"id": "a"}, {"id": "b"}]})
    assert "cosmos DocumentList ['a', 'b']" in logged(records)


async def test_blueprints_and_context(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({
        "function_app.py": HEADER + "from orders import bp\n\napp.register_functions(bp)\n",
        "orders.py": '''import azure.functions as func

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name="orders", connection="AzureWebJobsStorage")
def from_blueprint(msg: func.QueueMessage, context: func.Context) -> None:
    print("bp", msg.get_body().decode(), context.function_name, context.invocation_id)
''',
    })
    spec = spec_of(root, "from_blueprint")
    assert spec.config_file.endswith("orders.py")
    records, result = await run(engine, spec, "hi")
    assert f"bp hi from_blueprint {result.request_id}" in logged(records)


def test_bad_decorator_import_error_and_route_clash(python_app: PythonApp) -> None:
    root = python_app({"function_app.py": HEADER + '''
@app.route(route="same")
def one(req): return "1"

@app.route(route="same")
def two(req): return "2"

@app.queue_trigger(arg_name="msg", connection="AzureWebJobsStorage")
def missing_queue(msg): pass

@app.timer_trigger(schedule="0 0 * * * *", arg_name="t")
def fine(t): pass
'''})
    found = discover(root)
    assert [f.name for f in found.functions] == ["one", "two", "fine"]
    missing = next(p for p in found.problems if "queue_name" in p.message)
    assert (missing.file, missing.line) == ("function_app.py", 14)
    clash = next(p for p in found.problems if p.field == "two")
    assert "'one'" in clash.message and clash.line == 11

    (root / "function_app.py").write_text(HEADER + "\nraise RuntimeError('needs a setting')\n")
    problem = discover(root).problems[0]
    assert (problem.file, problem.line) == ("function_app.py", 8) and "needs a setting" in problem.message


def test_project_without_the_package_says_how_to_install_it(python_app: PythonApp) -> None:
    root = python_app({"function_app.py": HEADER}, venv=False)
    problem = discover(root).problems[0]
    assert problem.file == "function_app.py" and "requirements.txt" in problem.message and ".venv" in problem.message


def test_local_settings_values_and_connection_strings(python_app: PythonApp) -> None:
    root = python_app({"function_app.py": HEADER + "@app.route()\ndef f(req): return 'x'\n"})
    (root / "local.settings.json").write_text(json.dumps({
        "IsEncrypted": False, "Values": {"A": "1"},
        "ConnectionStrings": {"Db": {"ConnectionString": "Server=x", "ProviderName": "System.Data.SqlClient"},
                              "Other": "k=v"}}))
    env = spec_of(root, "f").environment
    assert env == {"A": "1", "SQLCONNSTR_Db": "Server=x", "CUSTOMCONNSTR_Other": "k=v"}


def test_cli_lists_and_invokes_the_python_example(python_app: PythonApp) -> None:
    root = python_app(example=True)
    done = svl("invoke", "orders", "--data", '{"orderId": 9}', "--json", cwd=root)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert json.loads(document["outputs"]["shipments"]) == {"orderId": 9, "status": "ready"}
    assert document["billing"] == "Azure Consumption" and document["billed_ms"] >= 100


# ---- model v1: function.json folders -------------------------------------------------------------------


async def test_v1_queue_function_with_out_binding_and_the_real_package(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({
        "QueueFn/__init__.py": '''import azure.functions as func


def main(msg: func.QueueMessage, out: func.Out[str]) -> None:
    out.set(msg.get_body().decode().upper())
''',
        "QueueFn/function.json": json.dumps({"scriptFile": "__init__.py", "bindings": [
            {"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "in"},
            {"type": "queue", "direction": "out", "name": "out", "queueName": "out"}]}),
    })
    _, result = await run(engine, spec_of(root, "QueueFn"), "shout")
    assert result.outputs == {"out": "SHOUT"}


async def test_v1_http_without_the_package_uses_the_stand_in(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({
        "Hello/__init__.py": '''import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"hi {req.params.get('name')}", status_code=202)
''',
        "Hello/function.json": json.dumps({"scriptFile": "__init__.py", "bindings": [
            {"type": "httpTrigger", "direction": "in", "name": "req"},
            {"type": "http", "direction": "out", "name": "$return"}]}),
    }, venv=False)
    records, result = await run(engine, spec_of(root, "Hello"), {"httpMethod": "GET", "path": "/",
                                                                    "queryStringParameters": {"name": "ada"}})
    assert result.response["status"] == 202 and result.response["body"] == "hi ada"
    note = next(n for n in result.notes if n.startswith("azure-functions is not installed"))
    assert "no .venv/ or venv/ found" in note and "pip install azure-functions" in note
    assert any(r.level == "WARN" and r.message == f"svl: {note}" for r in records)  # said on the cold start


V1_QUEUE = {
    "Jobs/__init__.py": "import azure.functions as func\n\n\ndef main(msg: func.QueueMessage) -> None:\n    pass\n",
    "Jobs/function.json": json.dumps({"scriptFile": "__init__.py", "bindings": [
        {"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "jobs"}]}),
}


async def test_v1_queue_function_in_a_venv_without_the_package_says_what_to_install(
        engine: Engine, python_app: PythonApp) -> None:
    root = python_app(V1_QUEUE, venv=False)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True, timeout=60)
    records, result = await engine.invoke_collect(spec_of(root, "Jobs"), {"data": "x"})
    assert result.status == "error" and result.error is not None
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert "queueTrigger function needs the 'azure-functions' package" in result.error["errorMessage"]
    note = next(n for n in result.notes if n.startswith("azure-functions is not installed"))
    assert f"in {root / '.venv'}" in note and f"{root / '.venv'}/bin/pip install azure-functions" in note


async def test_v1_function_with_the_package_gets_no_note(engine: Engine, python_app: PythonApp) -> None:
    root = python_app(V1_QUEUE)
    _, result = await run(engine, spec_of(root, "Jobs"), {"data": "x"})
    assert not any("azure-functions" in note for note in result.notes)


async def test_generic_trigger_and_output_binding(engine: Engine, python_app: PythonApp) -> None:
    """Like Azure-Samples/azure-functions-python-v2 http_functions/generic: generic_trigger + generic_output_binding."""
    root = python_app({"function_app.py": HEADER + '''
@app.function_name(name="default_template")
@app.generic_trigger(arg_name="req", type="httpTrigger", route="default_template")
@app.generic_output_binding(arg_name="$return", type="http")
def default_template(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"Hello, {req.params.get('name')}.")
'''})
    spec = spec_of(root, "default_template")
    assert spec.default_event["url"] == "http://localhost:7071/api/default_template"
    _, result = await run(engine, spec, {"httpMethod": "GET", "path": "/default_template",
                                         "queryStringParameters": {"name": "ada"}})
    assert result.response["body"] == "Hello, ada."
