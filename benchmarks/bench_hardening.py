"""Hardening figures (issue 18): a million printed lines, and memory over a long warm soak.

    python benchmarks/bench_hardening.py [--lines 1000000] [--runs 3] [--soak 20000] [--warm-up 10000]
        (0 skips a part)
        [--only node] [--node-options "--max-semi-space-size=1"]   (one function; V8 flags for the Node worker)

Prints, each against a baseline measured in the same run:
1. a handler printing ``--lines`` lines: its Duration under ``svl-tui invoke`` (text and ``--json``) vs the
   same handler under ``python-lambda-local`` (pip install '.[bench]'), runs alternating A, B, A, B;
   and the peak memory of the ``svl-tui`` process (target < 64 MB with and without ``--json``);
2. a soak of ``--soak`` warm invokes of a Python and a Node function after ``--warm-up`` invokes: the memory
   of the engine and of each worker at invoke ``--warm-up`` (the base) and at the end (target: < 5 % growth),
   the growth from invoke 2,000 as well, and the worker's memory along the way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stats import precompile, row

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from invokers.engine import Engine  # noqa: E402
from invokers.models import FunctionSpec  # noqa: E402
from invokers.processes import memory_kb  # noqa: E402

PRINTER = '''\
def handler(event, context):
    for i in range(event["lines"]):
        print(f"line {i} of the benchmark")
    return {"printed": event["lines"]}
'''
NODE_HANDLER = "exports.handler = async (event) => ({ n: event.n, ok: true });\n"
PY_HANDLER = "def handler(event, context):\n    return {'n': event['n'], 'ok': True}\n"


class PeakWatcher:
    """Polls a process's high-water mark (VmHWM, else RSS) until it exits: its peak memory in KiB."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            rss, hwm = memory_kb(self.pid)
            if not rss:
                return
            self.peak_kb = max(self.peak_kb, rss, hwm)
            time.sleep(0.005)

    def join(self) -> int:
        self._thread.join(5)
        return self.peak_kb


def run_svl(folder: Path, lines: int, as_json: bool) -> tuple[float, int]:
    """(Duration ms, peak KiB of the svl-tui process) for one whole-process invoke, its output drained."""
    command = [sys.executable, "-m", "tui.entry", "invoke", "printer", "--data", json.dumps({"lines": lines})]
    command += ["--json"] if as_json else []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=folder, stdout=out, stderr=err,
                                   env={**os.environ, "PYTHONPATH": str(REPO)})
        watcher = PeakWatcher(process.pid)
        process.wait()
        peak = watcher.join()
        out.seek(0)
        err.seek(0)
        if as_json:
            document = json.load(out)
            return document["duration_ms"], peak
        found = re.findall(rb"\tDuration: ([\d.]+) ms", err.read())
        return float(found[-1]), peak


def run_peer(peer: str, folder: Path, lines: int) -> float:
    """Duration ms of the same handler under python-lambda-local (its output drained the same way)."""
    event = folder / "event.json"
    event.write_text(json.dumps({"lines": lines}))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        subprocess.run([peer, "-f", "handler", "-t", "600", str(folder / "app.py"), str(event)], cwd=folder,
                       stdout=out, stderr=err, check=True)
        out.seek(0)
        err.seek(0)
        return float(re.findall(rb"Duration: ([\d.]+) ms", out.read() + err.read())[-1])  # its log goes to stdout


def printed_lines(lines: int, runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="svl-bench-lines-"))
    (folder / "app.py").write_text(PRINTER)
    (folder / "svl.yaml").write_text("functions:\n  printer:\n    handler: app.handler\n    timeout: 600\n")
    peer = shutil.which("python-lambda-local") or str(Path(sys.executable).parent / "python-lambda-local")
    has_peer = Path(peer).exists()
    text: list[tuple[float, int]] = []
    as_json: list[tuple[float, int]] = []
    theirs: list[float] = []
    for _ in range(runs):  # alternating: svl-tui text, svl-tui --json, python-lambda-local
        text.append(run_svl(folder, lines, as_json=False))
        as_json.append(run_svl(folder, lines, as_json=True))
        if has_peer:
            theirs.append(run_peer(peer, folder, lines))
    median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
    print(f"{lines:,} printed lines, {runs} alternating runs (medians)")
    row("svl-tui invoke: handler Duration", f"{median([d for d, _ in text]):.0f} ms")
    row("svl-tui invoke --json: handler Duration", f"{median([d for d, _ in as_json]):.0f} ms")
    if has_peer:
        row("python-lambda-local: handler Duration", f"{median(theirs):.0f} ms")
        row("ratio svl-tui / python-lambda-local (target <= 1.3)",
            f"{median([d for d, _ in text]) / median(theirs):.2f}x (--json: "
            f"{median([d for d, _ in as_json]) / median(theirs):.2f}x)")
    else:
        row("python-lambda-local", "not installed: pip install -e '.[bench]'")
    row("svl-tui process peak memory (target < 64 MB)", f"{max(p for _, p in text) / 1024:.1f} MB")
    row("svl-tui --json process peak memory (target < 64 MB)", f"{max(p for _, p in as_json) / 1024:.1f} MB")
    shutil.rmtree(folder, ignore_errors=True)


async def soak(invokes: int, node_options: str = "", only: str = "", warm_up: int = 10_000) -> None:
    """``warm_up`` invokes, then ``invokes`` more; memory sampled every 1,000 (the worker's RSS from /proc).

    The base is the sample at invoke ``warm_up``: a Node worker's V8 sizes its old generation in steps over
    its first ~10,000 invokes of this loop (old space 7 -> 11.7 MB, then flat for 30,000 more); what matters
    is that nothing grows after that. The growth from invoke 2,000 is printed as well, so both are visible."""
    folder = Path(tempfile.mkdtemp(prefix="svl-bench-soak-"))
    (folder / "app.py").write_text(PY_HANDLER)
    (folder / "index.js").write_text(NODE_HANDLER)
    specs = [FunctionSpec(name="py", source="svl.yaml", runtime="python3.12", handler="app.handler",
                          code_dir=str(folder)),
             FunctionSpec(name="node", source="svl.yaml", runtime="nodejs20.x", handler="index.handler",
                          code_dir=str(folder))]
    specs = [spec for spec in specs if not only or spec.name == only]
    total = warm_up + invokes
    print(f"soak: {invokes:,} warm invokes per function after {warm_up:,} to warm up (base: invoke {warm_up:,})"
          + (f"; node with NODE_OPTIONS={node_options!r}" if node_options else ""))
    growth = lambda a, b: f"{a / 1024:.1f} -> {b / 1024:.1f} MB ({(b - a) / a * 100:+.1f} %)"  # noqa: E731
    async with Engine(worker_env={"NODE_OPTIONS": node_options} if node_options else None) as engine:
        for spec in specs:
            samples: dict[int, tuple[int, int]] = {}
            worker_pid = 0
            start = time.perf_counter()
            for n in range(1, total + 1):
                _, result = await engine.invoke_collect(spec, {"n": n})
                assert result.ok and (n == 1 or not result.cold), result
                if n == warm_up:
                    start = time.perf_counter()
                if n % 1000 == 0 or n == total:
                    worker = engine._pools[spec.name].idle[-1]
                    assert worker.process is not None and worker_pid in (0, worker.process.pid)
                    worker_pid = worker.process.pid
                    samples[n] = memory_kb(os.getpid())[0], memory_kb(worker_pid)[0]
            elapsed = time.perf_counter() - start
            base, end, early = samples[warm_up], samples[total], samples[min(2000, warm_up)]
            row(f"{spec.name}: {invokes:,} invokes", f"{elapsed:.1f} s ({elapsed / invokes * 1000:.2f} ms each)")
            row(f"{spec.name}: engine RSS from invoke {warm_up:,} (target < 5 % growth)", growth(base[0], end[0]))
            row(f"{spec.name}: worker RSS from invoke {warm_up:,} (target < 5 % growth)", growth(base[1], end[1]))
            row(f"{spec.name}: worker RSS from invoke {min(2000, warm_up):,}", growth(early[1], end[1]))
            step = max(total // 10 // 1000, 1) * 1000
            row(f"{spec.name}: worker RSS every {step:,} invokes (MB)",
                " ".join(f"{samples[n][1] / 1024:.1f}" for n in sorted(samples) if n % step == 0))
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--soak", type=int, default=20_000)
    parser.add_argument("--warm-up", type=int, default=10_000, help="invokes before the soak's base sample")
    parser.add_argument("--node-options", default="", help="NODE_OPTIONS for the soak's Node worker (V8 flags to try)")
    parser.add_argument("--only", choices=("py", "node"), default="", help="soak one function only")
    args = parser.parse_args()
    precompile()
    if args.lines:
        printed_lines(args.lines, args.runs)
    if args.soak:
        asyncio.run(soak(args.soak, args.node_options, args.only, args.warm_up))


if __name__ == "__main__":
    main()
