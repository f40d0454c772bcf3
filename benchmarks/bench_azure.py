"""Azure Functions figures (issue 11): warm HTTP invoke overhead against a Lambda handler, v4 discovery time.

    python benchmarks/bench_azure.py [--invokes 500] [--runs 10]

Needs npm and PyPI once: the real ``@azure/functions`` and ``azure-functions``
are installed the way the tests install them (cached under ~/.cache/svl-tui/tests).

Prints, each against a baseline measured in the same run, alternating A,B,A,B:
1. warm invoke of an Azure HTTP function (Node v4 model; Python v2 model) against a Lambda
   handler on the same runtime doing the same work: engine.invoke medians and their difference
   (target: within 1 ms);
2. discovery of a 30-function Node v4 app (target < 1 s) against ``node`` loading
   ``@azure/functions`` alone (the floor: a process start and the library);
3. what Azure discovery costs a project without host.json.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from _stats import median_ms, precompile, row  # noqa: E402

from invokers.discovery import azure_apps, discover  # noqa: E402
from invokers.engine import Engine  # noqa: E402
from invokers.models import FunctionSpec  # noqa: E402
from tests.azure_setup import node_modules, python_venv  # noqa: E402

HOST_JSON = '{"version": "2.0"}'
NODE_AZURE = """const { app } = require('@azure/functions');
app.http('hello', { methods: ['GET'], handler: async (request) => ({ status: 200, body: 'hi ' + request.method }) });
"""
NODE_LAMBDA = "exports.handler = async (event) => ({ statusCode: 200, body: 'hi ' + event.httpMethod });\n"
PY_AZURE = """import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="hello", methods=["GET"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hi " + req.method)
"""
PY_LAMBDA = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi ' + event['httpMethod']}\n"
EVENT = {"httpMethod": "GET", "path": "/hello", "headers": {}, "queryStringParameters": None, "body": None}


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def projects(tmp: Path) -> dict[str, tuple[FunctionSpec, FunctionSpec]]:
    """(Azure, Lambda) spec pairs per runtime."""
    node_app = write(tmp / "node-azure", {"host.json": HOST_JSON, "src/functions/hello.js": NODE_AZURE,
                                          "package.json": '{"main": "src/functions/*.js", '
                                                          '"dependencies": {"@azure/functions": "^4.5.0"}}'})
    (node_app / "node_modules").symlink_to(node_modules())
    py_app = write(tmp / "py-azure", {"host.json": HOST_JSON, "function_app.py": PY_AZURE})
    (py_app / ".venv").symlink_to(python_venv())
    node_azure, py_azure = discover(node_app).get("hello"), discover(py_app).get("hello")
    assert node_azure is not None and py_azure is not None
    write(tmp / "node-lambda", {"index.js": NODE_LAMBDA})
    write(tmp / "py-lambda", {"app.py": PY_LAMBDA})
    node_lambda = FunctionSpec(name="node-lambda", source="svl.yaml", runtime=node_azure.runtime,
                               handler="index.handler", code_dir=str(tmp / "node-lambda"))
    py_lambda = FunctionSpec(name="py-lambda", source="svl.yaml", runtime=py_azure.runtime,
                             handler="app.handler", code_dir=str(tmp / "py-lambda"))
    return {"Node.js": (node_azure, node_lambda), "Python": (py_azure, py_lambda)}


async def warm_pair(azure: FunctionSpec, lam: FunctionSpec, invokes: int) -> dict[str, list[float]]:
    """engine.invoke wall times and the workers' own durations, alternating A,B,A,B invoke by invoke."""
    samples: dict[str, list[float]] = {"azure": [], "lambda": [], "azure_span": [], "lambda_span": []}
    async with Engine() as engine:
        for spec in (azure, lam):
            for _ in range(50):  # cold start, then let the runtime's JIT settle
                _, result = await engine.invoke_collect(spec, EVENT)
                assert result.ok, result.error
        for _ in range(invokes):
            for key, spec in (("azure", azure), ("lambda", lam)):
                start = time.perf_counter()
                _, result = await engine.invoke_collect(spec, EVENT)
                samples[key].append(time.perf_counter() - start)
                samples[f"{key}_span"].append(result.duration_ms / 1000)
    return samples


def thirty_function_app(tmp: Path) -> Path:
    files = {"host.json": HOST_JSON,
             "package.json": '{"main": "src/functions/*.js", "dependencies": {"@azure/functions": "^4.5.0"}}'}
    kinds = [
        "app.http('f{i}', {{ methods: ['GET', 'POST'], route: 'items/{i}/{{id}}', handler: async () => ({{}}) }});",
        "app.timer('f{i}', {{ schedule: '0 */5 * * * *', handler: async () => {{}} }});",
        "app.storageQueue('f{i}', {{ queueName: 'q{i}', connection: 'Storage', handler: async () => {{}} }});",
    ]
    for i in range(30):
        files[f"src/functions/f{i}.js"] = "const { app } = require('@azure/functions');\n" + kinds[i % 3].format(i=i)
    root = write(tmp / "thirty", files)
    (root / "node_modules").symlink_to(node_modules())
    return root


def discovery_figures(tmp: Path, runs: int) -> None:
    root = thirty_function_app(tmp)
    floor = ["node", "-e", "require('@azure/functions')"]
    ours: list[float] = []
    bare: list[float] = []
    assert len(discover(root).functions) == 30
    for _ in range(runs):  # A,B,A,B
        start = time.perf_counter()
        found = discover(root)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(floor, cwd=root, check=True, capture_output=True)
        bare.append(time.perf_counter() - start)
    assert len(found.functions) == 30 and not found.problems
    row("discover() of a 30-function v4 app, median (target < 1 s)", f"{median_ms(ours):.1f} ms")
    row("floor: node loading @azure/functions alone, median", f"{median_ms(bare):.1f} ms")
    demo = ROOT / "examples" / "demo"
    start = time.perf_counter()
    for _ in range(1000):
        azure_apps.read(demo)
    row("Azure apps check on a project without host.json", f"{(time.perf_counter() - start) * 1000:.4f} us per call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invokes", type=int, default=500, help="warm invokes per function, alternating")
    parser.add_argument("--runs", type=int, default=10, help="discovery runs")
    args = parser.parse_args()
    precompile()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        pairs = projects(tmp)
        print(f"1. Warm HTTP invoke, Azure function vs Lambda handler ({args.invokes} each, A,B,A,B)")
        for runtime, (azure, lam) in pairs.items():
            times = asyncio.run(warm_pair(azure, lam, args.invokes))
            row(f"{runtime} ({azure.runtime}) Lambda handler, engine.invoke median",
                f"{median_ms(times['lambda']):.3f} ms")
            row(f"{runtime} Azure HTTP function ({azure.source}), median", f"{median_ms(times['azure']):.3f} ms")
            row(f"{runtime} difference (target within 1 ms)",
                f"{median_ms(times['azure']) - median_ms(times['lambda']):+.3f} ms")
            row(f"{runtime} of which in the worker (its own Duration: Azure - Lambda)",
                f"{median_ms(times['azure_span']) - median_ms(times['lambda_span']):+.3f} ms")
        print(f"2. Discovery ({args.runs} runs, alternating with the floor)")
        discovery_figures(tmp, args.runs)


if __name__ == "__main__":
    main()
