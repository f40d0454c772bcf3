"""TypeScript hot reload: save -> rebuilt worker ready (issue 10, point 5; target < 400 ms).

    python benchmarks/bench_build.py [--edits 15]

One SAM project holds an esbuild TypeScript function (``Metadata: BuildMethod:
esbuild``, built by svl-tui with the project's esbuild) and a plain JavaScript
function. Both are warm; saves alternate TS, JS, TS, JS ... under one watcher,
and each figure is the time from the write to the ReloadEvent (the new
environment has finished init). The JS saves are the baseline: the same reload
without a build, measured in the same run. ``sam build`` + ``sam local invoke``
takes seconds per change and is not run here (not installed).
esbuild is installed from npm on first use (tests/npm_tools.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import reload_events, row  # noqa: E402

from invokers.engine import Engine  # noqa: E402
from invokers.reload import Reloader  # noqa: E402
from tests.npm_tools import esbuild_node_modules  # noqa: E402

TEMPLATE = """Resources:
  TsFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ts/, Handler: app.handler, Runtime: nodejs20.x}
    Metadata:
      BuildMethod: esbuild
      BuildProperties: {Target: es2020, Sourcemap: true, EntryPoints: [app.ts]}
  JsFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: js/, Handler: app.handler, Runtime: nodejs20.x}
"""


def ts_source(value: int) -> str:
    return (f"import {{ shape }} from './lib/shape';\n"
            f"export const handler = async (event: {{ n?: number }}): Promise<object> => shape({value}, event);\n")


def js_source(value: int) -> str:
    return f"exports.handler = async () => ({{ value: {value} }});\n"


def make_project(root: Path) -> None:
    (root / "ts" / "lib").mkdir(parents=True)
    (root / "js").mkdir()
    (root / "ts" / "lib" / "shape.ts").write_text(
        "export const shape = (value: number, event: object) => ({ value, event });\n")
    (root / "ts" / "app.ts").write_text(ts_source(0))
    (root / "ts" / "node_modules").symlink_to(esbuild_node_modules(), target_is_directory=True)
    (root / "js" / "app.js").write_text(js_source(0))
    (root / "template.yaml").write_text(TEMPLATE)


async def measure(root: Path, edits: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"TsFunction": [], "JsFunction": []}
    async with Engine() as engine:
        reloader = Reloader(root, engine)
        for name in samples:
            spec = reloader.discovery.get(name)
            assert spec is not None
            await engine.invoke_collect(spec, {})
        async with reload_events(reloader) as queue:
            for value in range(1, edits + 1):
                for name, path, source in (("TsFunction", root / "ts" / "app.ts", ts_source),
                                           ("JsFunction", root / "js" / "app.js", js_source)):
                    start = time.perf_counter()
                    path.write_text(source(value))
                    event = await asyncio.wait_for(queue.get(), 30)
                    samples[name].append(time.perf_counter() - start)
                    assert event.ok and event.reloaded == [name], event
                    spec = reloader.discovery.get(name)
                    assert spec is not None
                    _, result = await engine.invoke_collect(spec, {})
                    assert json.dumps(result.response).count(f'"value": {value}') == 1, result
                    await asyncio.sleep(0.2)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_project(root)
        samples = asyncio.run(measure(root, args.edits))
    ts, js = (statistics.median(samples[name]) * 1000 for name in ("TsFunction", "JsFunction"))
    print(f"Save -> reloaded worker ready, {args.edits} saves each, alternating TS and JS under one watcher")
    row("baseline: plain JS handler, no build (median)", f"{js:.1f} ms")
    row("esbuild TypeScript handler, rebuilt (median, target < 400 ms)", f"{ts:.1f} ms")
    row("  slowest TypeScript save", f"{max(samples['TsFunction']) * 1000:.1f} ms")
    row("build overhead (TS - JS medians)", f"{ts - js:.1f} ms ({ts / js:.2f}x)")


if __name__ == "__main__":
    main()
