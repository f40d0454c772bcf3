"""The history store: what is written, how it is bounded, masked, and read back."""

from __future__ import annotations

import json
import logging
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.history import History, load, record
from invokers.models import FunctionSpec, Result
from tests.conftest import MakeFunction
from tests.files import write


def spec(name: str = "orders", source: str = "svl.yaml", **settings: object) -> FunctionSpec:
    return FunctionSpec(name=name, source=source, runtime="python3.12", handler="app.handler",
                        **settings)  # type: ignore[arg-type]


def result(number: int, *, function: str = "orders", status: str = "ok", cold: bool = False,
           response: object = None, error: dict[str, object] | None = None) -> Result:
    return Result(request_id=f"req-{number:05d}", function=function, status=status,  # type: ignore[arg-type]
                  cold=cold, duration_ms=10.0 + number, billed_ms=11 + number, memory_mb=256,
                  max_memory_mb=60 + number % 7, init_ms=120.5 if cold else None, cost_usd=1e-6 * number,
                  response=response, error=error, started_at=1_700_000_000.0 + number)


def test_record_and_load_round_trip(tmp_path: Path) -> None:
    record(result(1, cold=True, response={"ok": True}), {"id": 1}, spec(), tmp_path)
    record(result(2, status="error", error={"errorType": "ValueError", "errorMessage": "bad"}), {"id": 2},
           spec(), tmp_path)
    first, second = load("orders", project=tmp_path)
    assert (first.request_id, first.cold, first.init_ms, first.duration_ms, first.billed_ms) == \
        ("req-00001", True, 120.5, 11.0, 12)
    assert (first.memory_mb, first.max_memory_mb, first.cost, first.source) == (256, 61, 1e-6, "local")
    assert first.timestamp == 1_700_000_001.0
    assert (first.event, first.response, first.error, first.payload_kept) == ({"id": 1}, {"ok": True}, None, True)
    assert (second.status, second.ok, second.response) == ("error", False, None)
    assert second.error == {"errorType": "ValueError", "errorMessage": "bad"}
    assert [r.request_id for r in load("orders", 1, project=tmp_path)] == ["req-00002"]
    assert (tmp_path / ".svl" / "history" / "orders.jsonl").is_file()
    assert History.for_project(tmp_path).functions() == ["orders"]


def test_figures_only_load_skips_payloads(tmp_path: Path) -> None:
    record(result(1, response={"big": "x" * 1000}), {"id": 1}, spec(), tmp_path)
    (loaded,) = load("orders", project=tmp_path, payloads=False)
    assert (loaded.duration_ms, loaded.event, loaded.response, loaded.payload_kept) == (11.0, None, None, False)


def test_deployed_and_local_twins_are_kept_apart(tmp_path: Path) -> None:
    record(result(1), {}, spec(), tmp_path)
    record(result(2), {}, spec(source="deployed", arn="arn:aws:lambda:us-east-1:1:function:orders"), tmp_path)
    assert [r.request_id for r in load("orders", project=tmp_path)] == ["req-00001"]
    (deployed,) = load("aws:orders", project=tmp_path)
    assert (deployed.request_id, deployed.source) == ("req-00002", "deployed")
    assert sorted(History.for_project(tmp_path).functions()) == ["aws:orders", "orders"]


def test_function_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    record(result(1), {}, spec("../../evil"), tmp_path)
    folder = tmp_path / ".svl" / "history"
    assert all(path.parent == folder for path in folder.iterdir())
    assert not (tmp_path / "evil.jsonl").exists()
    assert [r.function for r in load("../../evil", project=tmp_path)] == ["../../evil"]


def test_rotation_bounds_the_files_and_keeps_the_newest_runs(tmp_path: Path) -> None:
    store = History(tmp_path, figures_limit=6_000, payloads_limit=1_500)
    for number in range(200):
        store.record(result(number, response={"n": number}), {"n": number}, spec())
    figures, payloads = tmp_path / "orders.jsonl", tmp_path / "orders.payloads.jsonl"
    for path in (figures, payloads, Path(f"{figures}.1"), Path(f"{payloads}.1")):
        assert path.stat().st_size <= (1_500 if "payloads" in path.name else 6_000)
    runs = store.load("orders")
    numbers = [int(r.request_id[4:]) for r in runs]
    assert numbers == list(range(numbers[0], 200))  # contiguous, oldest first, ends with the newest
    assert 5 < len(runs) < 200
    assert runs[-1].event == {"n": 199} and runs[-1].payload_kept
    # payloads rotate on their own: the oldest runs whose payload has gone keep their figures
    lost = [r for r in runs if not r.payload_kept]
    assert lost and all(r.event is None and r.duration_ms > 0 for r in lost)
    assert all(r.payload_kept for r in runs[len(lost):])


def test_large_payloads_are_kept_as_a_truncated_preview(tmp_path: Path) -> None:
    store = History(tmp_path, payload_cap=100)
    store.record(result(1, response={"body": "y" * 500}), {"small": True}, spec())
    (run,) = store.load("orders")
    assert run.event == {"small": True}
    assert run.truncated == ["response"]
    assert run.response["svl_truncated"] is True and run.response["length"] > 500
    assert len(run.response["preview"]) == 100


def test_secrets_are_masked_before_they_reach_the_disk(tmp_path: Path) -> None:
    function = spec(environment={"API_TOKEN": "tok-s3cr3t-value", "TABLE": "orders", "TOKEN_TTL": "3600"})
    event = {"headers": {"Authorization": "Bearer abc.def.ghi", "Accept": "*/*"},
             "multiValueHeaders": {"X-Api-Key": ["key-1234567"]},
             "body": '{"db": "postgres://app:hunter22@db.local/orders"}',
             "Records": [{"s3": {"object": {"key": "uploads/photo.jpg"}}, "kinesis": {"partitionKey": "p-1"}}]}
    response = {"echo": "the token is tok-s3cr3t-value", "password": "pa55word!", "table": "orders"}
    record(result(1, response=response), event, function, tmp_path)
    error_run = result(2, status="error", error={"errorMessage": "denied for tok-s3cr3t-value"})
    record(error_run, {}, function, tmp_path)
    on_disk = "".join(path.read_text() for path in (tmp_path / ".svl" / "history").iterdir())
    for secret in ("tok-s3cr3t-value", "abc.def.ghi", "key-1234567", "hunter22", "pa55word!"):
        assert secret not in on_disk
    first, second = load("orders", project=tmp_path)
    assert first.event["headers"] == {"Authorization": "****", "Accept": "*/*"}
    assert first.event["multiValueHeaders"] == {"X-Api-Key": ["****"]}
    assert first.event["body"] == '{"db": "postgres://app:****@db.local/orders"}'
    assert first.event["Records"][0]["s3"]["object"]["key"] == "uploads/photo.jpg"  # an identifier, kept
    assert first.event["Records"][0]["kinesis"]["partitionKey"] == "p-1"
    assert first.response == {"echo": "the token is ****", "password": "****", "table": "orders"}
    assert second.error == {"errorMessage": "denied for ****"}


def test_a_corrupt_line_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = History(tmp_path)
    store.record(result(1), {}, spec())
    with (tmp_path / "orders.jsonl").open("a") as handle:
        handle.write('{"request_id": "half-writ')  # a crash in the middle of a line
    store.record(result(2), {}, spec())  # starts on a fresh line: both good runs survive
    with (tmp_path / "orders.jsonl").open("a") as handle:
        handle.write('{"request_id": "x", "status": "ok"}\n')  # valid JSON, figures missing
    with caplog.at_level(logging.WARNING, logger="svl.history"):
        runs = store.load("orders")
    assert [r.request_id for r in runs] == ["req-00001", "req-00002"]
    assert len(store.problems) == 2
    assert "orders.jsonl:2: skipped a corrupt history line" in store.problems[0]
    assert "orders.jsonl:4" in store.problems[1] and "no field 'timestamp'" in store.problems[1]
    assert "skipped a corrupt history line" in caplog.text


def _append_many(folder: str, worker: int) -> None:
    store = History(Path(folder), figures_limit=20_000, payloads_limit=40_000)
    for number in range(150):
        store.record(result(worker * 1000 + number, response={"pad": "z" * 50}), {"w": worker}, spec())


def test_concurrent_appends_from_processes_never_interleave(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), worker)) for worker in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store = History(tmp_path)
    runs = store.load("orders")
    assert store.problems == []
    kept = {r.request_id for r in runs}
    assert len(kept) == len(runs)
    for path in tmp_path.iterdir():  # every line on disk is whole JSON
        for line in path.read_text().splitlines():
            json.loads(line)
    assert len(runs) > 50  # rotation under concurrency dropped whole generations only
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= (40_000 if "payloads" in path.name else 20_000)


async def test_the_engine_records_every_invocation(tmp_path: Path, make_function: MakeFunction) -> None:
    function = make_function("""
        def handler(event, context):
            if event.get("fail"):
                raise ValueError("asked to fail")
            return {"doubled": event["n"] * 2}
    """, name="doubler")
    store = History(tmp_path / "history")
    async with Engine(history=store) as engine:
        await engine.invoke_collect(function, {"n": 21})
        await engine.invoke_collect(function, {"fail": True})
    first, second = store.load("doubler")
    assert (first.cold, first.status, first.event, first.response) == (True, "ok", {"n": 21}, {"doubled": 42})
    assert first.init_ms is not None and first.duration_ms > 0 and first.memory_mb == 128
    assert (second.cold, second.status, second.error["errorType"]) == (False, "error", "ValueError")


def test_cli_invoke_records_in_the_project(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", """
        functions:
          hello:
            runtime: python3.12
            handler: app.handler
    """)
    write(tmp_path, "app.py", """
        def handler(event, context):
            return {"hello": event.get("name")}
    """)
    done = subprocess.run([sys.executable, "-m", "tui.entry", "invoke", "hello", "--data", '{"name": "ada"}'],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (run,) = load("hello", project=tmp_path)
    assert (run.event, run.response, run.cold) == ({"name": "ada"}, {"hello": "ada"}, True)
