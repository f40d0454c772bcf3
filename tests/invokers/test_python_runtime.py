"""The local Python runtime against real worker processes: Lambda semantics, one concern per test."""

from __future__ import annotations

import asyncio
import time

from invokers.engine import Engine
from invokers.models import LogRecord
from tests.conftest import MakeFunction


def messages(records: list[LogRecord]) -> list[str]:
    return [r.message for r in records]


async def test_first_invoke_is_cold_then_warm_and_module_state_survives(engine: Engine,
                                                                       make_function: MakeFunction) -> None:
    spec = make_function("""
        import os
        CALLS = 0
        PID = os.getpid()
        def handler(event, context):
            global CALLS
            CALLS += 1
            return {"calls": CALLS, "pid": PID, "echo": event}
    """)
    _, first = await engine.invoke_collect(spec, {"n": 1})
    _, second = await engine.invoke_collect(spec, {"n": 2})
    assert first.ok and first.cold and first.init_ms is not None and first.init_ms > 0
    assert second.ok and not second.cold and second.init_ms is None
    assert first.response["calls"] == 1 and second.response["calls"] == 2
    assert first.response["pid"] == second.response["pid"]
    assert second.response["echo"] == {"n": 2}


async def test_context_has_lambda_attributes(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        def handler(event, context):
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "request_id": context.aws_request_id,
                "group": context.log_group_name,
                "stream": context.log_stream_name,
                "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
                "client_context": context.client_context,
                "remaining": context.get_remaining_time_in_millis(),
            }
    """, name="ctx-fn", memory_mb=256, timeout_s=5)
    _, result = await engine.invoke_collect(spec, {})
    ctx = result.response
    assert ctx["function_name"] == "ctx-fn"
    assert ctx["function_version"] == "$LATEST"
    assert ctx["arn"].startswith("arn:aws:lambda:") and ctx["arn"].endswith(":function:ctx-fn")
    assert ctx["memory"] == "256"  # a string, as on Lambda
    assert ctx["request_id"] == result.request_id
    assert ctx["group"] == "/aws/lambda/ctx-fn"
    assert ctx["stream"].count("/") == 3 and "[$LATEST]" in ctx["stream"]
    assert ctx["identity"] == [None, None] and ctx["client_context"] is None
    assert 4000 < ctx["remaining"] <= 5000


async def test_reserved_environment_merged_with_function_environment(engine: Engine,
                                                                    make_function: MakeFunction) -> None:
    spec = make_function("""
        import os, sys
        NAMES = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                 "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_EXECUTION_ENV", "TZ", "AWS_LAMBDA_RUNTIME_API", "GREETING"]
        def handler(event, context):
            return {"env": {n: os.environ.get(n) for n in NAMES}, "cwd": os.getcwd(), "path0": sys.path[0]}
    """, name="env-fn", environment={"GREETING": "hi", "AWS_REGION": "eu-west-1"}, memory_mb=512)
    _, result = await engine.invoke_collect(spec, {})
    env = result.response["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env-fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/env-fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == spec.code_dir
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["TZ"] == ":UTC"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["GREETING"] == "hi"
    assert env["AWS_REGION"] == "eu-west-1"  # the function's own configuration wins
    assert env["AWS_DEFAULT_REGION"]
    assert result.response["cwd"] == spec.code_dir and result.response["path0"] == spec.code_dir


async def test_handler_imports_sibling_modules_from_code_folder(engine: Engine, make_function: MakeFunction,
                                                               tmp_path) -> None:
    spec = make_function("""
        from helpers import double
        def handler(event, context):
            return double(event["n"])
    """)
    (tmp_path / "fn" / "helpers.py").write_text("def double(n):\n    return n * 2\n")
    _, result = await engine.invoke_collect(spec, {"n": 21})
    assert result.response == 42


async def test_async_handler_is_awaited(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import asyncio
        async def handler(event, context):
            await asyncio.sleep(0.01)
            return {"awaited": True}
    """)
    _, result = await engine.invoke_collect(spec, {})
    assert result.response == {"awaited": True}
    _, again = await engine.invoke_collect(spec, {})
    assert again.response == {"awaited": True} and not again.cold


async def test_logs_stream_while_the_handler_runs(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import time, sys
        def handler(event, context):
            print("before sleep")
            time.sleep(0.6)
            print("after sleep", file=sys.stderr)
            return "done"
    """)
    arrivals: dict[str, float] = {}
    async for update in engine.invoke(spec, {}):
        key = update.message if isinstance(update, LogRecord) else "RESULT"
        arrivals.setdefault(key, time.perf_counter())
    assert arrivals["RESULT"] - arrivals["before sleep"] > 0.4, "first line must arrive before the invoke ends"
    assert arrivals["after sleep"] <= arrivals["RESULT"]


async def test_log_records_carry_request_id_level_stream_and_come_in_order(engine: Engine,
                                                                          make_function: MakeFunction) -> None:
    spec = make_function("""
        import logging, sys
        logger = logging.getLogger()
        logger.setLevel(logging.INFO)
        def handler(event, context):
            print("plain print")
            logger.info("an info")
            logger.warning("a warning")
            print("to stderr", file=sys.stderr)
            return 1
    """)
    records, result = await engine.invoke_collect(spec, {})
    lines = messages(records)
    assert lines[0].startswith("START RequestId: " + result.request_id)
    assert lines[-2] == "END RequestId: " + result.request_id
    assert lines[-1].startswith("REPORT RequestId: " + result.request_id)
    assert lines[1:5] == ["plain print", "an info", "a warning", "to stderr"]
    by_message = {r.message: r for r in records}
    assert by_message["an info"].level == "INFO" and by_message["a warning"].level == "WARN"
    assert by_message["to stderr"].stream == "stderr" and by_message["plain print"].stream == "stdout"
    assert all(r.request_id == result.request_id for r in records)
    assert by_message[lines[0]].stream == "platform"


async def test_report_line_has_lambda_fields_and_init_duration_only_when_cold(engine: Engine,
                                                                             make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return None\n")
    cold_records, cold = await engine.invoke_collect(spec, {})
    warm_records, warm = await engine.invoke_collect(spec, {})
    cold_report = cold_records[-1].message.split("\t")
    warm_report = warm_records[-1].message.split("\t")
    assert cold_report[1] == f"Duration: {cold.duration_ms:.2f} ms"
    assert cold_report[2] == f"Billed Duration: {cold.billed_ms} ms"
    assert cold_report[3] == "Memory Size: 128 MB"
    assert cold_report[4] == f"Max Memory Used: {cold.max_memory_mb} MB"
    assert cold_report[5] == f"Init Duration: {cold.init_ms:.2f} ms"
    assert len(warm_report) == 5
    assert 0 < cold.max_memory_mb < 128


async def test_json_log_lines_become_structured_records(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import json
        def handler(event, context):
            print(json.dumps({"level": "WARNING", "message": "low stock", "service": "orders",
                              "timestamp": "2026-01-02T03:04:05.678Z", "sku": "A1"}))
            return None
    """)
    records, _ = await engine.invoke_collect(spec, {})
    record = next(r for r in records if r.fields)
    assert record.message == "low stock" and record.level == "WARN"
    assert record.fields["sku"] == "A1" and record.fields["service"] == "orders"
    assert abs(record.timestamp - 1767323045.678) < 0.001


async def test_json_log_format_env_gives_lambda_json_records(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import logging
        def handler(event, context):
            logging.getLogger("orders").error("payment declined")
            return None
    """, environment={"AWS_LAMBDA_LOG_FORMAT": "JSON"})
    records, result = await engine.invoke_collect(spec, {})
    record = next(r for r in records if r.fields)
    assert record.level == "ERROR" and record.message == "payment declined"
    assert record.fields["logger"] == "orders" and record.fields["requestId"] == result.request_id


async def test_handler_exception_gives_lambda_error_payload_without_runtime_frames(
        engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        def inner():
            raise KeyError("missing")
        def handler(event, context):
            inner()
    """)
    records, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and result.response is None
    assert result.error["errorType"] == "KeyError"
    assert result.error["errorMessage"] == "'missing'"
    assert result.error["requestId"] == result.request_id
    trace = "".join(result.error["stackTrace"])
    assert "in handler" in trace and "in inner" in trace and "python_runtime.py" not in trace
    assert any(r.level == "ERROR" and r.message.startswith("KeyError") for r in records)
    _, after = await engine.invoke_collect(spec, {})
    assert not after.cold, "a handled error keeps the environment warm"


async def test_unserialisable_response_is_marshal_error(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return {1, 2}\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.MarshalError"
    assert "Unable to marshal response" in result.error["errorMessage"]


async def test_decimal_response_serialises_like_lambda(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("from decimal import Decimal\ndef handler(e, c):\n    return [Decimal('3'), Decimal('1.5')]\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.response == [3, 1.5]


async def test_non_json_event_bytes_give_unmarshal_error(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return e\n")
    _, result = await engine.invoke_collect(spec, b"{not json")
    assert result.error["errorType"] == "Runtime.UnmarshalError"


async def test_cost_and_billing_follow_lambda_rules(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("import time\ndef handler(e, c):\n    time.sleep(0.05)\n", memory_mb=1024)
    _, cold = await engine.invoke_collect(spec, {})
    _, warm = await engine.invoke_collect(spec, {})
    assert cold.billed_ms >= cold.duration_ms + cold.init_ms
    assert cold.billed_ms - (cold.duration_ms + cold.init_ms) < 1
    assert warm.billed_ms >= 50 and warm.billed_ms - warm.duration_ms < 1
    expected = warm.billed_ms / 1000 * 0.0000166667 + 0.20 / 1_000_000
    assert abs(warm.cost_usd - expected) < 1e-12


async def test_duration_is_not_inflated_by_a_busy_engine_loop(engine: Engine, make_function: MakeFunction) -> None:
    """A UI that is busy rendering when the answer arrives must not make the handler look slow."""
    spec = make_function("import time\ndef handler(e, c):\n    time.sleep(0.03)\n    return 1\n")
    await engine.invoke_collect(spec, {})
    loop = asyncio.get_running_loop()
    loop.call_later(0.01, time.sleep, 0.3)  # the loop is stuck while the worker answers
    _, result = await engine.invoke_collect(spec, {})
    assert result.duration_ms < 100, result.duration_ms
