"""Event sources against the embedded AWS (issue 14 targets).

    python benchmarks/bench_event_sources.py [--runs 40] [--messages 1000] [--rounds 3]

1. Latency: a message sent to a mocked queue -> its handler started (target: median < 200 ms; Lambda's
   own SQS poller takes about 1 s). The handler returns ``time.monotonic()`` as it starts (CLOCK_MONOTONIC
   is shared by all processes), the sender notes it just before ``SendMessage``. Baseline, alternated A, B:
   the same handler invoked directly through the engine (the invocation's own cost, no queue).
2. Throughput: ``--messages`` messages through an SQS mapping with batch size 10, sent in
   ``SendMessageBatch`` calls while the mapping runs; every message id is counted (target: all delivered,
   duplicates only from SQS's at-least-once delivery, in < 10 s). Baseline, alternated per round: the same
   number of 10-record batches invoked directly with the same concurrency (5).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _stats import row

from event_samples.messaging import sqs as sqs_event
from invokers.aws import mock as mock_aws
from invokers.engine import Engine
from invokers.event_sources import Delivery, EventSources
from invokers.models import FunctionSpec, Result, Trigger

HANDLER = """
import time
def handler(event, context):
    return {"started": time.monotonic(), "ids": [r["messageId"] for r in event["Records"]]}
"""
LATENCY_TARGET_MS = 200.0
THROUGHPUT_TARGET_S = 10.0


def client(mock: Any, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=mock.endpoint, region_name=mock.region, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


async def latency(engine: Engine, mock: Any, code: Path, runs: int) -> tuple[list[float], list[float]]:
    queue = f"latency-{uuid.uuid4().hex[:6]}"
    sqs = client(mock, "sqs")
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    spec = FunctionSpec("latency", "svl.yaml", "python3.12", "app.handler", code_dir=str(code),
                        triggers=[Trigger("sqs", "Q", {"queue": queue})])
    delivered: asyncio.Queue[Delivery] = asyncio.Queue()
    sources = EventSources(engine, [spec], mock.endpoint, mock.region)
    sources.listeners.append(lambda item: delivered.put_nowait(item) if isinstance(item, Delivery) else None)
    await sources.start()
    direct = FunctionSpec("direct", "svl.yaml", "python3.12", "app.handler", code_dir=str(code))
    event = sqs_event(body="x")
    via_queue, via_engine = [], []
    try:
        for index in range(runs + 1):  # the first of each warms its environment
            sent = time.monotonic()
            await asyncio.to_thread(sqs.send_message, QueueUrl=url, MessageBody="x")
            delivery = await asyncio.wait_for(delivered.get(), 60)
            assert delivery.result is not None and delivery.result.ok, delivery.result
            if index:
                via_queue.append(delivery.result.response["started"] - sent)
            called = time.monotonic()
            records, result = await engine.invoke_collect(direct, event)
            assert result.ok, result.error
            if index:
                via_engine.append(result.response["started"] - called)
    finally:
        await sources.close()
    return via_queue, via_engine


async def through_queue(engine: Engine, mock: Any, code: Path, count: int) -> tuple[float, int, int]:
    queue = f"bulk-{uuid.uuid4().hex[:6]}"
    sqs = client(mock, "sqs")
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    spec = FunctionSpec("bulk", "svl.yaml", "python3.12", "app.handler", code_dir=str(code),
                        triggers=[Trigger("sqs", "Q", {"queue": queue, "batch_size": 10})])
    seen: list[str] = []
    done = asyncio.Event()

    def listen(item: Any) -> None:
        if isinstance(item, Delivery) and item.result is not None and item.result.ok:
            seen.extend(item.result.response["ids"])
            if len(set(seen)) >= count:
                done.set()

    sources = EventSources(engine, [spec], mock.endpoint, mock.region)
    sources.listeners.append(listen)
    await sources.start()

    def send_all() -> None:
        for start in range(0, count, 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(min(10, count - start))])

    began = time.perf_counter()
    try:
        await asyncio.to_thread(send_all)
        await asyncio.wait_for(done.wait(), 120)
        elapsed = time.perf_counter() - began
    finally:
        await sources.close()
    return elapsed, len(set(seen)), len(seen) - len(set(seen))


async def direct_batches(engine: Engine, code: Path, count: int) -> float:
    spec = FunctionSpec("bulk-direct", "svl.yaml", "python3.12", "app.handler", code_dir=str(code))
    slots = asyncio.Semaphore(5)

    async def one(batch: int) -> Result:
        async with slots:
            return (await engine.invoke_collect(spec, sqs_event(bodies=[f"m{batch}-{i}" for i in range(10)])))[1]

    began = time.perf_counter()
    results = await asyncio.gather(*(one(b) for b in range(count // 10)))
    assert all(r.ok for r in results)
    return time.perf_counter() - began


async def main_async(args: argparse.Namespace) -> None:
    mock = mock_aws.start()
    with tempfile.TemporaryDirectory() as folder:
        code = Path(folder)
        (code / "app.py").write_text(HANDLER)
        try:
            async with Engine(worker_env=mock.environment) as engine:
                via_queue, via_engine = await latency(engine, mock, code, args.runs)
                q, e = statistics.median(via_queue) * 1000, statistics.median(via_engine) * 1000
                print(f"Latency, {args.runs} messages, one at a time (A = sent to the queue, B = direct invoke), "
                      "alternating")
                row("A: SendMessage -> handler started, median", f"{q:.1f} ms (p90 "
                    f"{sorted(via_queue)[int(len(via_queue) * 0.9)] * 1000:.1f} ms)")
                row("B: engine.invoke -> handler started, median", f"{e:.1f} ms")
                row("A - B: the queue's share", f"{q - e:.1f} ms")
                row(f"target median < {LATENCY_TARGET_MS:.0f} ms", "met" if q < LATENCY_TARGET_MS else "NOT met")
                print(f"Throughput, {args.messages} messages, batch size 10, {args.rounds} rounds alternating "
                      "(A = through the SQS mapping, B = the same batches invoked directly, 5 at a time)")
                for round_ in range(args.rounds):
                    elapsed, unique, duplicates = await through_queue(engine, mock, code, args.messages)
                    direct = await direct_batches(engine, code, args.messages)
                    row(f"round {round_ + 1} A: all delivered", f"{elapsed:.2f} s ({unique}/{args.messages} "
                        f"messages, {duplicates} duplicates; {args.messages / elapsed:.0f} msg/s)")
                    row(f"round {round_ + 1} B: direct", f"{direct:.2f} s (A/B {elapsed / direct:.2f}x)")
                    row(f"round {round_ + 1} target < {THROUGHPUT_TARGET_S:.0f} s, none lost",
                        "met" if elapsed < THROUGHPUT_TARGET_S and unique == args.messages else "NOT met")
        finally:
            mock.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
