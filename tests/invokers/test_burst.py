"""Bursts: N invocations, C at a time, summarised with cold starts, throttles and percentiles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from invokers.burst import burst, percentile
from invokers.engine import Engine
from invokers.pool import Limits
from tests.conftest import MakeFunction

SLOW = """
import time
def handler(event, context):
    time.sleep(0.15)
    if event.get("fail"):
        raise KeyError("x")
    return 1
"""


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) is None


async def test_burst_scales_out_then_reuses_environments(make_function: MakeFunction) -> None:
    spec = make_function(SLOW)
    async with Engine() as engine:
        report = await burst(engine, spec, {}, repeat=8, concurrency=4)
    assert (report.ok, report.errors, report.throttled) == (8, 0, 0)
    assert report.cold_starts == 4  # four environments, each reused once
    assert report.p50_ms is not None and report.p99_ms is not None and 140 < report.p50_ms <= report.p99_ms


async def test_burst_beyond_the_account_limit_is_throttled(make_function: MakeFunction) -> None:
    spec = make_function(SLOW)
    async with Engine(limits=Limits(account=2)) as engine:
        report = await burst(engine, spec, {"fail": True}, repeat=5, concurrency=5)
    assert report.throttled == 3 and report.errors == 2 and report.error_types == {"KeyError": 2}


async def test_burst_refuses_nonsense(engine: Engine, make_function: MakeFunction) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await burst(engine, make_function(SLOW), {}, repeat=0, concurrency=1)


def test_cli_burst_prints_the_summary_and_json(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SLOW)
    (tmp_path / "svl.yaml").write_text("functions:\n  slow:\n    handler: app.handler\n")
    command = [sys.executable, "-m", "tui.entry", "invoke", "slow", "--repeat", "6", "--concurrency", "3"]
    shown = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "6 invocations of slow, 3 at a time: 6 ok, 0 errors, 0 throttled, 3 cold starts" in shown.stderr
    assert "duration p50 " in shown.stderr and " p99 " in shown.stderr
    as_json = subprocess.run([*command, "--account-concurrency", "2", "--json"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and report["throttled"] >= 1 and report["ok"] + report["throttled"] == 6
