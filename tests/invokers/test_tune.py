"""Power tuning against moto's Lambda: sizes set and published, figures per size, and the original
configuration restored however the run ends.

moto runs no function code without docker (its Lambda echoes the event and sends no REPORT line), so
the figures are tested with an injected invoker that answers as Lambda's REPORT would for each size; one
test runs the real ``deployed.invoke`` path through moto to show the orchestration works end to end.
"""

from __future__ import annotations

import asyncio
import io
import math
import zipfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from invokers import pricing
from invokers.aws.deployed import to_spec
from invokers.aws.session import Aws
from invokers.aws.tune import TuneFailed, parse_sizes, tune
from invokers.models import FunctionSpec, Result, Update

pytestmark = pytest.mark.usefixtures("fake_aws_env")


@pytest.fixture
def deployed() -> Iterator[FunctionSpec]:
    """A function deployed to moto with 512 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return e\n")
    with mock_aws(config={"lambda": {"use_docker": False}}):
        role = boto3.client("iam", region_name="us-east-1").create_role(
            RoleName="tune-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        config = boto3.client("lambda", region_name="us-east-1").create_function(
            FunctionName="resize", Runtime="python3.12", Role=role, Handler="app.handler",
            Code={"ZipFile": buffer.getvalue()}, MemorySize=512)
        yield to_spec(config, "us-east-1")


def lambda_state() -> tuple[int, list[str]]:
    client = boto3.client("lambda", region_name="us-east-1")
    memory = client.get_function_configuration(FunctionName="resize")["MemorySize"]
    versions = [v["Version"] for v in client.list_versions_by_function(FunctionName="resize")["Versions"]]
    return memory, versions


class ReportShaped:
    """Answers as Lambda's REPORT would: CPU-bound work that takes 128/size of 800 ms, plus 5 ms; the first
    invoke of each version is a cold start (init 300 ms). Records the configuration each invoke saw."""

    def __init__(self, fail_at: int | None = None, hang_at: int | None = None) -> None:
        self.calls: list[tuple[str, int]] = []
        self.fail_at, self.hang_at = fail_at, hang_at
        self.hanging = asyncio.Event()

    async def __call__(self, spec: FunctionSpec, event: Any, qualifier: str) -> AsyncIterator[Update]:
        client = boto3.client("lambda", region_name="us-east-1")
        memory = client.get_function_configuration(FunctionName=spec.name, Qualifier=qualifier)["MemorySize"]
        if memory == self.fail_at:
            raise RuntimeError("the network went away")
        if memory == self.hang_at:
            self.hanging.set()
            await asyncio.Event().wait()
        cold = not any(seen == qualifier for seen, _ in self.calls)
        self.calls.append((qualifier, memory))
        duration = 800 * 128 / memory + 5
        init = 300.0 if cold else None
        billed = math.ceil(duration + (init or 0))
        yield Result(request_id=f"r{len(self.calls)}", function=spec.name, status="ok", cold=cold,
                     duration_ms=duration, billed_ms=billed, memory_mb=memory, max_memory_mb=90, init_ms=init,
                     response=event)


async def test_each_size_is_published_invoked_and_the_original_restored(deployed: FunctionSpec) -> None:
    invoker = ReportShaped()
    seen: list[tuple[int, int]] = []
    report = await tune(Aws(), deployed, [128, 256, 1024], 3, {"k": 1}, invoker=invoker,
                        on_progress=lambda memory, index, _result: seen.append((memory, index)))
    # every size ran on its own published version with that memory
    assert invoker.calls == [("1", 128)] * 3 + [("2", 256)] * 3 + [("3", 1024)] * 3
    assert seen == [(128, 1), (128, 2), (128, 3), (256, 1), (256, 2), (256, 3), (1024, 1), (1024, 2), (1024, 3)]
    assert report.restored and report.cleanup_problems == []
    assert lambda_state() == (512, ["$LATEST"])  # memory back, tuning versions deleted
    small, medium, large = report.sizes
    assert (small.memory_mb, small.count, small.cold_starts, small.errors) == (128, 3, 1, 0)
    # warm runs only: 800 + 5 ms at 128 MB, 400 + 5 at 256, 100 + 5 at 1024
    assert (small.duration_p50_ms, medium.duration_p50_ms, large.duration_p50_ms) == (805, 405, 105)
    assert small.billed_mean_ms == pytest.approx((1105 + 805 + 805) / 3)  # the cold one bills its init
    expected = sum(pricing.cost_usd(b, 128) for b in (1105, 805, 805)) / 3
    assert small.cost_per_invocation_usd == pytest.approx(expected)
    assert small.cost_per_million_usd == pytest.approx(expected * 1e6)
    # mean GB-s: 128 MB x 905 ms = 0.113, 256 MB x 505 ms = 0.126, 1024 MB x 205 ms = 0.205
    assert (report.cheapest_mb, report.fastest_mb) == (128, 1024)


async def test_an_invoke_that_fails_still_restores(deployed: FunctionSpec) -> None:
    with pytest.raises(TuneFailed, match="the network went away.*memory restored to 512 MB") as failed:
        await tune(Aws(), deployed, [128, 256, 512], 2, {}, invoker=ReportShaped(fail_at=256))
    assert [size.memory_mb for size in failed.value.report.sizes] == [128]
    assert failed.value.report.restored
    assert lambda_state() == (512, ["$LATEST"])


async def test_cancelling_mid_run_still_restores(deployed: FunctionSpec) -> None:
    invoker = ReportShaped(hang_at=256)
    task = asyncio.create_task(tune(Aws(), deployed, [128, 256], 1, {}, invoker=invoker))
    await asyncio.wait_for(invoker.hanging.wait(), 30)
    assert lambda_state()[0] == 256  # mid-run: the function runs at the size being measured
    task.cancel()  # what ctrl+c does to asyncio.run's main task
    with pytest.raises(asyncio.CancelledError):
        await task
    assert lambda_state() == (512, ["$LATEST"])


async def test_the_real_invoke_path_through_moto(deployed: FunctionSpec) -> None:
    report = await tune(Aws(), deployed, [128, 256], 2, {"echo": True})
    assert [(size.memory_mb, size.count, size.errors) for size in report.sizes] == [(128, 2, 0), (256, 2, 0)]
    assert all(size.duration_p50_ms is not None and size.duration_p50_ms > 0 for size in report.sizes)
    assert report.restored and lambda_state() == (512, ["$LATEST"])


@pytest.mark.parametrize(("text", "sizes"), [("128,256,512", [128, 256, 512]), (" 1024 , 128MB,1024", [1024, 128])])
def test_parse_sizes(text: str, sizes: list[int]) -> None:
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize(("text", "message"), [("64", "Lambda takes 128 to 10,240 MB"),
                                                ("big", "whole megabytes separated by commas"),
                                                ("128,20000", "20000 MB")])
def test_parse_sizes_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sizes(text)
