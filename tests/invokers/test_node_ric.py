"""Node handlers behave as under AWS's Node runtime interface client: callbacks, the event loop, streaming."""

from __future__ import annotations

from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord
from invokers.runtimes import BOOTSTRAP_DIR
from tests.conftest import MakeFunction


def js(make_function: MakeFunction, code: str, **settings: object) -> FunctionSpec:
    return make_function(code, ext=".js", **settings)


def lines(records: list[LogRecord]) -> list[str]:
    return [r.message.split("\t")[-1] for r in records if r.stream != "platform"]


async def test_callback_error_is_anything_but_undefined_or_null(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event, context, callback) => {
          const errors = { zero: 0, empty: "", no: false, nothing: null, undef: undefined };
          callback(errors[event.err], "value");
        };
    """)
    outcomes = {}
    for name in ("zero", "empty", "no", "nothing", "undef"):
        _, result = await engine.invoke_collect(spec, {"err": name})
        outcomes[name] = (result.status, result.response, result.error and
                          (result.error["errorType"], result.error["errorMessage"], result.error["trace"]))
    assert outcomes == {"zero": ("error", None, ("number", "0", [])), "empty": ("error", None, ("string", "", [])),
                        "no": ("error", None, ("boolean", "false", [])),
                        "nothing": ("ok", "value", None), "undef": ("ok", "value", None)}


async def test_return_value_of_a_callback_handler_is_ignored(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event, context, callback) => {
          setTimeout(() => callback(null, "from the callback"), 20);
          return "returned";
        };
    """)
    _, result = await engine.invoke_collect(spec, {})
    assert result.ok and result.response == "from the callback"


async def test_sync_return_without_callback_answers_null_once_the_loop_drains(engine: Engine,
                                                                             make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = (event) => ({ lost: true });")
    _, result = await engine.invoke_collect(spec, {})
    assert result.ok and result.response is None


async def test_callback_waits_for_the_event_loop_by_default(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event, context, callback) => {
          context.callbackWaitsForEmptyEventLoop = event.wait;
          setTimeout(() => console.log("late timer ran"), 200);
          callback(null, "answer");
        };
    """)
    records, waited = await engine.invoke_collect(spec, {"wait": True})
    assert waited.response == "answer" and "late timer ran" in lines(records)
    records, early = await engine.invoke_collect(spec, {"wait": False})
    assert early.response == "answer" and "late timer ran" not in lines(records)


async def test_a_loop_that_never_drains_runs_into_the_timeout(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event, context, callback) => {
          setInterval(() => {}, 50);
          callback(null, "never sent");
        };
    """, timeout_s=1)
    _, result = await engine.invoke_collect(spec, {})
    assert result.status == "timeout"


async def test_context_done_succeed_fail_and_only_the_first_call_counts(engine: Engine,
                                                                       make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = (event, context) => {
          setInterval(() => {}, 1000); // done/succeed/fail answer at once, whatever the loop holds
          if (event.how === "succeed") { context.succeed("first"); context.succeed("second"); }
          if (event.how === "fail") context.fail(new RangeError("failed"));
          if (event.how === "fail-empty") context.fail();
          if (event.how === "done-ok") context.done(null, 7);
          if (event.how === "done-err") { context.done("text error"); context.succeed("too late"); }
        };
    """, timeout_s=2)
    got = {}
    for how in ("succeed", "fail", "fail-empty", "done-ok", "done-err"):
        _, result = await engine.invoke_collect(spec, {"how": how})
        got[how] = result.response if result.ok else (result.error["errorType"], result.error["errorMessage"])
    assert got == {"succeed": "first", "fail": ("RangeError", "failed"), "fail-empty": ("string", "handled"),
                   "done-ok": 7, "done-err": ("string", "text error")}


async def test_async_handler_whose_promise_never_settles(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, "exports.handler = async () => { await new Promise(() => {}); };")
    _, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and result.error["errorType"] == "Runtime.NodeJsExit"
    assert "Promise that was never settled" in result.error["errorMessage"]


async def test_streamed_http_response_is_returned_whole_with_its_prelude(engine: Engine,
                                                                         make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
          const stream = awslambda.HttpResponseStream.from(responseStream, {
            statusCode: 201, headers: { "Content-Type": "text/plain" }, cookies: ["a=1"] });
          for (const part of ["one ", "two ", "three"]) {
            stream.write(part);
            await new Promise((r) => setTimeout(r, 5));
          }
          stream.end();
        });
    """)
    _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    assert result.response == {"statusCode": 201, "headers": {"Content-Type": "text/plain"}, "cookies": ["a=1"],
                               "body": "one two three"}
    _, again = await engine.invoke_collect(spec, {})  # the environment stays usable after a stream
    assert again.ok and not again.cold


async def test_plain_stream_and_stream_errors(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = awslambda.streamifyResponse(async (event, stream) => {
          stream.write(JSON.stringify({ part: 1 }));
          if (event.fail) throw new TypeError("broke mid-stream");
          if (event.unfinished) return;
          stream.end();
        });
    """)
    _, plain = await engine.invoke_collect(spec, {})
    _, broken = await engine.invoke_collect(spec, {"fail": True})
    _, unfinished = await engine.invoke_collect(spec, {"unfinished": True})
    assert plain.ok and plain.response == {"part": 1}
    assert broken.status == "error" and broken.error["errorType"] == "TypeError"
    assert broken.error["errorMessage"] == "broke mid-stream"
    assert unfinished.status == "error" and unfinished.error["errorMessage"] == "Response stream is not finished."


async def test_one_error_shape_and_no_svl_files_in_require_stacks(engine: Engine, make_function: MakeFunction) -> None:
    spec = js(make_function, """
        exports.handler = async (event) => {
          if (event.lazy) require("@aws-sdk/client-not-there");
          throw new Error("plain");
        };
    """, name="shape")
    _, thrown = await engine.invoke_collect(spec, {})
    _, missing = await engine.invoke_collect(spec, {"lazy": True})
    for result in (thrown, missing):
        assert result.error is not None and "trace" in result.error and "stackTrace" not in result.error
        # no bootstrap file (node_runtime.js or the modules it requires) in a trace or a require stack
        assert all(str(BOOTSTRAP_DIR) not in line for line in result.error["trace"])
        assert str(BOOTSTRAP_DIR) not in result.error["errorMessage"]
    assert "Require stack:" in missing.error["errorMessage"] and "app.js" in missing.error["errorMessage"]
    python = make_function("def handler(e, c):\n    raise ValueError('py')\n", name="py-shape")
    _, failed = await engine.invoke_collect(python, {})
    assert failed.error is not None and "stackTrace" in failed.error and "trace" not in failed.error
