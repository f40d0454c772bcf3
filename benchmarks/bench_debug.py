"""Debugger figures (issue 16): stop and step latency, and what capturing locals on error costs.

    python benchmarks/bench_debug.py [--rounds 30]

Prints, each against a baseline measured in the same run (A and B alternate):
1. engine: breakpoint() hit in the worker -> DebugStop in the consumer (first stop of an environment, with
   pdb's import, and later stops), and one 'n' step -> the next DebugStop;
2. UI: breakpoint() hit -> the debugger pane filled and refreshed; key 'n' -> the pane shows the next line
   (a real app under Textual's pilot, headless);
3. a failing invocation's worker-measured Duration with the locals capture (A) and without it
   (B, SVL_ERROR_LOCALS=0), and the same for a successful invocation (nothing is captured there).
Targets: pane < 300 ms after the stop, a step < 50 ms, capture < 5 ms on failure and nothing on success.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stats import precompile, row

from invokers.engine import Engine
from invokers.models import DebugStop, FunctionSpec, Result

STOPPING = """
import time
def handler(event, context):
    hit = time.perf_counter()
    breakpoint()
    step = event.get("n", 0) + 1
    return step
"""

FAILING = """
def handler(event, context):
    order = {"id": 7, "items": [{"sku": "a", "qty": 2}] * 20, "note": "x" * 500}
    total = sum(item["qty"] for item in order["items"])
    if event.get("fail"):
        raise ValueError(f"bad order {order['id']}: {total}")
    return total
"""


def _spec(folder: Path, name: str, code: str) -> FunctionSpec:
    (folder / name).mkdir()
    (folder / name / "app.py").write_text(textwrap.dedent(code))
    return FunctionSpec(name=name, source="svl.yaml", runtime=f"python3.{sys.version_info.minor}",
                        handler="app.handler", code_dir=str(folder / name), timeout_s=30)


def _hit(stop: DebugStop) -> float:
    return float(next(node["value"] for node in stop.locals if node["name"] == "hit"))


async def engine_latency(spec: FunctionSpec, rounds: int) -> tuple[list[float], list[float], list[float]]:
    """(first stop of a fresh environment, later stops, one step), seconds."""
    first: list[float] = []
    stops: list[float] = []
    steps: list[float] = []
    async with Engine() as engine:
        for index in range(rounds):
            if index % 10 == 0:
                await engine.recycle(spec.name)
            sent = 0.0
            async for update in engine.invoke(spec, {"n": index}, debug=True):
                if isinstance(update, DebugStop):
                    now = time.perf_counter()
                    if sent:
                        steps.append(now - sent)
                        engine.debug_send(update.request_id, "c")
                        continue
                    (first if index % 10 == 0 else stops).append(now - _hit(update))
                    sent = time.perf_counter()
                    engine.debug_send(update.request_id, "n")
                elif isinstance(update, Result):
                    assert update.ok, update.error
    return first, stops, steps


async def _painted(app: Any) -> float:
    """When the next screen refresh (the one that paints what just changed) is done."""
    painted: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: painted.done() or painted.set_result(time.perf_counter()))
    return await painted


async def ui_latency(folder: Path, rounds: int) -> tuple[list[float], list[float]]:
    """The real app: breakpoint hit -> pane painted; 'n' sent -> pane painted with the next line.

    Keys are sent by calling the pane's action (what the 'n' binding calls): the pilot's own key
    presses wait for the app to go idle, which would time the pilot, not svl-tui.
    """
    (folder / "svl.yaml").write_text("functions:\n  stopping:\n    runtime: python3.12\n"
                                     "    handler: stopping/app.handler\n    timeout: 30\n")
    from invokers.discovery import discover
    from tui.app import SvlApp
    from tui.widgets.debugger_panel import DebuggerPanel

    app = SvlApp(discover(folder))
    shown: list[float] = []
    stepped: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.main_screen
        screen.select("stopping")
        panel = screen.query_one(DebuggerPanel)
        for _ in range(rounds):
            done = len(screen.run_area.runs.get("stopping", []))
            screen.invoke()
            while panel.stop is None:
                await asyncio.sleep(0.001)
            shown.append(await _painted(app) - _hit(panel.stop))
            await pilot.pause()  # a person reads the stop first: step from a settled screen
            line = panel.stop.line
            sent = time.perf_counter()
            panel.action_send("n")
            while panel.stop is None or panel.waiting or panel.stop.line == line:
                await asyncio.sleep(0.001)
            stepped.append(await _painted(app) - sent)
            panel.action_send("c")
            while len(screen.run_area.runs.get("stopping", [])) <= done:
                await asyncio.sleep(0.005)
            await pilot.pause()
    return shown, stepped


async def capture_cost(spec: FunctionSpec, rounds: int) -> dict[str, list[float]]:
    """Worker-measured Duration (ms) of failing and successful invokes, with (A) and without (B) the capture."""
    durations: dict[str, list[float]] = {"fail A": [], "fail B": [], "ok A": [], "ok B": []}
    async with Engine() as with_capture, Engine(worker_env={"SVL_ERROR_LOCALS": "0"}) as without:
        engines = {"A": with_capture, "B": without}
        for engine in engines.values():  # warm both, including the capture module's first load
            await engine.invoke_collect(spec, {"fail": True})
        for _ in range(rounds):
            for kind, event in (("fail", {"fail": True}), ("ok", {})):
                for label in ("A", "B"):  # alternating, never all A then all B
                    _, result = await engines[label].invoke_collect(spec, event)
                    assert (result.status == "error") == (kind == "fail")
                    assert (result.error_locals is not None) == (kind == "fail" and label == "A")
                    durations[f"{kind} {label}"].append(result.duration_ms)
    return durations


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms (n={len(samples)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    precompile()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stopping = _spec(folder, "stopping", STOPPING)
        failing = _spec(folder, "failing", FAILING)
        first, stops, steps = asyncio.run(engine_latency(stopping, args.rounds))
        print("engine (breakpoint() in the worker -> DebugStop in the consumer)")
        row("first stop of a fresh environment (imports pdb)", ms(first))
        row("later stops", ms(stops))
        row("step ('n' sent -> next DebugStop)", ms(steps))
        shown, stepped = asyncio.run(ui_latency(folder, max(5, args.rounds // 3)))
        print("UI (the real app under Textual's pilot, headless; target: pane < 300 ms, step < 50 ms)")
        row("breakpoint() -> debugger pane painted", ms(shown))
        row("'n' -> pane painted with the next line", ms(stepped))
        durations = asyncio.run(capture_cost(failing, args.rounds))
        print("locals on error (worker-measured Duration; A with capture, B without; alternating)")
        for kind in ("fail", "ok"):
            a, b = statistics.median(durations[f"{kind} A"]), statistics.median(durations[f"{kind} B"])
            row(f"{'failing' if kind == 'fail' else 'successful'} invocation A / B",
                f"{a:.3f} / {b:.3f} ms (A - B = {a - b:+.3f} ms, ratio {a / b:.2f})")


if __name__ == "__main__":
    main()
