"""Azure Functions for Node.js: model v4 apps (the real @azure/functions from npm) and v3 function.json folders."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

from invokers.discovery import discover
from invokers.engine import Engine
from tests.azure_setup import NODE_EXAMPLE, NodeApp, run, spec_of
from tests.azure_setup import logged as messages
from tests.invokers.test_cli import svl


def test_discovers_the_v4_example_with_triggers_routes_and_lines(node_app: NodeApp) -> None:
    root = node_app(example=True)
    found = discover(root)
    assert found.problems == []
    by_name = {f.name: f for f in found.functions}
    assert set(by_name) == {"hello", "cleanup", "orders"}
    hello = by_name["hello"]
    assert hello.source == "package.json" and hello.style == "azure" and hello.runtime.startswith("nodejs")
    assert hello.config_file == str(root.resolve() / "src/functions/hello.js")
    trigger = hello.azure_bindings[0]
    assert trigger["type"] == "httpTrigger" and trigger["route"] == "hello/{name?}"
    assert trigger["methods"] == ["GET", "POST"] and trigger["authLevel"] == "anonymous"
    assert by_name["cleanup"].azure_bindings[0]["schedule"] == "0 */5 * * * *"
    assert by_name["orders"].azure_bindings[0]["queueName"] == "orders"
    assert hello.timeout_s == 300 and hello.environment["GREETING"] == "Hello"


async def test_http_request_and_response_are_the_librarys_own(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/echo.js": """
        const { app, HttpResponse } = require('@azure/functions');
        app.http('echo', {
          methods: ['POST'], route: 'items/{category}/{id:int?}',
          handler: async (request, context) => {
            const body = await request.json();
            context.log('echo', request.method, request.params.category);
            const res = new HttpResponse({ status: 201, jsonBody: {
              url: request.url, category: request.params.category, id: request.params.id,
              q: request.query.get('q'), agent: request.headers.get('user-agent'), body,
              isHttpRequest: request.constructor.name, invocationId: context.invocationId } });
            res.headers.set('x-trace', 'abc');
            res.cookies.push({ name: 'session', value: 's1', path: '/', httpOnly: true });
            return res;
          },
        });
    """})
    spec = spec_of(root, "echo")
    event = {"httpMethod": "POST", "path": "/items/tools/7", "queryStringParameters": {"q": "x"},
             "headers": {"User-Agent": "tests", "Content-Type": "application/json"}, "body": '{"n": 1}'}
    records, result = await run(engine, spec, event)
    assert result.response["status"] == 201
    assert result.response["headers"]["x-trace"] == "abc"
    assert result.response["cookies"] == [{"name": "session", "value": "s1", "path": "/", "httpOnly": True}]
    body = result.response["body"]
    assert body == {"url": "http://localhost:7071/api/items/tools/7?q=x", "category": "tools", "id": "7", "q": "x",
                    "agent": "tests", "body": {"n": 1}, "isHttpRequest": "HttpRequest",
                    "invocationId": result.request_id}
    assert any(r.message == "echo POST tools" and r.level == "INFO" for r in records)


async def test_http_text_and_binary_bodies(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/body.js": """
        const { app } = require('@azure/functions');
        app.post('body', async (request) => {
          const bytes = Buffer.from(await request.arrayBuffer());
          return { body: `${bytes.length}:${bytes.toString('hex')}`, headers: { 'content-type': 'text/plain' } };
        });
    """})
    spec = spec_of(root, "body")
    text = {"method": "POST", "url": "http://localhost:7071/api/body", "headers": {}, "query": {}, "params": {},
            "body": "héllo"}
    _, result = await run(engine, spec, text)
    assert result.response["body"] == f"6:{'héllo'.encode().hex()}"
    binary = {**text, "body": base64.b64encode(b"\x00\xff").decode(), "bodyEncoding": "base64"}
    _, result = await run(engine, spec, binary)
    assert result.response["body"] == "2:00ff"


async def test_example_http_function_fills_route_params_and_output_binding(engine: Engine, node_app: NodeApp) -> None:
    spec = spec_of(node_app(example=True), "hello")
    _, result = await run(engine, spec, {"httpMethod": "GET", "path": "/hello/ada", "headers": {}})
    assert result.response["body"] == {"message": "Hello, ada!"}
    assert result.response["cookies"][0]["name"] == "visited"
    assert list(result.outputs.values()) == [{"greeted": "ada", "invocationId": result.request_id}]
    assert result.billing == "Azure Consumption" and result.billed_ms >= 100


async def test_timer_gets_the_hosts_timer_info(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/tick.js": """
        const { app } = require('@azure/functions');
        app.timer('tick', { schedule: '0 0 * * * *', handler: async (myTimer, context) => {
          context.log(JSON.stringify({ pastDue: myTimer.isPastDue, hasNext: !!myTimer.scheduleStatus.next,
                                       adjust: myTimer.schedule.adjustForDST }));
        }});
    """})
    spec = spec_of(root, "tick")
    assert spec.default_event is None or spec.default_event["data"]["IsPastDue"] is False
    records, _ = await run(engine, spec, {"data": {"IsPastDue": True}})
    assert json.loads(messages(records)[0]) == {"pastDue": True, "hasNext": True, "adjust": True}


async def test_storage_queue_message_metadata_and_return_binding(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/q.js": """
        const { app, output } = require('@azure/functions');
        app.storageQueue('q', { queueName: 'work', connection: 'AzureWebJobsStorage',
          return: output.storageQueue({ queueName: 'done', connection: 'AzureWebJobsStorage' }),
          handler: async (message, context) => {
            const m = context.triggerMetadata;
            context.log(JSON.stringify({ item: message, dequeueCount: m.dequeueCount, id: m.id,
                                         inserted: typeof m.insertionTime, queueTrigger: m.queueTrigger }));
            return { done: message.n };
          } });
    """})
    spec = spec_of(root, "q")
    records, result = await run(engine, spec, {"data": {"n": 3}, "metadata": {"DequeueCount": 2, "Id": "m-1"}})
    logged = json.loads(messages(records)[0])
    assert logged == {"item": {"n": 3}, "dequeueCount": 2, "id": "m-1", "inserted": "string",
                      "queueTrigger": {"n": 3}}  # the library parses JSON metadata
    assert result.response == {"done": 3}
    records, _ = await run(engine, spec, "plain text")  # a bare payload is the message itself
    assert json.loads(messages(records)[0])["item"] == "plain text"


async def test_blob_bytes_and_metadata(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/b.js": """
        const { app } = require('@azure/functions');
        app.storageBlob('b', { path: 'uploads/{name}', connection: 'AzureWebJobsStorage',
          handler: async (blob, context) => {
            context.log(JSON.stringify({ isBuffer: Buffer.isBuffer(blob), text: blob.toString(),
              path: context.triggerMetadata.blobTrigger, name: context.triggerMetadata.name,
              type: context.triggerMetadata.properties.contentType }));
          } });
    """})
    spec = spec_of(root, "b")
    assert spec.description == "Azure blob function (uploads/{name})"
    records, _ = await run(engine, spec, {"data": "a,b\n1,2"})
    logged = json.loads(messages(records)[0])
    assert logged == {"isBuffer": True, "text": "a,b\n1,2", "path": "uploads/report.txt", "name": "report.txt",
                      "type": "text/plain"}


async def test_service_bus_event_hubs_batch_and_cosmos_db(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/many.js": """
        const { app } = require('@azure/functions');
        app.serviceBusQueue('sb', { queueName: 'orders', connection: 'SB', handler: async (message, context) => {
          context.log(JSON.stringify({ item: message, id: context.triggerMetadata.messageId,
                                       deliveryCount: context.triggerMetadata.deliveryCount }));
        } });
        app.eventHub('eh', { eventHubName: 'telemetry', connection: 'EH', cardinality: 'many',
          handler: async (events, context) => {
            context.log(JSON.stringify({ events, sequence: context.triggerMetadata.sequenceNumberArray,
                                         partition: context.triggerMetadata.partitionContext.partitionId }));
          } });
        app.cosmosDB('cosmos', { connection: 'C', databaseName: 'db', containerName: 'items',
          createLeaseContainerIfNotExists: true, handler: async (documents, context) => {
            context.log(JSON.stringify(documents.map((d) => d.id)));
          } });
    """})
    records, _ = await run(engine, spec_of(root, "sb"), {"orderId": 1})
    assert json.loads(messages(records)[0])["item"] == {"orderId": 1}
    assert json.loads(messages(records)[0])["deliveryCount"] == 1
    records, _ = await run(engine, spec_of(root, "eh"), [{"t": 1}, {"t": 2}, {"t": 3}])
    logged = json.loads(messages(records)[0])
    assert logged == {"events": [{"t": 1}, {"t": 2}, {"t": 3}], "sequence": [1, 2, 3], "partition": "0"}
    records, _ = await run(engine, spec_of(root, "cosmos"), {"data": [{"id": "a"}, {"id": "b"}]})
    assert json.loads(messages(records)[0]) == ["a", "b"]


async def test_context_log_levels_and_errors_in_azure_shape(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/fail.js": """
        const { app } = require('@azure/functions');
        app.http('fail', { handler: async (request, context) => {
          context.warn('careful'); context.error('bad things');
          throw new RangeError('out of range');
        } });
    """})
    records, result = await engine.invoke_collect(spec_of(root, "fail"), {})
    assert result.status == "error"
    assert result.error["errorType"] == "RangeError" and result.error["errorMessage"] == "out of range"
    trace = result.error["trace"]  # the Node runtime's key
    assert trace[1].strip().startswith("at handler (") and "fail.js:5" in trace[1]
    assert not any("azure_node.js" in line or "@azure/functions/dist" in line for line in trace)
    levels = {r.message: r.level for r in records}
    assert levels["careful"] == "WARN" and levels["bad things"] == "ERROR"


async def test_esm_v4_app(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/index.mjs": """
        import { app } from '@azure/functions';
        app.get('esm', async () => ({ jsonBody: { esm: true } }));
    """}, main="src/index.mjs")
    _, result = await run(engine, spec_of(root, "esm"), {})
    assert result.response["body"] == {"esm": True}


def test_an_entry_that_throws_is_reported_with_file_and_line_and_others_still_listed(node_app: NodeApp) -> None:
    root = node_app({
        "src/functions/good.js": "require('@azure/functions').app.get('good', async () => ({}));\n",
        "src/functions/bad.js": "const { app } = require('@azure/functions');\n\nthrow new Error('no config');\n",
        "src/functions/syntax.js": "const x = ;\n",
    })
    found = discover(root)
    assert [f.name for f in found.functions] == ["good"]
    problems = {p.file: p for p in found.problems}
    assert problems["src/functions/bad.js"].line == 3 and "no config" in problems["src/functions/bad.js"].message
    syntax = problems["src/functions/syntax.js"]
    assert syntax.line == 1 and "SyntaxError" in syntax.message


def test_missing_trigger_argument_and_route_clash(node_app: NodeApp) -> None:
    root = node_app({"src/functions/app.js": """const { app } = require('@azure/functions');
app.get('one', { route: 'items', handler: async () => ({}) });
app.get('two', { route: 'items', handler: async () => ({}) });
app.storageQueue('noQueue', { connection: 'AzureWebJobsStorage', handler: async () => {} });
app.timer('ok', { schedule: '0 0 * * * *', handler: async () => {} });
"""})
    found = discover(root)
    assert [f.name for f in found.functions] == ["one", "two", "ok"]
    clash = next(p for p in found.problems if p.field == "two")
    assert clash.file == "src/functions/app.js" and clash.line == 3 and "'one'" in clash.message
    missing = next(p for p in found.problems if p.field == "noQueue")
    assert missing.line == 4 and "'queueName'" in missing.message and missing.severity == "error"


def test_bad_host_json_timeout_is_reported_at_its_line(node_app: NodeApp) -> None:
    root = node_app({"src/functions/a.js": "require('@azure/functions').app.get('a', async () => ({}));\n"})
    (root / "host.json").write_text('{\n  "version": "2.0",\n  "functionTimeout": "five minutes"\n}\n')
    found = discover(root)
    assert [f.name for f in found.functions] == ["a"] and found.functions[0].timeout_s == 300
    problem = found.problems[0]
    assert (problem.file, problem.line, problem.field) == ("host.json", 3, "functionTimeout")
    (root / "host.json").write_text('{"functionTimeout": "00:00:02"}')
    assert discover(root).functions[0].timeout_s == 2


async def test_host_json_timeout_ends_a_slow_function(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/slow.js": """
        require('@azure/functions').app.get('slow', async () => new Promise((r) => setTimeout(r, 5000)));
    """})
    (root / "host.json").write_text('{"functionTimeout": "00:00:01"}')
    _, result = await engine.invoke_collect(spec_of(root, "slow"), {})
    assert result.status == "timeout"


def test_cli_invokes_the_example_and_shows_output_bindings(node_app: NodeApp) -> None:
    root = node_app(example=True)
    done = svl("invoke", "orders", "--data", '{"orderId": 5}', cwd=root)
    assert done.returncode == 0, done.stderr
    assert "output binding queueOutput" in done.stderr and '{"orderId": 5, "status": "ready"}' in done.stderr
    assert "(Azure Consumption)" in done.stderr
    done = svl("invoke", "hello", "--data", "{}", "--json", cwd=root)
    document = json.loads(done.stdout)
    assert document["response"]["body"] == {"message": "Hello, {}!"} or document["response"]["status"] == 200
    assert document["billing"] == "Azure Consumption"


# ---- model v3: function.json folders, every trigger ---------------------------------------------------


def v3_app(root: Path, name: str, bindings: list[dict[str, Any]], code: str) -> Path:
    (root / "host.json").write_text('{"version": "2.0"}')
    (root / name).mkdir(parents=True)
    (root / name / "function.json").write_text(json.dumps({"bindings": bindings}))
    (root / name / "index.js").write_text(code)
    return root


async def test_v3_queue_function_with_bindings_and_output(engine: Engine, tmp_path: Path) -> None:
    root = v3_app(tmp_path, "QueueFn", [
        {"type": "queueTrigger", "direction": "in", "name": "item", "queueName": "orders"},
        {"type": "queue", "direction": "out", "name": "shipment", "queueName": "shipments"}], """
        module.exports = async function (context, item) {
          context.log('got', JSON.stringify(item), context.bindingData.dequeueCount, context.bindings.item.n);
          context.bindings.shipment = { n: item.n + 1 };
        };
    """)
    records, result = await run(engine, spec_of(root, "QueueFn"), {"n": 1})
    assert 'got {"n":1} 1 1' in messages(records)
    assert result.outputs == {"shipment": {"n": 2}}


async def test_v3_timer_with_context_done(engine: Engine, tmp_path: Path) -> None:
    root = v3_app(tmp_path, "TimerFn", [{"type": "timerTrigger", "direction": "in", "name": "myTimer",
                                         "schedule": "0 */5 * * * *"}], """
        module.exports = function (context, myTimer) {
          setTimeout(() => { context.log('late?', myTimer.IsPastDue); context.done(); }, 10);
        };
    """)
    records, result = await run(engine, spec_of(root, "TimerFn"), {})
    assert "late? false" in messages(records) and result.response is None


# ---- layouts seen in Azure's own apps (azure-functions-nodejs-e2e-tests app/v4) -------------------------


def test_compiled_layout_with_a_brace_glob(node_app: NodeApp) -> None:
    """Like Azure's e2e v4 app: tsc output under dist/, main a brace glob; the TypeScript sources are no entries."""
    root = node_app({
        "dist/src/index.js": "require('@azure/functions').app.hook.appStart(() => {});\n",
        "dist/src/setup.js": "require('@azure/functions').app.setup({ enableHttpStream: true });\n",
        "dist/src/functions/a.js": "require('@azure/functions').app.get('a', async () => ({}));\n",
        "dist/src/other/b.js": "require('@azure/functions').app.get('b', async () => ({}));\n",
        "src/functions/a.ts": "throw new Error('not an entry');\n",
    }, main="dist/src/{index.js,setup.js,functions/*.js}")
    found = discover(root)
    assert [f.name for f in found.functions] == ["a"] and found.problems == []


async def test_http_stream_mode_goes_through_the_librarys_proxy(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({
        "dist/index.js": "require('@azure/functions').app.setup({ enableHttpStream: true });\n",
        "dist/functions/stream.js": """const { app } = require('@azure/functions');
app.hook.appStart(() => { console.log('appStart hook executed.'); });
app.hook.preInvocation((context) => { context.inputs.push('extra-input'); context.hookData.pre = 'yes'; });
app.hook.postInvocation((context) => { context.invocationContext.log(`post pre=${context.hookData.pre}`); });
app.http('stream', { methods: ['POST'], route: 'stream/{id}', handler: async (request, extra) => {
  const text = await request.text();
  return { status: 202, jsonBody: { id: request.params.id, text, url: request.url, extra },
           cookies: [{ name: 'c', value: '1' }] };
} });
""",
    }, main="dist/{index.js,functions/*.js}")
    event = {"httpMethod": "POST", "path": "/stream/9", "headers": {"content-type": "text/plain"}, "body": "streamed"}
    records, result = await run(engine, spec_of(root, "stream"), event)
    assert result.response["status"] == 202
    assert result.response["body"] == {"id": "9", "text": "streamed", "url": "http://localhost:7071/api/stream/9",
                                       "extra": "extra-input"}
    assert result.response["cookies"] == ["c=1"]
    assert "post pre=yes" in messages(records)


async def test_service_bus_batch_with_cardinality_many(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/sb.js": """const { app } = require('@azure/functions');
app.serviceBusQueue('batch', { queueName: 'q', connection: 'SB', cardinality: 'many',
                               handler: async (messages, context) => {
  context.log(JSON.stringify({ messages, ids: context.triggerMetadata.messageIdArray.length }));
} });
"""})
    records, _ = await run(engine, spec_of(root, "batch"), [{"n": 1}, {"n": 2}])
    assert json.loads(messages(records)[0]) == {"messages": [{"n": 1}, {"n": 2}], "ids": 2}


async def test_v3_script_file_outside_the_function_folder_keeps_its_bindings(engine: Engine, node_app: NodeApp) -> None:
    """TypeScript v3 apps (as Azure/azure-functions-nodejs-e2e-tests app/v3): scriptFile ../dist/<name>/index.js."""
    root = node_app({
        "Tick/function.json": json.dumps({"scriptFile": "../dist/Tick/index.js", "bindings": [
            {"name": "myTimer", "type": "timerTrigger", "direction": "in", "schedule": "0 */5 * * * *"}]}),
        "dist/Tick/index.js": "module.exports = async function (context, myTimer) {\n"
                              "  context.log(`past due: ${myTimer.IsPastDue}`);\n};\n",
    })
    (root / "package.json").unlink()  # a v3 app: function.json folders only
    spec = spec_of(root, "Tick")
    records, result = await run(engine, spec, spec.default_event)
    assert result.response is None  # a timer function answers nothing (not an HTTP 204)
    assert "past due: false" in [r.message for r in records]


def test_an_app_without_its_packages_installed_says_to_run_npm_install_at_the_require(tmp_path: Path) -> None:
    """A fresh clone before ``npm install``: the error names the app's file and line and the fix, not Node's
    module loader (``/modules/cjs/loader:1207``) and a require stack."""
    root = tmp_path / "app"
    shutil.copytree(NODE_EXAMPLE, root)
    (root / "src" / "functions" / "hello.js").write_text(
        "// greets\nconst { app } = require('@azure/functions');\napp.get('hello', async () => ({}));\n")
    found = discover(root)
    problem = next(p for p in found.problems if p.file == "src/functions/hello.js")
    assert problem.line == 2
    assert "needs the '@azure/functions' package" in problem.message and "npm install" in problem.message
    assert "Require stack" not in problem.message and "loader" not in problem.message
