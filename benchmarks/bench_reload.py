"""Hot reload figures (issue: hot reload).

    python benchmarks/bench_reload.py [--edits 20] [--files 5000] [--idle 10]

1. file write -> reloaded worker ready to serve (the ReloadEvent arrives after the
   new environment finished init), median over --edits saves; baseline in the
   same run: a plain cold start of the same handler through the engine;
2. file write -> auto-rerun result;
3. CPU while idle, watching a project of --files files, as % of one core,
   against a baseline process that idles without a watcher.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stats import reload_events, row

from invokers.engine import Engine
from invokers.reload import Reloader


def make_project(root: Path, files: int) -> None:
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("def handler(e, c):\n    return 0\n")
    (root / "svl.yaml").write_text("functions:\n  f:\n    handler: src/app.handler\n")
    for index in range(files):
        folder = root / "lib" / f"pkg{index // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{index}.txt").write_text("x\n")


async def reload_latency(root: Path, edits: int) -> tuple[list[float], list[float], list[float]]:
    ready: list[float] = []
    rerun: list[float] = []
    cold: list[float] = []
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        spec = reloader.discovery.get("f")
        assert spec is not None
        for _ in range(5):
            await engine.recycle("f")
            start = time.perf_counter()
            await engine.invoke_collect(spec, {})
            cold.append(time.perf_counter() - start)
        async with reload_events(reloader) as queue:
            for value in range(1, edits + 1):
                start = time.perf_counter()
                (root / "src" / "app.py").write_text(f"def handler(e, c):\n    return {value}\n")
                event = await asyncio.wait_for(queue.get(), 30)
                ready.append(time.perf_counter() - start)
                assert event.ok and event.reloaded == ["f"]
                _, result = await engine.invoke_collect(reloader.discovery.get("f"), {})
                rerun.append(time.perf_counter() - start)
                assert result.response == value
                await asyncio.sleep(0.2)
    return ready, rerun, cold


async def idle_cpu(root: Path | None, seconds: float) -> float:
    """Fraction of one core used while idling for ``seconds`` (watching ``root`` if given)."""
    stop = asyncio.Event()
    task = None
    if root is not None:
        from invokers.file_watch import watch_folders
        from invokers.reload import ignored, skipped_dir

        async def watch() -> None:  # the reloader's own watcher
            source = watch_folders([root], lambda path: not ignored(path), skipped_dir, stop)
            try:
                while await source.next_batch() is not None:
                    pass
            finally:
                source.close()

        task = asyncio.create_task(watch())
        await asyncio.sleep(1.0)  # let the watcher register every folder
    start_cpu, start = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    used = (time.process_time() - start_cpu) / (time.perf_counter() - start)
    stop.set()
    if task is not None:
        await task
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_project(root, args.files)
        ready, rerun, cold = asyncio.run(reload_latency(root, args.edits))
        print(f"Hot reload of a trivial Python handler, {args.edits} saves")
        row("baseline: cold invoke through the engine (median)", f"{statistics.median(cold) * 1000:.1f} ms")
        row("write -> reloaded worker ready (median, target < 300 ms)", f"{statistics.median(ready) * 1000:.1f} ms")
        row("write -> auto-rerun result (median, target < 400 ms)", f"{statistics.median(rerun) * 1000:.1f} ms")
        baseline = asyncio.run(idle_cpu(None, args.idle))
        watching = asyncio.run(idle_cpu(root, args.idle))
        print(f"Idle CPU over {args.idle:g} s, project of {args.files} files")
        row("baseline: idle process, no watcher", f"{baseline * 100:.2f} % of one core")
        row("watching the project (target < 2 %)", f"{watching * 100:.2f} % of one core")


if __name__ == "__main__":
    main()
