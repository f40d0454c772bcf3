"""Metrics view figures (issue #15's target: the view over 10,000 recorded invocations opens in < 200 ms).

    python benchmarks/bench_metrics.py [--runs 10000] [--rounds 7]

Seeds a project's history with --runs recorded invocations, then alternately
(A, B, A, B ...) measures in the real app (Textual pilot, headless, 140x45):

A. the metrics view: read the history, compute the figures, lay out and draw
   the screen with its charts (from the key press to the screen's first paint);
B. the help screen, a static modal screen: the cost of opening any screen.

and, outside the UI, the engine's part alone: ``History.load`` + ``metrics.compute``.

Each figure is given as wall time and as the CPU time of the thread that does it (the UI
thread: background threads such as the file watcher are left out): on a shared machine (load
above the core count) the wall time mostly measures waiting for a core, the CPU time is what
the work itself cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(root: Path, count: int) -> None:
    from invokers.history import History
    from invokers.models import FunctionSpec, Result

    (root / "svl.yaml").write_text("functions:\n  orders:\n    runtime: python3.12\n    handler: app.handler\n"
                                   "    memory_mb: 512\n")
    (root / "app.py").write_text("def handler(event, context):\n    return event\n")
    history = History.for_project(root)
    spec = FunctionSpec(name="orders", source="svl.yaml", runtime="python3.12", handler="app.handler", memory_mb=512)
    event = {"httpMethod": "GET", "path": "/orders/1", "headers": {"Accept": "application/json"}, "body": None}
    for number in range(count):
        failed = number % 97 == 0
        history.record(Result(
            request_id=f"{number:08d}-0000-4000-8000-000000000000", function="orders",
            status="error" if failed else "ok", cold=number % 50 == 0, duration_ms=5 + (number * 7919) % 300 / 10,
            billed_ms=40, memory_mb=512, max_memory_mb=60 + number % 40, init_ms=180.0 if number % 50 == 0 else None,
            cost_usd=5e-7, error={"errorType": "ValueError", "errorMessage": "bad"} if failed else None,
            response=None if failed else {"statusCode": 200, "body": "{}"}, started_at=1.7e9 + number), event, spec)


Samples = list[tuple[float, float]]
"""(wall ms, CPU ms) per measurement."""


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.thread_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    return (time.perf_counter() - start[0]) * 1000, (time.thread_time() - start[1]) * 1000


async def measure(root: Path, rounds: int) -> tuple[Samples, Samples]:
    from invokers.discovery import discover
    from tui.app import SvlApp
    from tui.screens.help import HelpScreen
    from tui.screens.metrics import MetricsScreen

    app = SvlApp(discover(root))
    metrics_ms: Samples = []
    help_ms: Samples = []
    async with app.run_test(size=(140, 45)) as pilot:
        app.main_screen.select("orders")
        await pilot.pause()
        for _ in range(rounds):
            for target, samples in ((MetricsScreen, metrics_ms), (HelpScreen, help_ms)):
                painted = asyncio.Event()
                start = clock()
                if target is MetricsScreen:
                    app.action_show_metrics()
                else:
                    app.push_screen(HelpScreen({}))
                screen = app.screen
                assert isinstance(screen, target)
                screen.call_after_refresh(painted.set)  # runs once the screen has been laid out and drawn
                await painted.wait()
                samples.append(since(start))
                app.pop_screen()
                await pilot.pause()
    return metrics_ms, help_ms


def engine_only(root: Path, rounds: int) -> Samples:
    from invokers.history import History
    from invokers.metrics import compute

    samples = []
    for _ in range(rounds):
        start = clock()
        runs = History.for_project(root).load("orders", payloads=False)
        compute(runs, memory_mb=512, rate_per_second=50)
        samples.append(since(start))
    return samples


def describe(samples: Samples) -> str:
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    return (f"median {statistics.median(wall):.1f} ms wall (min {min(wall):.1f}, max {max(wall):.1f}), "
            f"{statistics.median(cpu):.1f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        seed(root, args.runs)
        size = sum(path.stat().st_size for path in (root / ".svl" / "history").iterdir())
        print(f"history: {args.runs:,} runs, {size / 1024 / 1024:.1f} MiB on disk")
        engine = engine_only(root, args.rounds)
        metrics_ms, help_ms = asyncio.run(measure(root, args.rounds))
    print(f"load + compute (engine only): {describe(engine)}")
    print(f"A metrics view over {args.runs:,} runs (target < 200 ms): {describe(metrics_ms)}")
    print(f"B help screen (baseline): {describe(help_ms)}")
    ratio = statistics.median(w for w, _ in metrics_ms) / statistics.median(w for w, _ in help_ms)
    cpu_ratio = statistics.median(c for _, c in metrics_ms) / statistics.median(c for _, c in help_ms)
    print(f"A / B: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU")
    print(f"load average at the end: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
