"""CPU of ``svl-tui serve``'s HTTP front per request, with a fake engine behind it.

    python benchmarks/bench_serve_front.py [--against DIR] [--rounds 3] [--duration 3]

A server child runs ``invokers.serve.server.Server`` from a checkout over an
engine that answers at once (a Result and three platform records, as a warm
invoke yields), with the headless access line printed as ``svl-tui serve
--quiet`` prints it (to /dev/null). This process drives it with 16 keep-alive
clients (raw sockets, no pipelining) on an HTTP API route and reads the
child's CPU time from ``/proc``: the figure is the front's own CPU per
request (the parser, routing, the event, the response, the access line),
which bounds ``serve``'s throughput before any worker runs.

``--against DIR`` runs the same child from another checkout (for instance a
``git worktree`` of the commit before a change) and alternates the two,
A, B, A, B, printing each side's median and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENTS = 16
REQUEST = (b"GET /py HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n"
           b"Connection: keep-alive\r\n\r\n")

CHILD = r'''
import asyncio, sys
from invokers.models import FunctionSpec, LogRecord, Result, Trigger
from invokers.serve.server import Server
from invokers.cli_output import Painter
from invokers import cli_serve

class FakeEngine:
    """Answers every invocation at once, as a warm environment's stream ends."""
    async def invoke(self, spec, event, *, request_id="", chunks=False, **_):
        for line in ("START", "END", "REPORT"):
            yield LogRecord(0.0, f"{line} RequestId: {request_id}", request_id, "INFO", "platform")
        yield Result(request_id=request_id, function=spec.name, status="ok", cold=False, duration_ms=0.4,
                     billed_ms=1, memory_mb=128, max_memory_mb=40, response={"statusCode": 200, "body": "ok"})

async def main():
    spec = FunctionSpec(name="pyHello", source="serverless.yml", runtime="python3.11", handler="h.hello",
                        triggers=[Trigger("http_api", "HttpApi", {"path": "/py", "method": "GET",
                                                                   "stage": "$default", "payload_format": "2.0"})])
    server = Server(FakeEngine(), [spec])
    painter = Painter(open("/dev/null", "w"))
    sys.stdout = open("/dev/null", "w")
    if hasattr(cli_serve, "AccessLog"):  # as `svl-tui serve --quiet` prints (older checkouts: per request)
        server.listeners.append(cli_serve.AccessLog(painter, True))
    else:
        server.listeners.append(lambda traffic: cli_serve._print_traffic(traffic, painter, True))
    url = await server.start("127.0.0.1", 0)
    print(url, file=sys.__stdout__, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.close()

asyncio.run(main())
'''


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client(asyncio.Protocol):
    """One keep-alive connection sending the next request as soon as the answer is whole."""

    def __init__(self, done: list[int], stop: asyncio.Event) -> None:
        self.done, self.stop, self.buffer = done, stop, b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(REQUEST)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15:head.find(b"\r\n", at) if head.find(b"\r\n", at) > 0 else None]) if at >= 0 else 0
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            if not head.startswith(b"http/1.1 200"):
                raise SystemExit(f"unexpected answer: {self.buffer[:200]!r}")
            self.buffer = self.buffer[end:]
            self.done[0] += 1
            if not self.stop.is_set() and self.transport is not None:
                self.transport.write(REQUEST)


async def drive(port: int, seconds: float) -> int:
    loop = asyncio.get_running_loop()
    done, stop = [0], asyncio.Event()
    transports = []
    for _ in range(CLIENTS):
        transport, _protocol = await loop.create_connection(lambda: Client(done, stop), "127.0.0.1", port)
        transports.append(transport)
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.sleep(0.2)
    for transport in transports:
        transport.close()
    return done[0]


def measure(tree: Path, seconds: float) -> tuple[float, float]:
    """(server CPU µs per request, requests per second) of one run against a fresh child from ``tree``."""
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(tree)})
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline().decode().rsplit(":", 1)[1])
        asyncio.run(drive(port, 0.5))  # warm-up: imports, first connections
        before, started = cpu_seconds(child.pid), time.perf_counter()
        count = asyncio.run(drive(port, seconds))
        elapsed, used = time.perf_counter() - started, cpu_seconds(child.pid) - before
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(10)
    return used / count * 1e6, count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout to compare with (B), alternated A, B, A, B")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run")
    args = parser.parse_args()
    trees = {"this tree": HERE.parent}
    if args.against is not None:
        trees["--against"] = args.against.resolve()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {CLIENTS} keep-alive clients")
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            figures[name].append(measure(tree, args.duration))
            cpu, rate = figures[name][-1]
            print(f"  {name}: {cpu:.0f} µs CPU per request, {rate:.0f} req/s", flush=True)
    medians = {name: statistics.median(cpu for cpu, _ in runs) for name, runs in figures.items()}
    for name, value in medians.items():
        rate = statistics.median(r for _, r in figures[name])
        print(f"{name}: median {value:.0f} µs CPU per request ({rate:.0f} req/s)")
    if len(medians) == 2:
        print(f"CPU per request, --against / this tree: {medians['--against'] / medians['this tree']:.2f}x")


if __name__ == "__main__":
    main()
