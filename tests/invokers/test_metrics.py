"""Metrics against figures computed by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from invokers.history import Recorded
from invokers.metrics import SECONDS_PER_MONTH, buckets, compute, from_result, parse_rate
from invokers.models import Result
from tests.files import write
from tests.invokers.test_cli import svl


def run(number: int, duration: float, *, cold_init: float | None = None, error: str = "", memory: int = 512,
        peak: int = 100, cost: float = 2e-6, billed: int | None = None) -> Recorded:
    status = "ok" if not error else "timeout" if error == "Sandbox.Timedout" else "error"
    return Recorded(function="orders", request_id=f"r{number}", timestamp=1000.0 + number, status=status,
                    cold=cold_init is not None, init_ms=cold_init, duration_ms=duration,
                    billed_ms=billed if billed is not None else int(duration + (cold_init or 0)),
                    max_memory_mb=peak, memory_mb=memory, cost=cost,
                    error={"errorType": error, "errorMessage": "x"} if error else None)


def sample() -> list[Recorded]:
    runs = [run(0, 100, cold_init=200, cost=5e-6), run(1, 20), run(2, 30), run(3, 40, error="ValueError"),
            run(4, 50), run(5, 60, cold_init=300, cost=5e-6), run(6, 70), run(7, 80, error="Sandbox.Timedout"),
            run(8, 90), run(9, 10)]
    throttled = run(10, 0, error="TooManyRequestsException", cost=3e-6, peak=0)
    return [*runs, throttled]


def test_counts_rates_and_percentiles() -> None:
    stats = compute(sample())
    assert (stats.function, stats.count, stats.ok, stats.errors, stats.throttles) == ("orders", 11, 8, 2, 1)
    assert stats.error_rate == pytest.approx(3 / 11, abs=1e-6)
    assert (stats.cold_starts, stats.cold_ratio) == (2, 0.2)  # of the 10 runs that ran
    # nearest rank over 10,20,...,100: p50 = 5th, p95 = p99 = 10th
    assert (stats.duration_p50_ms, stats.duration_p95_ms, stats.duration_p99_ms) == (50, 100, 100)
    assert (stats.duration_mean_ms, stats.duration_max_ms) == (55, 100)
    assert (stats.init_p50_ms, stats.init_p95_ms, stats.init_p99_ms) == (200, 300, 300)
    assert (stats.max_memory_mb, stats.memory_mb) == (100, 512)
    assert (stats.billed_ms_total, stats.billed_ms_mean) == (1050, 105)  # 550 ms of duration + 500 of init
    assert stats.error_types == {"ValueError": 1, "Sandbox.Timedout": 1}
    assert (stats.first_at, stats.last_at) == (1000.0, 1010.0)


def test_cost_per_invocation_per_million_and_monthly_projection() -> None:
    stats = compute(sample(), rate_per_second=parse_rate("50/s"))
    assert stats.cost_total_usd == pytest.approx(26e-6)  # 8 x 2e-6 + 2 x 5e-6; the throttled one is not billed
    assert stats.cost_per_invocation_usd == pytest.approx(2.6e-6)
    assert stats.cost_per_million_usd == pytest.approx(2.6)
    projection = stats.projection
    assert projection is not None
    assert projection.requests_per_month == 131_400_000  # 50/s over 730 hours
    assert projection.cost_per_month_usd == pytest.approx(341.64)
    assert projection.request_fees_usd == pytest.approx(26.28)  # $0.20 per million
    assert projection.compute_usd == pytest.approx(315.36)


def test_wasteful_memory_is_said_with_a_size_and_a_monthly_saving() -> None:
    stats = compute(sample(), rate_per_second=50)
    advice = stats.advice
    assert advice is not None
    assert (advice.verdict, advice.configured_mb, advice.peak_mb, advice.suggested_mb) == ("wasteful", 512, 100, 192)
    assert advice.used_share == pytest.approx(100 / 512, abs=1e-4)
    assert "wasteful: peak 100 MB is 20% of 512 MB" in advice.message and "192 MB would do" in advice.message
    assert not advice.tentative
    # (512 - 192) MB at 105 ms mean billed, 131.4 M requests, $0.0000166667 per GB-s
    assert advice.monthly_saving_usd == pytest.approx(320 / 1024 * 0.105 * 131_400_000 * 0.0000166667)


def test_tight_memory_and_out_of_memory() -> None:
    tight = compute([run(n, 10, memory=128, peak=120) for n in range(6)]).advice
    assert tight is not None
    assert (tight.verdict, tight.suggested_mb) == ("tight", 192)  # 120 x 1.5 = 180, up to 64 MB steps
    assert "94% of 128 MB" in tight.message
    crashed = compute([run(0, 10, memory=128, peak=90), run(1, 10, memory=128, peak=128,
                                                           error="Runtime.OutOfMemory")]).advice
    assert crashed is not None
    assert (crashed.verdict, crashed.suggested_mb, crashed.tentative) == ("tight", 192, True)
    assert "1 run(s) ran out of memory" in crashed.message and "tentative: 2 run(s)" in crashed.message


def test_right_sized_memory_and_cpu_bound_caveat() -> None:
    fine = compute([run(n, 10, memory=256, peak=150) for n in range(5)]).advice
    assert fine is not None and (fine.verdict, fine.suggested_mb) == ("ok", None)
    slow = compute([run(n, 400, memory=1024, peak=100) for n in range(5)]).advice
    assert slow is not None and slow.verdict == "wasteful"
    assert "CPU shrinks with memory" in slow.message and "svl-tui tune" in slow.message
    smallest = compute([run(n, 10, memory=128, peak=20) for n in range(5)]).advice
    assert smallest is not None and smallest.verdict == "ok"  # 128 MB is Lambda's least: nothing to save


def test_configured_size_from_the_project_wins_over_the_recorded_one() -> None:
    stats = compute([run(n, 10, memory=512, peak=100) for n in range(5)], memory_mb=128)
    assert stats.memory_mb == 128 and stats.advice is not None and stats.advice.verdict == "ok"


def test_no_runs() -> None:
    stats = compute([], function="orders", rate_per_second=1)
    assert (stats.count, stats.error_rate, stats.duration_p50_ms, stats.cost_per_invocation_usd) == (0, 0, None, None)
    assert stats.projection is None and stats.advice is not None and stats.advice.verdict == "unknown"


@pytest.mark.parametrize(("text", "per_second"), [
    ("50/s", 50), ("3000/min", 50), ("36000 per hour", 10), ("1.5k/day", 1500 / 86_400),
    ("2M/month", 2_000_000 / SECONDS_PER_MONTH), ("0.5/sec", 0.5)])
def test_parse_rate(text: str, per_second: float) -> None:
    assert math.isclose(parse_rate(text), per_second)


@pytest.mark.parametrize("text", ["fast", "50", "0/s", "-1/s", "10/fortnight"])
def test_parse_rate_rejects_with_the_forms_it_takes(text: str) -> None:
    with pytest.raises(ValueError, match=r"request rate .*(e\.g\. 50/s|more than zero)"):
        parse_rate(text)


def test_buckets_show_error_bursts() -> None:
    runs = [run(n, 10, error="ValueError" if 6 <= n <= 8 else "", cold_init=50 if n == 0 else None)
            for n in range(10)]
    slices = buckets(runs, 3)  # 1000..1009 in three 3-second slices
    assert [(s.count, s.errors, s.cold) for s in slices] == [(3, 0, 1), (3, 0, 0), (4, 3, 0)]
    assert buckets([], 3) == []


def test_from_result_keeps_the_figures() -> None:
    result = Result(request_id="a", function="f", status="ok", cold=True, duration_ms=5.5, billed_ms=106,
                    memory_mb=256, max_memory_mb=70, init_ms=100.2, cost_usd=1e-6, response={"x": 1},
                    started_at=12.0)
    recorded = from_result(result)
    assert (recorded.duration_ms, recorded.init_ms, recorded.billed_ms, recorded.cost, recorded.timestamp) == \
        (5.5, 100.2, 106, 1e-6, 12.0)
    assert recorded.response == {"x": 1} and recorded.memory_mb == 256 and recorded.source == "local"


def test_stats_command_over_recorded_runs(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", """
        functions:
          flaky:
            runtime: python3.12
            handler: app.handler
            memory_mb: 1024
    """)
    write(tmp_path, "app.py", """
        def handler(event, context):
            if event.get("fail"):
                raise KeyError("missing")
            return {"ok": True}
    """)
    for data in ('{}', '{"fail": 1}', '{}'):
        assert svl("invoke", "flaky", "--data", data, "-q", cwd=tmp_path).returncode in (0, 1)
    done = svl("stats", "flaky", "--rate", "2M/month", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("flaky: 3 runs from ")
    rows = {line.split("  ")[1]: line.split("  ", 2)[2].strip() for line in lines[1:-1]}
    assert rows["errors"] == "1 (33.33%) · KeyError ×1"
    assert rows["cold starts"].startswith("3 (100.0%) · init p50 ")  # each CLI invoke is a new environment
    assert rows["at 2,000,000/month"].startswith("2,000,000 requests a month: $")
    assert "memory advice: wasteful: peak " in done.stdout and "of 1024 MB" in done.stdout
    document = json.loads(svl("stats", "flaky", "--json", "--last", "2", cwd=tmp_path).stdout)
    assert (document["count"], document["errors"], document["memory_mb"]) == (2, 1, 1024)
    assert document["advice"]["verdict"] == "wasteful" and document["advice"]["suggested_mb"] == 128


def test_stats_command_errors_name_the_fix(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", """
        functions:
          quiet:
            runtime: python3.12
            handler: app.handler
    """)
    write(tmp_path, "app.py", "def handler(event, context):\n    return 1\n")
    none_yet = svl("stats", "quiet", cwd=tmp_path)
    assert none_yet.returncode == 0 and "quiet: no recorded runs yet" in none_yet.stdout
    unknown = svl("stats", "loud", cwd=tmp_path)
    assert unknown.returncode == 2 and "no recorded runs of 'loud'" in unknown.stderr
    bad_rate = svl("stats", "quiet", "--rate", "lots", cwd=tmp_path)
    assert bad_rate.returncode == 2 and "--rate: request rate 'lots'" in bad_rate.stderr
