"""The headless CLI as a user runs it: a real ``svl-tui`` process, exit codes, output streams."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.state import demo_copy


def svl(*args: str, cwd: Path | None = None, stdin: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``svl-tui ARGS`` in ``cwd``, by default in this session's copy of the example (its runs are recorded)."""
    return subprocess.run([sys.executable, "-m", "tui.entry", *args], cwd=cwd or demo_copy(), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_list_prints_functions_as_a_table() -> None:
    done = svl("list")
    assert done.returncode == 0
    header, *rows = done.stdout.splitlines()
    assert header.split()[:3] == ["NAME", "RUNTIME", "MEMORY"]
    assert any(row.startswith("orders-api ") and "python3.12" in row for row in rows)


def test_list_json_masks_secrets() -> None:
    done = svl("list", "--json")
    functions = {f["name"]: f for f in json.loads(done.stdout)}
    assert "sqs-consumer" in functions
    assert functions["cached-client"]["environment"] == {"TABLE_NAME": "orders", "API_TOKEN": "****"}


def test_invoke_success_prints_logs_on_stderr_and_response_on_stdout() -> None:
    done = svl("invoke", "sqs-consumer")
    assert done.returncode == 0
    failed = "00000000-0000-0000-0000-000000000003"
    assert json.loads(done.stdout) == {"batchItemFailures": [{"itemIdentifier": failed}]}
    assert "processing message" in done.stderr
    assert "START RequestId:" in done.stderr and "REPORT RequestId:" in done.stderr
    assert "cold start, init" in done.stderr and "billed" in done.stderr


def test_invoke_function_error_exits_1_with_lambda_payload() -> None:
    done = svl("invoke", "always-fails")
    assert done.returncode == 1
    assert json.loads(done.stdout)["errorType"] == "ValueError"


def test_invoke_event_from_file_stdin_and_inline(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    event.write_text('{"amount": 5}')
    assert json.loads(svl("invoke", "always-fails", "--event", str(event)).stdout) == {"charged": 5}
    assert json.loads(svl("invoke", "always-fails", "--event", "-", stdin='{"amount": 6}').stdout) == {"charged": 6}
    assert json.loads(svl("invoke", "always-fails", "-d", '{"amount": 7}', "-q").stdout) == {"charged": 7}


def test_invoke_json_output_has_result_and_logs() -> None:
    done = svl("invoke", "warmup-aware", "--json")
    document = json.loads(done.stdout)
    assert document["status"] == "ok" and document["cold"] is True and document["response"] == {"warmed": True}
    assert any(log["message"] == "warm-up ping: staying warm" for log in document["logs"])
    assert done.stderr == ""


def test_invalid_event_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "a": 1,\n  b: 2\n}')
    done = svl("invoke", "orders-api", "--event", str(bad))
    assert done.returncode == 2
    assert f"{bad}:3:3: invalid JSON" in done.stderr and "Traceback" not in done.stderr


def test_missing_event_file(tmp_path: Path) -> None:
    done = svl("invoke", "orders-api", "--event", str(tmp_path / "nope.json"))
    assert done.returncode == 2 and "No such file" in done.stderr


def test_unknown_function_suggests_close_matches() -> None:
    done = svl("invoke", "orders-apii")
    assert done.returncode == 2
    assert "no function named 'orders-apii'" in done.stderr and "Did you mean: orders-api" in done.stderr


def test_project_flag_and_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return {'here': True}\n")
    (tmp_path / "svl.yaml").write_text("functions:\n  mine:\n    handler: app.handler\n")
    done = svl("invoke", "mine", "--project", str(tmp_path), cwd=Path("/"))
    assert done.returncode == 0 and json.loads(done.stdout) == {"here": True}
    missing = svl("list", "--project", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_empty_folder_uses_example_and_says_so(tmp_path: Path) -> None:
    done = svl("list", cwd=tmp_path)
    assert done.returncode == 0 and "bundled example project" in done.stderr and "orders-api" in done.stdout


def test_broken_config_is_reported_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "svl.yaml").write_text("functions:\n  f:\n    handler: app.handler\n    timeout: never\n")
    done = svl("list", cwd=tmp_path)
    assert "svl.yaml:4: functions.f.timeout: expected a number" in done.stderr


def test_timeout_exit_code() -> None:
    done = svl("invoke", "too-slow", "-q")
    assert done.returncode == 1 and "Task timed out after 2.0" in done.stdout


def test_headless_modules_do_not_import_textual_or_boto3() -> None:
    code = ("import sys, invokers.cli, invokers.engine, invokers.discovery, invokers.logs, tui.entry; "
            "heavy = [m for m in ('textual', 'boto3', 'rich') if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_events_list_and_show_with_parameters() -> None:
    listing = svl("events", "list", "--params")
    assert listing.returncode == 0 and "sqs" in listing.stdout and "--records" in listing.stdout
    shown = svl("events", "show", "sqs", "--body", '{"id": 1}', "--records", "3")
    records = json.loads(shown.stdout)["Records"]
    assert len(records) == 3 and records[0]["body"] == '{"id": 1}'


def test_events_show_bad_kind_and_parameter() -> None:
    bad_kind = svl("events", "show", "sqq")
    assert bad_kind.returncode == 2 and "Did you mean: sqs" in bad_kind.stderr
    bad_param = svl("events", "show", "sqs", "--colour", "red")
    assert bad_param.returncode == 2 and "--body" in bad_param.stderr


def test_events_validate_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(svl("events", "show", "kinesis").stdout)
    assert svl("events", "validate", str(good)).returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text(good.read_text().replace('"data": "', '"data": "%%'))
    done = svl("events", "validate", str(bad))
    assert done.returncode == 1 and "$.Records[0].kinesis.data" in done.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{\n,}")
    assert f"{broken}:2:1:" in svl("events", "validate", str(broken)).stderr


def test_saved_events_round_trip_through_invoke(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return e\n")
    (tmp_path / "svl.yaml").write_text("functions:\n  echo:\n    handler: app.handler\n")
    (tmp_path / "e.json").write_text('{"saved": true}')
    saved = svl("events", "save", "echo", "first", "--event", "e.json", cwd=tmp_path)
    assert saved.returncode == 0 and (tmp_path / ".svl/events/echo/first.json").is_file()
    assert svl("events", "saved", "echo", cwd=tmp_path).stdout.split() == ["first"]
    assert json.loads(svl("invoke", "echo", "--saved", "first", "-q", cwd=tmp_path).stdout) == {"saved": True}
    missing = svl("invoke", "echo", "--saved", "nope", cwd=tmp_path)
    assert missing.returncode == 2 and "no saved event 'nope'" in missing.stderr
    hostile = svl("events", "save", "echo", "../../x", "--event", "e.json", cwd=tmp_path)
    assert hostile.returncode == 2 and "may not contain" in hostile.stderr


def test_output_piped_into_a_reader_that_leaves_early_is_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return 'x' * 2_000_000\n")
    (tmp_path / "svl.yaml").write_text("functions:\n  big:\n    handler: app.handler\n")
    done = subprocess.run(f"{sys.executable} -m tui.entry invoke big -q | head -c 1", shell=True, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout == '"' and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_events_import_keeps_the_good_files_and_lists_the_bad(tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    (events / "good.json").write_text('{"ok": 1}')
    (events / "broken.json").write_text("{nope")
    (events / "later.json").write_text('{"ok": 2}')
    done = svl("events", "import", "fn", str(events), "--project", str(tmp_path))
    assert done.returncode == 1
    assert "imported 2 event(s) for fn: good, later" in done.stdout
    assert "not imported:" in done.stderr and "broken.json is not valid JSON" in done.stderr
    assert (tmp_path / ".svl" / "events" / "fn" / "later.json").exists()


def test_comparison_never_prints_minus_zero() -> None:
    import io

    from invokers.cli_output import Painter
    from invokers.models import Result, compare

    base = dict(request_id="r", function="f", status="ok", cold=False, billed_ms=1, memory_mb=128, max_memory_mb=9)
    out = io.StringIO()
    Painter(out).comparison(compare(Result(duration_ms=1.002, **base), Result(duration_ms=1.0, **base)))
    assert "duration +0.00 ms" in out.getvalue()


def test_list_of_a_project_whose_functions_failed_to_load_points_at_the_errors(tmp_path: Path) -> None:
    (tmp_path / "svl.yaml").write_text("functions:\n  f: [\n")
    done = svl("list", cwd=tmp_path)
    assert done.returncode == 2
    assert "svl.yaml" in done.stderr and "No functions could be loaded" in done.stderr
    assert "Add an svl.yaml" not in done.stderr  # there is one: it is broken
