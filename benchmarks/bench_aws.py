"""Deployed-function figures against moto's server on 127.0.0.1 (issue: deployed AWS Lambda functions).

    python benchmarks/bench_aws.py [--functions 5000] [--follows 10]

1. listing --functions functions: the first page in the UI's function list, and all of
   them (targets < 1 s and < 10 s); baseline in the same run: one raw boto3
   ListFunctions call. Note: moto returns every function in one page.
2. log follow latency: a log event written to the group until ``follow`` yields it
   (target < 2 s with polling); baseline: one raw FilterLogEvents round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import row  # noqa: E402


def start_moto() -> tuple[object, str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/config", method="POST", data=json.dumps(
        {"lambda": {"use_docker": False}}).encode())).read()
    return server, url


def create(count: int) -> None:
    import boto3

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "x")
    code = buffer.getvalue()
    role = boto3.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda")
    for index in range(count):
        client.create_function(FunctionName=f"fn-{index:05d}", Runtime="python3.12", Role=role,
                               Handler="app.handler", Code={"ZipFile": code})


async def ui_listing(expected: int) -> tuple[float, float]:
    from invokers.aws.session import AwsSettings
    from invokers.discovery import discover
    from tui.app import SvlApp

    folder = Path(os.environ["SVL_BENCH_PROJECT"])
    app = SvlApp(discover(folder), aws=AwsSettings())
    async with app.run_test(size=(120, 35)) as pilot:
        start = time.perf_counter()
        first = None
        while len(app.deployed) < expected:
            if first is None and app.deployed:
                first = time.perf_counter() - start
            await pilot.pause(0.01)
        total = time.perf_counter() - start
        options = app.main_screen.query_one("#function-options").option_count
        assert options >= expected, options
    return first if first is not None else total, total


async def follow_latency(rounds: int) -> list[float]:
    import boto3

    from invokers.aws.cloudwatch import follow
    from invokers.aws.session import Aws
    from invokers.models import FunctionSpec

    logs = boto3.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/fn-00000")
    logs.create_log_stream(logGroupName="/aws/lambda/fn-00000", logStreamName="s")
    spec = FunctionSpec(name="fn-00000", source="deployed", runtime="", handler="")
    latencies: list[float] = []
    stop = asyncio.Event()
    arrived: asyncio.Queue[str] = asyncio.Queue()

    async def reader() -> None:
        async for record in follow(Aws(), spec, stop=stop):
            await arrived.put(record.message)

    task = asyncio.create_task(reader())
    await asyncio.sleep(1.5)
    for index in range(rounds):
        written = time.perf_counter()
        logs.put_log_events(logGroupName="/aws/lambda/fn-00000", logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"line {index}"}])
        while (await asyncio.wait_for(arrived.get(), 30)) != f"line {index}":
            pass
        latencies.append(time.perf_counter() - written)
        await asyncio.sleep(0.7)
    stop.set()
    await task
    return latencies


def main() -> None:
    import tempfile

    import boto3

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=5000)
    parser.add_argument("--follows", type=int, default=10)
    args = parser.parse_args()
    server, url = start_moto()
    os.environ.update({"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "us-east-1"})
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    try:
        start = time.perf_counter()
        create(args.functions)
        print(f"moto server at {url}: created {args.functions} functions in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        boto3.client("lambda").list_functions()
        raw = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "svl.yaml").write_text("functions: {}\n")
            os.environ["SVL_BENCH_PROJECT"] = folder
            first, total = asyncio.run(ui_listing(args.functions))
        print(f"1. Listing {args.functions} deployed functions in the UI")
        row("baseline: one raw ListFunctions call", f"{raw * 1000:.0f} ms")
        row("first page in the function list (target < 1 s)", f"{first * 1000:.0f} ms")
        row("all functions in the list (target < 10 s)", f"{total * 1000:.0f} ms")
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="/aws/lambda/baseline")
        start = time.perf_counter()
        logs.filter_log_events(logGroupName="/aws/lambda/baseline", startTime=0)
        raw_logs = time.perf_counter() - start
        latencies = asyncio.run(follow_latency(args.follows))
        print(f"2. Log follow latency, {args.follows} events")
        row("baseline: one raw FilterLogEvents round trip", f"{raw_logs * 1000:.0f} ms")
        row("median write -> shown (target < 2 s)", f"{statistics.median(latencies) * 1000:.0f} ms")
        row("worst", f"{max(latencies) * 1000:.0f} ms")
    finally:
        server.stop()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
