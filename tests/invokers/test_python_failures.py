"""Python functions failing as Lambda reports it: timeouts, memory, crashes, init errors, limits, cancels."""

from __future__ import annotations

import os

from invokers.engine import Engine
from invokers.models import LogRecord, Result
from tests.conftest import MakeFunction
from tests.invokers.test_python_runtime import messages
from tests.waiting import until


async def test_timeout_kills_the_worker_and_next_invoke_is_cold(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import time
        def handler(event, context):
            if event.get("hang"):
                time.sleep(30)
            return "quick"
    """, timeout_s=1)
    await engine.invoke_collect(spec, {})
    records, result = await engine.invoke_collect(spec, {"hang": True})
    assert result.status == "timeout"
    assert result.error["errorMessage"].endswith(f"{result.request_id} Task timed out after "
                                                 f"{result.duration_ms / 1000:.2f} seconds")
    assert 1.0 <= result.duration_ms / 1000 < 3
    assert any("Task timed out after" in r.message for r in records)
    assert records[-1].message.endswith("Status: timeout")
    _, after = await engine.invoke_collect(spec, {})
    assert after.cold and after.response == "quick"


async def test_memory_limit_kills_the_worker_and_reports_peak(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import time
        HOARD = []
        def handler(event, context):
            for _ in range(40):
                HOARD.append(bytearray(10 * 1024 * 1024))
                time.sleep(0.01)
            return len(HOARD)
    """, memory_mb=128, timeout_s=10)
    _, result = await engine.invoke_collect(spec, {})
    assert result.status == "crashed"
    assert result.error["errorType"] == "Runtime.OutOfMemory"
    assert result.max_memory_mb >= 128
    assert not engine.is_warm(spec.name)


async def _crash_case(engine: Engine, make_function: MakeFunction, body: str) -> Result:
    spec = make_function(f"""
        import os, sys, signal, ctypes
        def handler(event, context):
            if event.get("crash"):
                {body}
            return "alive"
    """)
    await engine.invoke_collect(spec, {})
    _, crashed = await engine.invoke_collect(spec, {"crash": True})
    _, after = await engine.invoke_collect(spec, {})
    assert crashed.status == "crashed" and crashed.error["errorType"] == "Runtime.ExitError"
    assert after.ok and after.cold, "a crashed worker is replaced by a fresh one"
    return crashed


async def test_sys_exit_is_runtime_exit_error(engine: Engine, make_function: MakeFunction) -> None:
    crashed = await _crash_case(engine, make_function, "sys.exit(3)")
    assert crashed.error["errorMessage"].endswith("Runtime exited with error: exit status 3")


async def test_os_exit_zero_is_exit_without_reason(engine: Engine, make_function: MakeFunction) -> None:
    crashed = await _crash_case(engine, make_function, "os._exit(0)")
    assert crashed.error["errorMessage"].endswith("Runtime exited without providing a reason")


async def test_kill_signal_is_runtime_exit_error(engine: Engine, make_function: MakeFunction) -> None:
    crashed = await _crash_case(engine, make_function, "os.kill(os.getpid(), signal.SIGKILL)")
    assert crashed.error["errorMessage"].endswith("signal: killed")


async def test_segfault_is_runtime_exit_error(engine: Engine, make_function: MakeFunction) -> None:
    crashed = await _crash_case(engine, make_function, "ctypes.string_at(0)")
    assert crashed.error["errorMessage"].endswith("signal: segmentation fault")


async def test_import_error_is_init_error_and_retried(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("import not_a_real_module_xyz\ndef handler(e, c):\n    return 1\n")
    records, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and result.cold
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'app': No module named 'not_a_real_module_xyz'" in result.error["errorMessage"]
    assert result.init_ms is not None
    assert any(r.message.startswith("REPORT") for r in records)
    assert not engine.is_warm(spec.name)


async def test_syntax_error_names_file_and_line(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return (\n\nx = 1 +\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert "app.py" in result.error["errorMessage"] and "line" in result.error["errorMessage"]
    assert any("Line" in frame for frame in result.error["stackTrace"])


async def test_missing_handler_function(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def other(e, c):\n    return 1\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.HandlerNotFound"
    assert result.error["errorMessage"] == "Handler 'handler' missing on module 'app'"


async def test_malformed_handler_name(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return 1\n")
    spec.handler = "nodots"
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Runtime.MalformedHandlerName"


async def test_exception_at_import_time_is_reported(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("raise RuntimeError('no config')\ndef handler(e, c):\n    return 1\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "RuntimeError" and result.error["errorMessage"] == "no config"


async def test_megabytes_of_output_keep_memory_bounded_and_say_what_was_dropped(make_function: MakeFunction) -> None:
    spec = make_function("""
        import sys
        def handler(event, context):
            line = "x" * 1023
            for _ in range(8 * 1024):
                sys.stdout.write(line + "\\n")
            sys.stdout.write("y" * (400 * 1024) + "\\n")
            return "ok"
    """, timeout_s=20)
    async with Engine(log_limit_bytes=1024 * 1024) as small:
        records, result = await small.invoke_collect(spec, {})
    handler_lines = [r for r in records if r.stream == "stdout"]
    assert result.ok
    assert sum(len(r.message) for r in handler_lines) <= 1024 * 1024
    assert result.log_dropped_lines > 7000 and result.log_dropped_bytes > 7 * 1024 * 1024
    assert any(r.message.startswith("svl: dropped") and r.level == "WARN" for r in records)


async def test_very_long_line_is_cut_with_a_note(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    print('z' * 600000)\n    print('next')\n    return 1\n")
    records, _ = await engine.invoke_collect(spec, {})
    long_line = next(r for r in records if r.message.startswith("zzz"))
    assert len(long_line.message) < 300 * 1024 and "[line cut:" in long_line.message
    assert "next" in messages(records)


async def test_oversized_event_is_rejected_like_lambda(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return 1\n")
    _, result = await engine.invoke_collect(spec, {"blob": "a" * (7 * 1024 * 1024)})
    assert result.error["errorType"] == "RequestEntityTooLargeException"


async def test_oversized_response_is_an_error(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("def handler(e, c):\n    return 'a' * (7 * 1024 * 1024)\n")
    _, result = await engine.invoke_collect(spec, {})
    assert result.error["errorType"] == "Function.ResponseSizeTooLarge"


async def test_cancelling_an_invoke_discards_the_environment(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("import time\ndef handler(e, c):\n    print('working')\n    time.sleep(30)\n", timeout_s=60)
    stream = engine.invoke(spec, {})
    async for update in stream:
        if isinstance(update, LogRecord) and update.message == "working":
            break
    await stream.aclose()
    assert not engine.is_warm(spec.name)


async def test_closing_the_engine_leaves_no_processes(make_function: MakeFunction, tmp_path) -> None:
    pid_file = tmp_path / "child.pid"
    spec = make_function(f"""
        import subprocess, os
        def handler(event, context):
            child = subprocess.Popen(["sleep", "60"])
            open({str(pid_file)!r}, "w").write(str(child.pid))
            return os.getpid()
    """)
    async with Engine() as own:
        _, result = await own.invoke_collect(spec, {})
    worker_pid, child_pid = result.response, int(pid_file.read_text())
    await until(lambda: not _running(worker_pid) and not _running(child_pid), timeout=5,
                what="the worker and its child ended")


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return os.path.exists(f"/proc/{pid}")
