"""Power tuning a deployed function: run it at a few memory sizes, chart cost and duration against memory.

What AWS Lambda Power Tuning does, without Step Functions: for each size, set
the function's memory, publish a version with it (so every invoke of that size
hits exactly that configuration, the first one a cold start), invoke the
version N times, and read Lambda's own REPORT figures from the log tail. When
it ends, however it ends (done, an AWS error, an invoke that raises, ctrl+c),
the original memory size is put back and the versions it published are
deleted: ``finally`` blocks that call AWS synchronously, so a cancelled task
still restores. The caller asks the user first (``svl-tui tune`` unless
``--yes``); this module changes the function only when called.

Figures per size: the median and p95 of Duration (warm runs: the first run of a
new version is a cold start and is counted apart), the mean billed duration,
and the cost per invocation and per million at Lambda's prices for that size.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import pricing
from ..burst import percentile
from ..models import FunctionSpec, Result, Update
from .session import Aws, AwsError, explain

log = logging.getLogger("svl.tune")

Invoker = Callable[[FunctionSpec, Any, str], AsyncIterator[Update]]
"""(spec, event, qualifier) -> the invocation's stream: ``deployed.invoke`` unless a test gives another."""

MIN_MB, MAX_MB = 128, 10_240
UPDATE_WAIT_S = 60.0


@dataclass
class SizeFigures:
    """What ``count`` invocations at ``memory_mb`` measured."""

    memory_mb: int
    count: int = 0
    errors: int = 0
    cold_starts: int = 0
    duration_p50_ms: float | None = None
    duration_p95_ms: float | None = None
    billed_mean_ms: float | None = None
    max_memory_used_mb: int = 0
    cost_per_invocation_usd: float | None = None
    cost_per_million_usd: float | None = None
    error_types: list[str] = field(default_factory=list)


@dataclass
class TuneReport:
    function: str
    original_memory_mb: int
    sizes: list[SizeFigures] = field(default_factory=list)
    restored: bool = False
    cleanup_problems: list[str] = field(default_factory=list)
    cheapest_mb: int | None = None
    fastest_mb: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TuneFailed(AwsError):
    """The tuning run stopped on an error; ``report`` says what was measured and whether the memory was restored."""

    def __init__(self, report: TuneReport, cause: Exception) -> None:
        state = (f"memory restored to {report.original_memory_mb} MB" if report.restored
                 else "; ".join(report.cleanup_problems))
        super().__init__(cause.kind if isinstance(cause, AwsError) else "aws", f"tuning stopped: {cause} ({state})")
        self.report = report


def parse_sizes(text: str) -> list[int]:
    """``128,256,512`` -> sizes in MB, each within Lambda's 128..10,240; ValueError saying what is wrong."""
    sizes: list[int] = []
    for part in text.split(","):
        part = part.strip().lower().removesuffix("mb").strip()
        if not part.isdigit():
            raise ValueError(f"memory sizes {text!r}: give whole megabytes separated by commas, e.g. 128,256,512")
        size = int(part)
        if not MIN_MB <= size <= MAX_MB:
            raise ValueError(f"memory size {size} MB: Lambda takes {MIN_MB} to {MAX_MB:,} MB")
        if size not in sizes:
            sizes.append(size)
    if not sizes:
        raise ValueError("no memory sizes given")
    return sizes


def figures(memory_mb: int, results: list[Result], region: str, architecture: str) -> SizeFigures:
    """One size's figures from its Results (durations of warm runs; a size with only cold runs uses those)."""
    found = SizeFigures(memory_mb, count=len(results))
    found.errors = sum(not result.ok for result in results)
    found.cold_starts = sum(result.cold for result in results)
    found.error_types = sorted({str((r.error or {}).get("errorType", r.status)) for r in results if not r.ok})
    ran = [result for result in results if result.billed_ms > 0]
    warm = [result.duration_ms for result in ran if not result.cold] or [result.duration_ms for result in ran]
    found.duration_p50_ms, found.duration_p95_ms = percentile(warm, 50), percentile(warm, 95)
    if ran:
        found.billed_mean_ms = round(sum(result.billed_ms for result in ran) / len(ran), 3)
        found.max_memory_used_mb = max(result.max_memory_mb for result in ran)
        cost = sum(pricing.cost_usd(result.billed_ms, memory_mb, region, architecture) for result in ran) / len(ran)
        found.cost_per_invocation_usd = cost
        found.cost_per_million_usd = cost * 1_000_000
    return found


async def tune(aws: Aws, spec: FunctionSpec, sizes: list[int], count: int, event: Any, *,
               invoker: Invoker | None = None, on_progress: Callable[[int, int, Result], None] | None = None,
               ) -> TuneReport:
    """Invoke ``spec`` ``count`` times at each of ``sizes`` MB and restore its configuration (see module doc)."""
    if count < 1:
        raise ValueError(f"-n {count}: invoke at least once per size")
    if invoker is None:
        from .deployed import invoke as deployed_invoke

        def invoker(target: FunctionSpec, payload: Any, qualifier: str) -> AsyncIterator[Update]:
            return deployed_invoke(aws, target, payload, qualifier=qualifier)

    client = aws.client("lambda")
    name = spec.arn or spec.name
    try:
        original = await asyncio.to_thread(client.get_function_configuration, FunctionName=name)
    except Exception as exc:
        raise explain(exc, f"read the configuration of {spec.name}") from exc
    report = TuneReport(spec.name, int(original.get("MemorySize", spec.memory_mb)))
    published: list[str] = []
    region = spec.region or aws.region
    try:
        await _run_sizes(client, name, spec, sizes, count, event, invoker, on_progress, report, published, region)
    except Exception as exc:
        raise TuneFailed(report, exc) from exc
    priced = [size for size in report.sizes if size.cost_per_invocation_usd is not None and not size.errors]
    if priced:
        report.cheapest_mb = min(priced, key=lambda size: size.cost_per_invocation_usd or 0.0).memory_mb
        report.fastest_mb = min(priced, key=lambda size: size.duration_p50_ms or 0.0).memory_mb
    return report


async def _run_sizes(client: Any, name: str, spec: FunctionSpec, sizes: list[int], count: int, event: Any,
                     invoker: Invoker, on_progress: Callable[[int, int, Result], None] | None, report: TuneReport,
                     published: list[str], region: str) -> None:
    try:
        for memory in sizes:
            version = await asyncio.to_thread(_publish_with_memory, client, name, memory)
            published.append(version)
            results: list[Result] = []
            for index in range(count):
                async for update in invoker(spec, event, version):
                    if isinstance(update, Result):
                        results.append(update)
                        if on_progress is not None:
                            on_progress(memory, index + 1, update)
            report.sizes.append(figures(memory, results, region, spec.architecture))
    finally:
        _restore(client, name, report, published)


def _publish_with_memory(client: Any, name: str, memory: int) -> str:
    """Set $LATEST's memory, wait for the update, publish a version of it: the version's number."""
    try:
        client.update_function_configuration(FunctionName=name, MemorySize=memory)
        _wait_updated(client, name)
        return str(client.publish_version(FunctionName=name, Description=f"svl-tui tune {memory} MB")["Version"])
    except Exception as exc:
        raise explain(exc, f"set the memory of {name} to {memory} MB") from exc


def _wait_updated(client: Any, name: str) -> None:
    """Lambda applies a configuration change asynchronously: wait until it says Successful."""
    deadline = time.monotonic() + UPDATE_WAIT_S
    while True:
        state = client.get_function_configuration(FunctionName=name)
        status = state.get("LastUpdateStatus", "Successful")
        if status == "Successful":
            return
        if status == "Failed" or time.monotonic() > deadline:
            reason = state.get("LastUpdateStatusReason", "")
            raise AwsError("aws", f"the configuration update of {name} did not succeed ({status}) {reason}".strip())
        time.sleep(0.5)


def _restore(client: Any, name: str, report: TuneReport, published: list[str]) -> None:
    """Put the original memory back and delete the versions this run published; synchronous on purpose
    (it runs in ``finally``, also when the task was cancelled). Problems are recorded, never raised over the
    error that got us here."""
    try:
        client.update_function_configuration(FunctionName=name, MemorySize=report.original_memory_mb)
        _wait_updated(client, name)
        report.restored = True
    except Exception as exc:  # noqa: BLE001 - any failure here must be reported, not hide the first one
        report.cleanup_problems.append(f"could not restore {report.original_memory_mb} MB: "
                                       f"{explain(exc, f'restore the memory of {name}')} — set it back by hand")
    for version in published:
        try:
            client.delete_function(FunctionName=name, Qualifier=version)
        except Exception as exc:  # noqa: BLE001
            report.cleanup_problems.append(f"could not delete version {version}: {explain(exc, 'delete a version')}")
    for problem in report.cleanup_problems:  # also said when the run was cancelled and the report is lost
        log.error("%s: %s", name, problem)
