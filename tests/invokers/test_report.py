"""A run as a Markdown report: its parts, secrets masked everywhere, long parts capped; the CLI prints it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord, Result
from invokers.report import HEAD_LINES, TAIL_LINES, markdown
from tests.files import write

SECRET = "hunter2-very-secret"


def result(**overrides: object) -> Result:
    values: dict = dict(request_id="8f0e3c1a-1111-4222-8333-444455556666", function="orders", status="ok",
                        cold=True, duration_ms=12.345, billed_ms=13, memory_mb=256, max_memory_mb=48, init_ms=210.5,
                        response={"statusCode": 200, "body": "ok"}, started_at=1767323045.0)
    values.update(overrides)
    return Result(**values)  # type: ignore[arg-type]


SPEC = FunctionSpec(name="orders", source="template.yaml", runtime="python3.12", handler="app.handler",
                    memory_mb=256, timeout_s=10, environment={"DB_PASSWORD": SECRET, "TABLE": "orders"})


def test_report_has_every_part_and_lambda_report_line() -> None:
    records = [LogRecord(timestamp=1.0, message="START RequestId: x Version: $LATEST", stream="platform"),
               LogRecord(timestamp=1.1, message="processing order 7", level="INFO")]
    text = markdown(SPEC, {"order": 7}, result(notes=["ran on Python 3.11, not 3.12"]), records, ["seen on prod"])
    assert text.startswith("### `orders`: ok (local, python3.12)")
    assert "2026-01-02 03:04:05 UTC" in text and "cold start (init 210.50 ms)" in text
    assert '```json\n{\n  "order": 7\n}\n```' in text
    assert "#### Response" in text and '"statusCode": 200' in text
    assert ("REPORT RequestId: 8f0e3c1a-1111-4222-8333-444455556666\tDuration: 12.35 ms\tBilled Duration: 13 ms\t"
            "Memory Size: 256 MB\tMax Memory Used: 48 MB\tInit Duration: 210.50 ms") in text
    assert "[INFO] processing order 7" in text
    assert "- ran on Python 3.11, not 3.12\n- seen on prod" in text


def test_errors_and_secrets_are_masked_everywhere() -> None:
    event = {"user": "ada", "password": "pa55word!", "nested": [{"api_token": "tok-123456"}],
             "db": "postgres://app:pw-in-url@db/app"}
    error = {"errorType": "AuthError", "errorMessage": f"login failed with {SECRET}", "stackTrace": ["  File x"]}
    records = [LogRecord(timestamp=1.0, message=f"connecting with {SECRET}"),
               LogRecord(timestamp=1.1, message="{}", fields={"level": "INFO", "authToken": "abc-def-ghi"})]
    text = markdown(SPEC, event, result(status="error", response=None, error=error), records)
    assert "#### Error" in text and '"errorType": "AuthError"' in text and "#### Response" not in text
    for secret in (SECRET, "pa55word!", "tok-123456", "pw-in-url", "abc-def-ghi"):
        assert secret not in text
    assert '"user": "ada"' in text and "postgres://app:****@db/app" in text and "connecting with ****" in text


def test_long_parts_are_capped_and_fences_hold() -> None:
    records = [LogRecord(timestamp=float(i), message=f"line {i}") for i in range(500)]
    records.append(LogRecord(timestamp=600.0, message="a ```fenced``` line"))
    text = markdown(SPEC, {"blob": "x" * 10_000}, result(), records)
    assert "more characters left out" in text and text.count("x") < 5000
    assert f"… {501 - HEAD_LINES - TAIL_LINES} lines left out …" in text
    assert "line 0\n" in text and "line 499" in text and "line 200\n" not in text
    assert "````\n" in text  # a longer fence around a log holding ```


def test_cli_report_runs_the_function_and_prints_markdown(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write(root, "src/app.py", """\
        import os
        def handler(event, context):
            print("using", os.environ["API_SECRET"])
            return {"sum": event["a"] + event["b"]}
        """)
    write(root, "svl.yaml", f"""\
        functions:
          adder:
            handler: src/app.handler
            environment: {{API_SECRET: {SECRET}}}
        """)
    done = subprocess.run([sys.executable, "-m", "tui.entry", "report", "adder", "--project", str(root), "--no-aws",
                           "-d", '{"a": 1, "b": 2}', "--note", "from the CLI"], capture_output=True, text=True,
                          timeout=90, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("### `adder`: ok (local, python")
    assert '"sum": 3' in done.stdout and "using ****" in done.stdout and SECRET not in done.stdout
    assert "- from the CLI" in done.stdout and "REPORT RequestId:" in done.stdout


async def test_report_of_a_real_engine_run(make_function) -> None:
    spec = make_function("def handler(e, c):\n    print('hi')\n    return e\n")
    async with Engine() as engine:
        records, run = await engine.invoke_collect(spec, {"k": 1})
    text = markdown(spec, {"k": 1}, run, records)
    assert "hi" in text and f"REPORT RequestId: {run.request_id}" in text and "END RequestId" in text
