"""Many execution environments per function: scaling, throttling, idle reclaim, provisioned concurrency."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.models import FunctionSpec, LogRecord, Result
from invokers.pool import ACCOUNT_REASON, RESERVED_REASON, Limits, Pool, Throttled
from tests.conftest import MakeFunction
from tests.waiting import until

SLOW_PID = """
    import os, time
    def handler(event, context):
        time.sleep(event.get("sleep", 0.3))
        return {"pid": os.getpid()}
"""


class FakeWorker:
    """Enough of a worker for the pool's bookkeeping."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.process: object | None = object()
        self.alive = True


def fake_pool(limits: Limits | None = None) -> Pool[FakeWorker]:
    return Pool(limits or Limits(), FakeWorker)


SPEC = FunctionSpec(name="f", source="svl.yaml", runtime="python3.12", handler="app.handler")


def test_pool_reuses_the_most_recently_used_environment() -> None:
    pool = fake_pool()
    first, fresh_a, _ = pool.acquire(SPEC)
    second, fresh_b, _ = pool.acquire(SPEC)
    assert fresh_a and fresh_b and first is not second
    assert not pool.release(first) and not pool.release(second)
    again, fresh, stale = pool.acquire(SPEC)
    assert again is second and not fresh and stale == []


def test_pool_hands_back_stale_environments_of_an_older_spec() -> None:
    pool = fake_pool()
    old, _, _ = pool.acquire(SPEC)
    pool.release(old)
    newer = dataclasses.replace(SPEC, timeout_s=9)
    worker, fresh, stale = pool.acquire(newer)
    assert fresh and worker is not old and stale == [old]


def test_reserved_concurrency_throttles_beyond_it() -> None:
    pool = fake_pool()
    spec = dataclasses.replace(SPEC, reserved_concurrency=2)
    pool.acquire(spec)
    pool.acquire(spec)
    with pytest.raises(Throttled) as caught:
        pool.acquire(spec)
    assert caught.value.reason == RESERVED_REASON and str(caught.value) == "Rate Exceeded."


def test_reserved_concurrency_of_zero_always_throttles() -> None:
    with pytest.raises(Throttled):
        fake_pool().acquire(dataclasses.replace(SPEC, reserved_concurrency=0))


def test_account_limit_is_shared_by_pools_and_freed_on_release() -> None:
    limits = Limits(account=2)
    a, b = fake_pool(limits), fake_pool(limits)
    held, _, _ = a.acquire(SPEC)
    b.acquire(dataclasses.replace(SPEC, name="g"))
    with pytest.raises(Throttled) as caught:
        a.acquire(SPEC)
    assert caught.value.reason == ACCOUNT_REASON
    a.release(held)
    assert limits.in_flight == 1
    a.acquire(SPEC)


def test_reserved_functions_do_not_use_the_account_pool() -> None:
    limits = Limits(account=1)
    pool = fake_pool(limits)
    spec = dataclasses.replace(SPEC, reserved_concurrency=3)
    for _ in range(3):
        pool.acquire(spec)
    assert limits.in_flight == 0


def test_drained_environment_never_returns_to_the_pool() -> None:
    limits = Limits()
    pool = fake_pool(limits)
    busy, _, _ = pool.acquire(SPEC)
    assert pool.drain() == [busy] and limits.in_flight == 0
    assert pool.release(busy) is True  # the caller must kill it
    assert pool.environments == [] and limits.in_flight == 0


def test_idle_environments_expire_but_provisioned_ones_stay() -> None:
    pool = fake_pool(Limits(idle_s=10))
    kept = FakeWorker(SPEC)
    pool.add_idle(kept, provisioned=True)
    used, _, _ = pool.acquire(SPEC)  # takes the provisioned one
    assert used is kept
    other, _, _ = pool.acquire(SPEC)
    pool.release(used)
    pool.release(other)
    assert pool.expired(time.monotonic() + 5) == []
    assert pool.expired(time.monotonic() + 11) == [other]
    assert pool.idle == [kept]


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limits(account=0)
    with pytest.raises(ValueError, match="positive"):
        Limits(idle_s=0)


# ---- the engine with real workers --------------------------------------------


async def burst(engine: Engine, spec: FunctionSpec, events: list[object]) -> list[Result]:
    collected = await asyncio.gather(*(engine.invoke_collect(spec, event) for event in events))
    return [result for _records, result in collected]


RENDEZVOUS = """
    import os, time
    def handler(event, context):
        folder = event["folder"]
        open(os.path.join(folder, str(os.getpid())), "w").close()
        deadline = time.monotonic() + 30
        while len(os.listdir(folder)) < event["expected"]:  # every invocation must be running at once
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(os.listdir(folder))} invocations ran side by side")
            time.sleep(0.01)
        return {"pid": os.getpid()}
"""


async def test_concurrent_invocations_run_side_by_side_in_new_environments(
        engine: Engine, make_function: MakeFunction, tmp_path: Path) -> None:
    # A rendezvous instead of a stopwatch: each invocation waits until all three are running, which only
    # environments side by side can satisfy (one environment running them in turn would time out).
    spec = dataclasses.replace(make_function(RENDEZVOUS), timeout_s=60)
    folder = tmp_path / "running"
    folder.mkdir()
    results = await burst(engine, spec, [{"folder": str(folder), "expected": 3}] * 3)
    assert all(r.ok and r.cold for r in results), [r.error for r in results]
    assert len({r.response["pid"] for r in results}) == 3
    assert engine.environments(spec.name) == (0, 3)
    again = tmp_path / "again"
    again.mkdir()
    warm = await burst(engine, spec, [{"folder": str(again), "expected": 3}] * 3)
    assert all(r.ok and not r.cold for r in warm)
    assert {r.response["pid"] for r in warm} == {r.response["pid"] for r in results}


async def test_throttled_invocation_gets_lambdas_error_and_no_log_lines(make_function: MakeFunction) -> None:
    spec = make_function(SLOW_PID, reserved_concurrency=1)
    async with Engine() as engine:
        collected = await asyncio.gather(engine.invoke_collect(spec, {"sleep": 0.3}),
                                         engine.invoke_collect(spec, {"sleep": 0.3}))
    results = sorted((result for _, result in collected), key=lambda r: r.ok)
    records = next(records for records, result in collected if not result.ok)
    throttled, ran = results
    assert ran.ok
    assert throttled.status == "error" and not throttled.cold
    assert throttled.error is not None
    assert throttled.error["errorType"] == "TooManyRequestsException"
    assert throttled.error["errorMessage"] == "Rate Exceeded."
    assert throttled.error["Reason"] == RESERVED_REASON
    assert records == []


async def test_account_limit_throttles_across_functions(make_function: MakeFunction) -> None:
    first = make_function(SLOW_PID, name="one")
    second = make_function(SLOW_PID, name="two")
    async with Engine(limits=Limits(account=1)) as engine:
        collected = await asyncio.gather(engine.invoke_collect(first, {"sleep": 0.3}),
                                         engine.invoke_collect(second, {"sleep": 0.3}))
    errors = [result.error for _, result in collected if not result.ok]
    assert len(errors) == 1 and errors[0] is not None and errors[0]["Reason"] == ACCOUNT_REASON


async def test_idle_environments_are_reclaimed(make_function: MakeFunction) -> None:
    spec = make_function(SLOW_PID)
    async with Engine(limits=Limits(idle_s=0.2)) as engine:
        await burst(engine, spec, [{"sleep": 0.05}] * 2)
        assert engine.environments(spec.name) == (0, 2)
        await until(lambda: not engine.is_warm(spec.name), what="the idle environments reclaimed")
        assert engine.environments(spec.name) == (0, 0)
        _, again = await engine.invoke_collect(spec, {"sleep": 0})
        assert again.ok and again.cold


async def test_provisioned_environments_are_ready_warm_and_kept(make_function: MakeFunction) -> None:
    spec = make_function(SLOW_PID, provisioned_concurrency=2)
    async with Engine(limits=Limits(idle_s=0.2)) as engine:
        assert await engine.provision(spec) == []
        assert engine.environments(spec.name) == (0, 2)
        results = await burst(engine, spec, [{"sleep": 0.05}] * 2)
        assert all(r.ok and not r.cold and r.init_ms is None for r in results)
        # an ordinary function idle as long is reclaimed: the reaper has run past the idle limit since
        ordinary = make_function(SLOW_PID, name="ordinary")
        await engine.invoke_collect(ordinary, {"sleep": 0})
        await until(lambda: not engine.is_warm(ordinary.name), what="the ordinary environment reclaimed")
        assert engine.environments(spec.name) == (0, 2)


async def test_provision_reports_init_failures(make_function: MakeFunction) -> None:
    spec = make_function("import nope_not_a_module\ndef handler(e, c):\n    return 1\n", provisioned_concurrency=1)
    async with Engine() as engine:
        failures = await engine.provision(spec)
    assert len(failures) == 1 and failures[0].error is not None
    assert failures[0].error["errorType"] == "Runtime.ImportModuleError"


async def test_recycle_retires_every_environment(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function(SLOW_PID)
    before = await burst(engine, spec, [{"sleep": 0.2}] * 2)
    assert await engine.recycle(spec.name)
    assert engine.environments(spec.name) == (0, 0)
    after = await burst(engine, spec, [{"sleep": 0.2}] * 2)
    assert all(r.cold for r in after)
    assert not {r.response["pid"] for r in after} & {r.response["pid"] for r in before}


async def test_concurrent_logs_carry_their_own_request_id(engine: Engine, make_function: MakeFunction) -> None:
    spec = make_function("""
        import time
        def handler(event, context):
            for i in range(20):
                print(f"{event['tag']} line {i}")
                time.sleep(0.005)
            return event["tag"]
    """)
    collected = await asyncio.gather(*(engine.invoke_collect(spec, {"tag": f"t{n}"}) for n in range(3)))
    for records, result in collected:
        lines = [r for r in records if isinstance(r, LogRecord) and r.stream == "stdout"]
        assert len(lines) == 20
        assert all(r.message.startswith(f"{result.response} line") for r in lines)
        assert all(r.request_id == result.request_id for r in lines)


async def test_cancelled_invocation_discards_only_its_environment(engine: Engine,
                                                                  make_function: MakeFunction) -> None:
    spec = make_function(SLOW_PID)
    await burst(engine, spec, [{"sleep": 0}])
    other = asyncio.create_task(engine.invoke_collect(spec, {"sleep": 0.6}))
    await until(lambda: engine.environments(spec.name) == (1, 0), what="the first invoke on the warm environment")
    stream = engine.invoke(spec, {"sleep": 5})
    async for _update in stream:
        break  # START arrived: the invocation runs; stop listening
    await stream.aclose()
    _, kept = await other
    assert kept.ok and not kept.cold
    assert engine.environments(spec.name) == (0, 1)
