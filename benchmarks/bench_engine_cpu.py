"""CPU per warm invocation: the engine's process and the workers', at 16 concurrent callers.

    python benchmarks/bench_engine_cpu.py [--language python|node|both] [--invokes 4000] [--rounds 3]
                                          [--history] [--compare OTHER_CHECKOUT]

Throughput of ``svl-tui serve`` on a 2-core machine is bound by the total CPU each
request costs (load generator, HTTP server, engine and the 16 worker processes share
the cores), so this prints CPU microseconds per invoke rather than wall time:
``engine`` is this process (the event loop and its threads: time.process_time),
``workers`` the sum over the worker processes (``/proc/<pid>/schedstat``, ns).
The handler is ``benchmarks/fixtures/serve-peer``'s trivial one; ``--history``
records every Result as ``serve`` does.

``--compare DIR`` runs the same measurement with another checkout's ``invokers``
(e.g. a worktree of main before a change) in a child process, alternating A, B, A, B
per round, and prints both medians and the ratio; ``--uvloop`` runs that other side on
uvloop instead (this checkout's, unless ``--compare`` says otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "serve-peer"
FUNCTIONS = {"python": "pyHello", "node": "nodeHello"}
EVENT = {"version": "2.0", "routeKey": "GET /py", "rawPath": "/py", "rawQueryString": "",
         "headers": {"host": "127.0.0.1", "user-agent": "bench"}, "isBase64Encoded": False,
         "requestContext": {"http": {"method": "GET", "path": "/py", "sourceIp": "127.0.0.1"}}}


def _worker_ns(pids: list[int]) -> int:
    """CPU time of every thread of these processes (Node's GC and libuv threads count too), in ns."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # a thread that ended meanwhile
    return total


async def _measure(language: str, invokes: int, concurrency: int, history: bool) -> dict[str, float]:
    from invokers.discovery import discover
    from invokers.engine import Engine
    from invokers.models import Result
    from invokers.pool import Limits

    spec = discover(FIXTURE).get(FUNCTIONS[language])
    assert spec is not None, FUNCTIONS[language]
    with tempfile.TemporaryDirectory() as folder:
        recorder = None
        if history:
            from invokers.history import History

            recorder = History(Path(folder))
        async with Engine(limits=Limits(account=64), history=recorder) as engine:
            async def caller(count: int) -> None:
                for _ in range(count):
                    async for update in engine.invoke(spec, EVENT):
                        if isinstance(update, Result) and update.status != "ok":
                            raise RuntimeError(f"invoke failed: {update.error}")

            await asyncio.gather(*(caller(20) for _ in range(concurrency)))  # warm: every environment started
            pids = [w.process.pid for w in engine._pools[spec.name].environments if w.process is not None]
            per = invokes // concurrency
            cpu0, ns0, wall0 = time.process_time(), _worker_ns(pids), time.perf_counter()
            await asyncio.gather(*(caller(per) for _ in range(concurrency)))
            cpu1, ns1, wall1 = time.process_time(), _worker_ns(pids), time.perf_counter()
    done = per * concurrency
    return {"engine_us": (cpu1 - cpu0) / done * 1e6, "workers_us": (ns1 - ns0) / done / 1e3,
            "per_s": done / (wall1 - wall0), "environments": len(pids)}


def _one(checkout: str | None, language: str, args: argparse.Namespace, uvloop: bool = False) -> dict[str, float]:
    """One measurement in a fresh process (``checkout``'s invokers, or ours; on uvloop if asked)."""
    root = checkout or str(Path(__file__).resolve().parents[1])
    command = [sys.executable, __file__, "--child", "--language", language, "--invokes", str(args.invokes),
               "--concurrency", str(args.concurrency)] + (["--history"] if args.history else []) + (
                   ["--uvloop"] if uvloop else [])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root, check=False)
    if done.returncode:
        raise SystemExit(f"measurement failed ({root}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pair(run: dict[str, float]) -> str:
    return f"{run['engine_us']:.0f}+{run['workers_us']:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=("python", "node", "both"), default="both")
    parser.add_argument("--invokes", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history", action="store_true", help="record every Result (as serve does)")
    parser.add_argument("--compare", metavar="CHECKOUT", help="alternate with another checkout's invokers")
    parser.add_argument("--uvloop", action="store_true", help="the 'compare' side runs on uvloop (pip install uvloop)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    languages = ["python", "node"] if args.language == "both" else [args.language]
    if args.child:
        if args.uvloop:
            import uvloop

            uvloop.install()
        print(json.dumps(asyncio.run(_measure(languages[0], args.invokes, args.concurrency, args.history))))
        return
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {args.invokes} warm invokes "
          f"at {args.concurrency} concurrent callers{', history recorded' if args.history else ''}")
    sides: list[tuple[str, str | None]] = [("this", None)]
    if args.compare or args.uvloop:
        sides.append(("uvloop" if args.uvloop else "compare", args.compare))
    for language in languages:
        figures: dict[str, list[dict[str, float]]] = {name: [] for name, _ in sides}
        for _ in range(args.rounds):
            for name, checkout in sides:  # alternated: A, B, A, B
                figures[name].append(_one(checkout, language, args, uvloop=name == "uvloop"))
        for name, _ in sides:
            runs = figures[name]
            engine = statistics.median(r["engine_us"] for r in runs)
            workers = statistics.median(r["workers_us"] for r in runs)
            rate = statistics.median(r["per_s"] for r in runs)
            print(f"{language:6} {name:8} engine {engine:7.1f} µs/invoke  workers {workers:7.1f} µs/invoke  "
                  f"total {engine + workers:7.1f}  {rate:7.0f} invokes/s  "
                  f"(runs: {', '.join(_pair(r) for r in runs)})")
        if len(sides) > 1:
            other = sides[1][0]
            mine = statistics.median(r["engine_us"] + r["workers_us"] for r in figures["this"])
            theirs = statistics.median(r["engine_us"] + r["workers_us"] for r in figures[other])
            print(f"{language:6} total CPU per invoke: this / {other} = {mine / theirs:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
