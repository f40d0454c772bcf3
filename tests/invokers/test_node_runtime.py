"""The Node.js runtime against real node workers: every handler style and fault, as Lambda behaves."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord
from tests.conftest import MakeFunction


def js(make_function: MakeFunction, code: str, ext: str = ".js", **settings: object) -> FunctionSpec:
    return make_function(code, ext=ext, **settings)


async def test_async_handler_cold_then_warm_keeps_module_state(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        let calls = 0;
        exports.handler = async (event, context) => {
          calls += 1;
          return { statusCode: 200, body: JSON.stringify({ calls, echo: event }) };
        };
    """)
    _, first = await engine.invoke_collect(spec, {"a": 1})
    _, second = await engine.invoke_collect(spec, {"a": 2})
    assert first.ok and first.cold and first.init_ms > 0
    assert second.ok and not second.cold
    assert json.loads(second.response["body"]) == {"calls": 2, "echo": {"a": 2}}
    assert 0 < second.max_memory_mb < 128


async def test_promise_returning_handler(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = (event) => new Promise((r) => setTimeout(() => r(event.n * 2), 10));")
    _, result = await engine.invoke_collect(spec, {"n": 21})
    assert result.response == 42


async def test_callback_handler(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = function (event, context, callback) {
          setTimeout(() => event.fail ? callback(new TypeError("bad input")) : callback(null, { ok: true }), 5);
        };
    """)
    _, good = await engine.invoke_collect(spec, {})
    _, bad = await engine.invoke_collect(spec, {"fail": True})
    assert good.response == {"ok": True}
    assert bad.error["errorType"] == "TypeError" and bad.error["errorMessage"] == "bad input"


async def test_es_module_handler_mjs(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "export const handler = async (event) => ({ esm: true, got: event.x });", ext=".mjs")
    _, result = await engine.invoke_collect(spec, {"x": 5})
    assert result.response == {"esm": True, "got": 5}


async def test_es_module_via_package_type_module(engine: Engine, make_function: MakeFunction,
                                                 tmp_path: Path) -> None:
    spec = js(make_function, "export async function handler() { return import.meta.url.endsWith('app.js'); }")
    (tmp_path / "fn" / "package.json").write_text('{"type": "module"}')
    _, result = await engine.invoke_collect(spec, {})
    assert result.response is True


async def test_commonjs_cjs_handler(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "module.exports.handler = async () => 'cjs';", ext=".cjs")
    _, result = await engine.invoke_collect(spec, {})
    assert result.response == "cjs"


async def test_context_fields_and_environment(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = async (event, context) => ({
          functionName: context.functionName, functionVersion: context.functionVersion,
          arn: context.invokedFunctionArn, memory: context.memoryLimitInMB, requestId: context.awsRequestId,
          group: context.logGroupName, stream: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
          waits: context.callbackWaitsForEmptyEventLoop, region: process.env.AWS_REGION,
          handlerEnv: process.env._HANDLER, execEnv: process.env.AWS_EXECUTION_ENV, custom: process.env.CUSTOM,
          cwd: process.cwd(),
        });
    """, name="node-ctx", memory_mb=512, timeout_s=6, environment={"CUSTOM": "yes"})
    _, result = await engine.invoke_collect(spec, {})
    ctx = result.response
    assert ctx["functionName"] == "node-ctx" and ctx["functionVersion"] == "$LATEST"
    assert ctx["arn"].endswith(":function:node-ctx") and ctx["memory"] == "512"
    assert ctx["requestId"] == result.request_id and ctx["group"] == "/aws/lambda/node-ctx"
    assert "[$LATEST]" in ctx["stream"] and 5000 < ctx["remaining"] <= 6000 and ctx["waits"] is True
    assert ctx["handlerEnv"] == "app.handler" and ctx["execEnv"] == "AWS_Lambda_nodejs20.x"
    assert ctx["custom"] == "yes" and ctx["region"] and ctx["cwd"] == spec.code_dir


async def test_console_logs_arrive_while_running_with_levels(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = async () => {
          console.log("first");
          await new Promise((r) => setTimeout(r, 600));
          console.warn("careful");
          console.error("broken");
          console.info({ order: 7, message: "structured" });
          return 1;
        };
    """)
    arrivals: dict[str, float] = {}
    records: list[LogRecord] = []
    async for update in engine.invoke(spec, {}):
        key = update.message if isinstance(update, LogRecord) else "RESULT"
        arrivals.setdefault(key, time.perf_counter())
        if isinstance(update, LogRecord):
            records.append(update)
    assert arrivals["RESULT"] - arrivals["first"] > 0.4
    by_message = {r.message: r for r in records}
    assert by_message["first"].level == "INFO" and by_message["careful"].level == "WARN"
    assert by_message["broken"].level == "ERROR"
    structured = by_message["structured"]
    assert structured.fields == {"order": 7, "message": "structured"}
    result_id = records[0].message.split()[2]
    assert all(r.request_id == result_id for r in records)
    assert [r.message.split()[0] for r in records if r.stream == "platform"] == ["START", "END", "REPORT"]


async def test_thrown_error_payload_uses_trace(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = async () => { throw new RangeError('too far'); };")
    records, result = await engine.invoke_collect(spec, {})
    assert result.status == "error"
    assert result.error["errorType"] == "RangeError" and result.error["errorMessage"] == "too far"
    assert result.error["trace"][0] == "RangeError: too far" and "at " in result.error["trace"][1]
    assert any("Invoke Error" in r.message and r.level == "ERROR" for r in records)
    _, again = await engine.invoke_collect(spec, {})
    assert not again.cold


async def test_thrown_non_error_value(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = async () => { throw 'plain string'; };")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "string" and result.error["errorMessage"] == "plain string"
    assert result.error["trace"] == []


async def test_uncaught_exception_fails_invoke_and_environment(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event) => new Promise((resolve) => {
          if (event.boom) setTimeout(() => { throw new Error("async boom"); }, 5);
          else resolve("fine");
        });
    """)
    await engine.invoke_collect(spec, {})
    _, result = await engine.invoke_collect(spec, {"boom": True})
    assert result.status == "error" and result.error["errorMessage"] == "async boom"
    await _wait_until_cold(engine, spec.name)
    _, after = await engine.invoke_collect(spec, {})
    assert after.cold and after.response == "fine"


async def test_unhandled_rejection(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event) => new Promise((resolve) => {
          Promise.reject(new Error("nobody caught me"));
        });
    """)
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert "nobody caught me" in result.error["errorMessage"]
    await _wait_until_cold(engine, spec.name)


async def _wait_until_cold(engine: Engine, name: str) -> None:
    for _ in range(100):
        if not engine.is_warm(name):
            return
        await __import__("asyncio").sleep(0.02)
    pytest.fail("the environment should have been discarded after a fatal error")


async def test_process_exit_is_runtime_exit_error(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = async (e) => { if (e.exit) process.exit(7); return 'up'; };")
    await engine.invoke_collect(spec, {})
    _, result = await engine.invoke_collect(spec, {"exit": True})
    assert result.status == "crashed" and result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"].endswith("exit status 7")
    _, after = await engine.invoke_collect(spec, {})
    assert after.cold and after.ok


async def test_timeout_kills_node_worker(engine: Engine, make_function: MakeFunction) -> None:
    # Something keeps the event loop busy (a pending timer); an empty loop would end the invoke instead.
    spec = js(make_function, "exports.handler = () => new Promise(() => setTimeout(() => {}, 60000));", timeout_s=1)
    _, result = await engine.invoke_collect(spec, {})
    assert result.status == "timeout" and "Task timed out after 1.0" in result.error["errorMessage"]
    assert not engine.is_warm(spec.name)


async def test_missing_module_and_missing_export(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.other = async () => 1;")
    _, missing_export = await engine.invoke_collect(spec, {})
    assert missing_export.error["errorType"] == "Runtime.HandlerNotFound"
    assert missing_export.error["errorMessage"] == "app.handler is undefined or not exported"
    spec.handler = "nothere.handler"
    _, missing_file = await engine.invoke_collect(spec, {})
    assert missing_file.error["errorType"] == "Runtime.ImportModuleError"
    assert "Cannot find module 'nothere'" in missing_file.error["errorMessage"]


async def test_require_of_missing_dependency_is_import_error(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "const x = require('left-pad-not-installed');\nexports.handler = async () => 1;")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert "left-pad-not-installed" in result.error["errorMessage"]


async def test_syntax_error_is_user_code_syntax_error(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = async () => { return ; ;; }}\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert result.error["errorMessage"].startswith("SyntaxError:")


async def test_a_node_syntax_error_says_which_file_and_line(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = async () => {\n  return 1;\n}}\n")
    records, result = await engine.invoke_collect(spec, {})
    assert set(result.error) == {"errorType", "errorMessage", "trace"}  # Lambda's payload, untouched
    where = f"syntax error in {spec.handler.split('.')[0]}.js, line 3: SyntaxError:"
    assert any(note.startswith(where) for note in result.notes)
    assert any(where in r.message and r.level == "WARN" for r in records)


async def test_node_missing_or_too_old_is_a_clear_error(engine: Engine, make_function: MakeFunction,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_node = tmp_path / "old-node"
    old_node.write_text("#!/bin/sh\necho v14.21.3\n")
    old_node.chmod(0o755)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # keep the fake out of the user's cache
    monkeypatch.setenv("SVL_NODE", str(old_node))
    spec = js(make_function, "exports.handler = async () => 1;")
    _, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and result.error["errorType"] == "Runtime.Unavailable"
    assert "node >= 18" in result.error["errorMessage"] and "v14.21.3" in result.error["errorMessage"]
    monkeypatch.setenv("SVL_NODE", "")
    monkeypatch.setenv("PATH", str(tmp_path))
    _, absent = await engine.invoke_collect(spec, {})
    assert "none was found" in absent.error["errorMessage"]
    python_spec = make_function("def handler(e, c):\n    return 'python still works'\n", name="py")
    _, python = await engine.invoke_collect(python_spec, {})
    assert python.response == "python still works"


AZURE_NODE = """
    module.exports = async function (context, req) {
      context.log('azure got', req.method, req.query.name);
      context.log.warn('a warning');
      context.res = { status: req.query.name ? 200 : 400, headers: { 'Content-Type': 'application/json' },
                      body: { hello: req.query.name || null, id: req.params.id || null, echoed: req.body } };
    };
"""


async def test_azure_node_http_function_from_api_gateway_event(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(AZURE_NODE, module="index", ext=".js", style="azure", runtime="nodejs20.x")
    spec.handler = "index.js"
    event = {"httpMethod": "POST", "path": "/greet", "queryStringParameters": {"name": "ada"},
             "pathParameters": {"id": "7"}, "headers": {"Content-Type": "application/json"},
             "body": '{"x": 1}', "isBase64Encoded": False}
    records, result = await engine.invoke_collect(spec, event)
    assert result.ok
    assert result.response == {"status": 200, "headers": {"Content-Type": "application/json"},
                               "body": {"hello": "ada", "id": "7", "echoed": {"x": 1}}}
    logged = {r.message: r.level for r in records if r.stream == "stdout"}
    assert logged["azure got POST ada"] == "INFO" and logged["a warning"] == "WARN"


async def test_azure_node_return_value_and_entry_point(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("exports.run = async (context, req) => ({ status: 201, body: req.method });",
                         module="index", ext=".js", style="azure", runtime="nodejs20.x")
    spec.handler = "index.js#run"
    _, result = await engine.invoke_collect(spec, {"method": "put", "url": "http://localhost:7071/api/fn",
                                                   "headers": {}, "query": {}, "params": {}, "body": None})
    assert result.response == {"status": 201, "headers": {}, "body": "put"}


async def test_azure_python_main_req(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import json, logging
        import azure.functions as func

        def main(req: func.HttpRequest) -> func.HttpResponse:
            logging.info("python azure %s", req.method)
            name = req.params.get("name")
            if not name:
                return func.HttpResponse("pass a name", status_code=400)
            return func.HttpResponse(json.dumps({"hello": name, "body": req.get_json()}),
                                     mimetype="application/json")
    """, module="__init__", style="azure", handler="main")
    folder = Path(spec.code_dir)
    package = folder / "HttpPy"
    package.mkdir()
    (folder / "__init__.py").rename(package / "__init__.py")
    spec.handler = "HttpPy.main"
    event = {"httpMethod": "POST", "path": "/", "queryStringParameters": {"name": "grace"},
             "headers": {"content-type": "application/json"}, "body": '{"n": 1}'}
    records, result = await engine.invoke_collect(spec, event)
    assert result.ok, result.error
    assert result.response == {"status": 200, "headers": {"Content-Type": "application/json"},
                               "body": {"hello": "grace", "body": {"n": 1}}}
    assert any(r.message == "python azure POST" and r.level == "INFO" for r in records)
    _, bad = await engine.invoke_collect(spec, {"httpMethod": "GET", "path": "/"})
    assert bad.response["status"] == 400 and bad.response["body"] == "pass a name"


async def test_node_duration_is_measured_by_the_worker(engine: Engine, make_function: MakeFunction) -> None:
    import asyncio

    spec = js(make_function, "exports.handler = () => new Promise((r) => setTimeout(() => r(1), 30));")
    await engine.invoke_collect(spec, {})
    asyncio.get_running_loop().call_later(0.01, time.sleep, 0.3)
    _, result = await engine.invoke_collect(spec, {})
    assert result.duration_ms < 100, result.duration_ms


async def test_v8_heap_is_sized_from_the_memory_size_as_lambda_does(engine: Engine,
                                                                   make_function: MakeFunction) -> None:
    """Lambda's Node.js bootstrap passes --max-semi-space-size / --max-old-space-size derived from the memory."""
    code = "exports.handler = async () => ({ argv: process.execArgv, limit: require('v8').getHeapStatistics()" \
           ".heap_size_limit });"
    small = make_function(code, ext=".js", name="small", memory_mb=128)
    large = make_function(code, ext=".js", name="large", memory_mb=1024)
    _, on_small = await engine.invoke_collect(small, {})
    _, on_large = await engine.invoke_collect(large, {})
    assert on_small.response["argv"] == ["--max-semi-space-size=1", "--max-old-space-size=126"]
    assert on_large.response["argv"] == ["--max-semi-space-size=8", "--max-old-space-size=1008"]
    assert on_small.response["limit"] < on_large.response["limit"] < 1100 * 1024 * 1024


async def test_large_events_and_answers_cross_the_runtime_api_in_pieces(engine: Engine,
                                                                         make_function: MakeFunction) -> None:
    """The bootstrap's own HTTP client reads an event that arrives in many TCP pieces and sends a large,
    non-ASCII answer (Content-Length counts bytes), invocation after invocation on one connection."""
    spec = make_function("""
        exports.handler = async (event) =>
          ({ length: event.text.length, echo: event.text.slice(0, 5) + "é".repeat(300000) });
    """, ext=".js")
    for size in (10, 3_000_000, 20):
        _, result = await engine.invoke_collect(spec, {"text": "x" * size})
        assert result.ok, result.error
        assert result.response == {"length": size, "echo": "x" * min(size, 5) + "é" * 300_000}
