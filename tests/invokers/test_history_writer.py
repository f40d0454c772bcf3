"""``History.record_soon``: the engine's runs are written by a thread, in order, and are on disk whenever
someone reads, the engine closes or the headless command exits."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.history import History
from tests.conftest import REPO, MakeFunction
from tests.invokers.test_history import result, spec


def test_queued_runs_are_read_back_in_order_by_any_history_of_the_process(tmp_path: Path) -> None:
    writer = History(tmp_path)
    for number in range(300):
        writer.record_soon(result(number, response={"n": number}), {"n": number}, spec(name=f"f{number % 3}"))
    reader = History(tmp_path)  # another instance (the UI's metrics view has its own): reading waits for the queue
    assert reader.functions() == ["f0", "f1", "f2"]
    runs = reader.load("f1")
    assert [int(r.request_id[4:]) for r in runs] == list(range(1, 300, 3))
    assert all(r.payload_kept and r.event == {"n": int(r.request_id[4:])} for r in runs)


def test_a_synchronous_record_comes_after_the_queued_ones(tmp_path: Path) -> None:
    history = History(tmp_path)
    for number in range(50):
        history.record_soon(result(number), {}, spec())
    history.record(result(50), {}, spec())
    lines = (tmp_path / "orders.jsonl").read_text().splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == [f"req-{n:05d}" for n in range(51)]


def test_batches_respect_the_rotation_limits(tmp_path: Path) -> None:
    history = History(tmp_path, figures_limit=6_000, payloads_limit=1_500)
    for number in range(200):
        history.record_soon(result(number, response={"n": number}), {"n": number}, spec())
    runs = history.load("orders")
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= (1_500 if "payloads" in path.name else 6_000), path.name
    numbers = [int(r.request_id[4:]) for r in runs]
    assert numbers == list(range(numbers[0], 200)) and runs[-1].event == {"n": 199}


def test_a_disk_problem_is_logged_and_the_writer_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="svl.history"):
        History(blocked / "history").record_soon(result(1), {}, spec())
        History.flush()
    assert "could not record req-00001" in caplog.text
    good = History(tmp_path / "good")
    good.record_soon(result(2), {}, spec())
    assert [r.request_id for r in good.load("orders")] == ["req-00002"]


async def test_the_engine_records_through_the_writer_and_close_waits_for_it(tmp_path: Path,
                                                                             make_function: MakeFunction) -> None:
    function = make_function("""
        def handler(event, context):
            return event["n"]
    """)
    async with Engine(history=History(tmp_path / "history")) as engine:
        for number in range(5):
            _, run = await engine.invoke_collect(function, {"n": number})
            assert run.ok
    # read the file itself, not through load (which would wait for the writer): close already did
    lines = (tmp_path / "history" / "fn.payloads.jsonl").read_text().splitlines()
    assert [json.loads(line)["response"] for line in lines] == [0, 1, 2, 3, 4]


def test_the_headless_exit_writes_what_is_queued(tmp_path: Path) -> None:
    """``svl-tui`` ends headless commands with os._exit (no atexit): it must flush the writer first."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from invokers.history import History
        from tests.invokers.test_history import result, spec
        history = History(Path({str(tmp_path)!r}))
        for number in range(400):
            history.record_soon(result(number), {{"n": number}}, spec())
        from tui.entry import _exit_now
        _exit_now(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=60)
    lines = (tmp_path / "orders.jsonl").read_text().splitlines()
    assert len(lines) == 400 and json.loads(lines[-1])["request_id"] == "req-00399"


@pytest.mark.parametrize("event", [
    {"plain": [1, 2.5, None, True, "text"], "nested": {"deep": {"deeper": "value"}}},
    {"headers": {"Authorization": "Bearer abc", "X-Api-Key": "k-123456"}, "queryStringParameters": {"token": "t"}},
    {"body": "see postgres://app:hunter22@db.local/orders"},
    {"echo": 'the value is tok"en\\s3cret here', "other": "hunter22 again"},
    {"Records": [{"s3": {"object": {"key": "uploads/photo.jpg"}}}], "unicode": "é ✓ \u2028"},
])
def test_masking_without_the_walk_masks_exactly_what_the_walk_does(tmp_path: Path, event: dict[str, object]) -> None:
    """The writer encodes once and walks the value only when its text holds something maskable: what reaches
    the disk is what the full walk gives (secrets JSON escapes included)."""
    from invokers.history_format import masked, secret_values

    function = spec(environment={"API_TOKEN": 'tok"en\\s3cret', "DB_PASSWORD": "hunter22", "TABLE": "orders"})
    History(tmp_path).record_soon(result(1, response=event), event, function)
    (run,) = History(tmp_path).load("orders")
    expected = json.loads(json.dumps(masked(event, secret_values(function.environment))))
    assert run.event == expected and run.response == expected


def test_a_normal_exit_writes_what_is_queued(tmp_path: Path) -> None:
    """The UI ends with the interpreter's normal exit: the writer thread (a daemon) must not take queued runs
    with it."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from invokers.history import History
        from tests.invokers.test_history import result, spec
        history = History(Path({str(tmp_path)!r}))
        for number in range(400):
            history.record_soon(result(number), {{"n": number}}, spec())
        sys.exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=60)
    lines = (tmp_path / "orders.jsonl").read_text().splitlines()
    assert len(lines) == 400 and json.loads(lines[-1])["request_id"] == "req-00399"
