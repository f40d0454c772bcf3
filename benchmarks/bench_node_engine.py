"""Engine figures for a trivial Node.js handler (issue: Node.js runtime).

    npm install --prefix benchmarks        # lambda-local, the peer
    python benchmarks/bench_node_engine.py [--invokes 1000] [--runs 15]

Prints, each against a baseline measured in the same run:
1. warm invoke overhead: engine.invoke median minus the handler's own median
   (the same handler awaited 1,000 times inside one node process);
2. whole-process ``svl-tui invoke`` vs ``lambda-local`` (npm) on the same handler and event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import compare_processes, median_ms, precompile, row  # noqa: E402

from invokers.discovery import discover  # noqa: E402
from invokers.engine import Engine  # noqa: E402

FIXTURE = HERE / "fixtures" / "trivial-node"
DIRECT = """
const { handler } = require(process.argv[1]);
(async () => {
  const samples = [];
  for (let i = 0; i < Number(process.argv[2]); i++) {
    const start = process.hrtime.bigint();
    await handler({ n: 1 }, {});
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(JSON.stringify(samples));
})();
"""


def direct_samples(invokes: int) -> list[float]:
    done = subprocess.run(["node", "-e", DIRECT, str(FIXTURE / "index.js"), str(invokes)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


async def engine_samples(invokes: int) -> list[float]:
    spec = discover(FIXTURE).get("trivial-node")
    assert spec is not None
    samples = []
    async with Engine() as engine:
        await engine.invoke_collect(spec, {"n": 1})
        for _ in range(invokes):
            start = time.perf_counter()
            _, result = await engine.invoke_collect(spec, {"n": 1})
            samples.append(time.perf_counter() - start)
        assert result.ok
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invokes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    precompile()
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"node {version}, trivial async handler, {args.invokes} warm invokes, {args.runs} runs")

    direct = direct_samples(args.invokes)
    warm = asyncio.run(engine_samples(args.invokes))
    print("1. Warm invoke through the engine API")
    row("handler's own time median (in one node process)", f"{median_ms(direct):.4f} ms")
    row("engine.invoke median (warm)", f"{median_ms(warm):.3f} ms")
    row("overhead (target < 2 ms)", f"{median_ms(warm) - median_ms(direct):.3f} ms")

    print("2. Whole process, same handler and event")
    svl = shutil.which("svl-tui") or str(Path(sys.executable).with_name("svl-tui"))
    peer = HERE / "node_modules" / ".bin" / "lambda-local"
    compare_processes([svl, "invoke", "trivial-node", "--event", "event.json", "-q"],
                      [str(peer), "-l", "index.js", "-h", "handler", "-e", "event.json"] if peer.exists() else None,
                      "lambda-local", "npm install --prefix benchmarks", args.runs, FIXTURE)

if __name__ == "__main__":
    main()
