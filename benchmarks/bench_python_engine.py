"""Engine figures for a trivial Python handler (issue: engine foundation).

    python benchmarks/bench_python_engine.py [--invokes 1000] [--runs 15]

Prints, each against a baseline measured in the same run:
1. warm invoke overhead: engine.invoke median minus a direct in-process call median;
2. cold start: a fresh environment's first invoke, minus a bare ``python -c pass``;
3. whole-process ``svl-tui invoke`` vs ``python-lambda-local`` (pip install '.[bench]').
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stats import compare_processes, median_ms, precompile, row, time_calls, time_command

from invokers.discovery import discover
from invokers.engine import Engine

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "trivial"


def direct_call_samples(runs: int) -> list[float]:
    spec = importlib.util.spec_from_file_location("trivial_app", FIXTURE / "app.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return time_calls(lambda: module.handler({"n": 1}, None), runs)


async def engine_samples(invokes: int, colds: int) -> tuple[list[float], list[float]]:
    spec = discover(FIXTURE).get("trivial")
    assert spec is not None
    warm: list[float] = []
    cold: list[float] = []
    async with Engine() as engine:
        await engine.invoke_collect(spec, {"n": 1})
        for _ in range(invokes):
            start = time.perf_counter()
            await engine.invoke_collect(spec, {"n": 1})
            warm.append(time.perf_counter() - start)
        for _ in range(colds):
            await engine.recycle(spec.name)
            start = time.perf_counter()
            _, result = await engine.invoke_collect(spec, {"n": 1})
            cold.append(time.perf_counter() - start)
            assert result.cold and result.ok
    return warm, cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invokes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    precompile()

    print(f"Python {sys.version.split()[0]}, trivial handler, {args.invokes} warm invokes, {args.runs} runs")
    direct = direct_call_samples(args.invokes)
    warm, cold = asyncio.run(engine_samples(args.invokes, args.runs))
    print("1. Warm invoke through the engine API")
    row("direct call median", f"{median_ms(direct):.4f} ms")
    row("engine.invoke median (warm)", f"{median_ms(warm):.3f} ms")
    row("overhead (target < 1 ms)", f"{median_ms(warm) - median_ms(direct):.3f} ms")

    bare = time_command([sys.executable, "-c", "pass"], args.runs)
    print("2. Cold start")
    row("bare `python -c pass` median", f"{median_ms(bare):.1f} ms")
    row("cold invoke through the engine median", f"{median_ms(cold):.1f} ms")
    row("difference (target < 60 ms)", f"{median_ms(cold) - median_ms(bare):.1f} ms")

    print("3. Whole process, same handler and event")
    svl = shutil.which("svl-tui") or str(Path(sys.executable).with_name("svl-tui"))
    peer = shutil.which("python-lambda-local") or str(Path(sys.executable).with_name("python-lambda-local"))
    compare_processes([svl, "invoke", "trivial", "--event", "event.json", "-q"],
                      [peer, "-f", "handler", "app.py", "event.json"] if Path(peer).exists() else None,
                      "python-lambda-local", "pip install -e '.[bench]'", args.runs, FIXTURE)

if __name__ == "__main__":
    main()
