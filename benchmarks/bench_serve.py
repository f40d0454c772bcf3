"""``svl-tui serve`` against serverless-offline 13 (Serverless Framework v3), measured side by side.

    npm install --prefix benchmarks    # serverless 3, serverless-offline 13, autocannon, lambda-local
    python benchmarks/bench_serve.py [--rounds 3] [--duration 5] [--only throughput|bursts]

Both serve the same project (``fixtures/serve-peer``: 10 functions, Python and
Node handlers behind HTTP API routes). Every comparison alternates the two
(A, B, A, B ...) and prints medians and the ratio:

1. first burst: 20 concurrent requests to a 100 ms handler right after start (20 cold starts);
2. warm bursts of the same;
3. throughput, p99 latency and CPU per request at 16 keep-alive clients (autocannon), Python and Node handlers;
4. memory of the whole process tree: idle, after the load, and (svl-tui) after the idle time;
5. save -> the next request runs the new code (svl-tui's reload), and warm latency after it;
6. whole-process ``svl-tui invoke`` with a running session vs ``python-lambda-local``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import precompile, row  # noqa: E402

T = TypeVar("T")
FIXTURE = HERE / "fixtures" / "serve-peer"
BIN = HERE / "node_modules" / ".bin"
IDLE_S = 5
SVL_PORT, SLS_PORT, SLS_LAMBDA_PORT = 4310, 4320, 4322


def wait_until_up(port: int, path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("HEAD" if path == "/" else "OPTIONS", "/")
            connection.getresponse().read()
            return
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port} after {timeout} s")


@contextlib.contextmanager
def started(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET :{port}{path} -> {response.status} {body[:200]!r}")
    return body


def burst_ms(port: int, path: str, count: int = 20) -> float:
    """Wall time of ``count`` requests fired at once, each on its own connection."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(count)]
    for connection in connections:
        connection.connect()
    gate = threading.Barrier(count + 1)
    failures: list[str] = []

    def one(connection: http.client.HTTPConnection) -> None:
        gate.wait()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            failures.append(str(response.status))

    threads = [threading.Thread(target=one, args=(c,)) for c in connections]
    for thread in threads:
        thread.start()
    gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = (time.perf_counter() - start) * 1000
    for connection in connections:
        connection.close()
    if failures:
        raise RuntimeError(f"burst on :{port}{path}: statuses {failures}")
    return elapsed


def autocannon(port: int, path: str, seconds: int) -> tuple[float, float]:
    """(requests per second, p99 latency ms) at 16 keep-alive clients."""
    return autocannon_run(port, path, seconds)[:2]


def autocannon_run(port: int, path: str, seconds: int) -> tuple[float, float, int]:
    """(requests per second, p99 latency ms, requests answered) at 16 keep-alive clients."""
    done = subprocess.run([str(BIN / "autocannon"), "-c", "16", "-d", str(seconds), "-j",
                           f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    if report.get("non2xx") or report.get("errors"):
        raise RuntimeError(f"autocannon on :{port}{path}: {report.get('non2xx')} non-2xx, "
                           f"{report.get('errors')} errors")
    return report["requests"]["average"], report["latency"]["p99"], report["requests"]["total"]


def loaded_run(port: int, path: str, seconds: int, pid: int, peak: list[float]) -> tuple[float, float, float]:
    """A throughput run, then the server's memory at once (the other server's turn outlasts the idle time).

    Returns requests per second, p99 and the CPU the server's whole process tree (its workers too) spent
    per request, in microseconds: on 2 shared cores, what bounds the throughput."""
    cpu = tree_cpu_s(pid)
    rate, p99, total = autocannon_run(port, path, seconds)
    cpu = tree_cpu_s(pid) - cpu
    peak.append(tree_rss_mb(pid))
    return rate, p99, cpu / max(total, 1) * 1e6


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) of a process and its live descendants (what ended since is not counted)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
    return total / tick


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
    return total / 1024


def alternate(rounds: int, a: Callable[[], T], b: Callable[[], T]) -> tuple[list[T], list[T]]:
    """``rounds`` runs of each, interleaved A, B, A, B so both see the same machine."""
    ours: list[T] = []
    theirs: list[T] = []
    for _ in range(rounds):
        ours.append(a())
        theirs.append(b())
    return ours, theirs


def compare(label: str, ours: list[float], theirs: list[float], unit: str, higher_is_better: bool) -> None:
    mine, peer = statistics.median(ours), statistics.median(theirs)
    ratio = (mine / peer) if higher_is_better else (peer / mine)
    row(f"{label}: svl-tui", f"{mine:.1f} {unit}")
    row(f"{label}: serverless-offline", f"{peer:.1f} {unit}")
    row(f"{label}: ratio (> 1: svl-tui better)", f"{ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per throughput run")
    parser.add_argument("--only", choices=["all", "throughput", "bursts"], default="all",
                        help="run only the throughput runs (3.) or only the bursts (1. and 2.)")
    args = parser.parse_args()
    for tool in ("serverless", "autocannon"):
        if not (BIN / tool).exists():
            raise SystemExit(f"{tool} is missing: npm install --prefix benchmarks")
    precompile()
    svl = shutil.which("svl-tui") or str(Path(sys.executable).with_name("svl-tui"))
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start (other work on the machine skews all figures)")
    with tempfile.TemporaryDirectory(dir=HERE, prefix=".serve-peer-") as folder:
        project = Path(folder)
        shutil.copytree(FIXTURE, project, dirs_exist_ok=True)
        sls_env = {"NODE_OPTIONS": "--no-experimental-require-module", "SLS_TELEMETRY_DISABLED": "1",
                   "SLS_NOTIFICATIONS_MODE": "off", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        with started([svl, "serve", "--port", str(SVL_PORT), "--quiet", "--account-concurrency", "64",
                      "--idle-timeout", str(IDLE_S)], project) as ours, \
                started([str(BIN / "serverless"), "offline", "--httpPort", str(SLS_PORT), "--lambdaPort",
                         str(SLS_LAMBDA_PORT)], project, sls_env) as theirs:
            wait_until_up(SVL_PORT, "/")
            wait_until_up(SLS_PORT, "/")
            idle = (tree_rss_mb(ours.pid), tree_rss_mb(theirs.pid))
            run(args, project, svl, ours, theirs, idle)


def run(args: argparse.Namespace, project: Path, svl: str, ours: subprocess.Popen[bytes],
        theirs: subprocess.Popen[bytes], idle: tuple[float, float]) -> None:
    if args.only != "throughput":
        print("1. First burst: 20 concurrent requests to a 100 ms handler (20 cold starts)")
        for path in ("/py-slow", "/node-slow"):
            compare(f"{path} first burst", [burst_ms(SVL_PORT, path)], [burst_ms(SLS_PORT, path)], "ms", False)
        print("2. Warm bursts of the same (median of alternated runs)")
        for path in ("/py-slow", "/node-slow"):
            mine, peer = alternate(args.rounds + 2, partial(burst_ms, SVL_PORT, path),
                                   partial(burst_ms, SLS_PORT, path))
            compare(f"{path} warm burst", mine, peer, "ms", False)
    if args.only == "bursts":
        return
    print(f"3. Throughput at 16 keep-alive clients ({args.duration} s runs, alternated, after a warm-up)")
    loaded: dict[str, tuple[float, float]] = {}
    for path in ("/py", "/node"):
        autocannon(SVL_PORT, path, 2)
        autocannon(SLS_PORT, path, 2)
        peaks: tuple[list[float], list[float]] = ([], [])
        results = alternate(args.rounds, partial(loaded_run, SVL_PORT, path, args.duration, ours.pid, peaks[0]),
                            partial(loaded_run, SLS_PORT, path, args.duration, theirs.pid, peaks[1]))
        pairs_ours, pairs_theirs = results
        compare(f"{path} req/s", [r[0] for r in pairs_ours], [r[0] for r in pairs_theirs], "req/s", True)
        compare(f"{path} p99", [r[1] for r in pairs_ours], [r[1] for r in pairs_theirs], "ms", False)
        compare(f"{path} CPU per request (server and workers)", [r[2] for r in pairs_ours],
                [r[2] for r in pairs_theirs], "us", False)
        loaded[path] = (max(peaks[0]), max(peaks[1]))
    if args.only == "throughput":
        return
    print("4. Memory of the whole process tree")
    row("idle after start: svl-tui / serverless-offline", f"{idle[0]:.0f} MB / {idle[1]:.0f} MB")
    for path, (ours_mb, theirs_mb) in loaded.items():
        row(f"right after the {path} load: svl-tui / serverless-offline", f"{ours_mb:.0f} MB / {theirs_mb:.0f} MB")
    time.sleep(IDLE_S * 1.6)
    row(f"svl-tui after {IDLE_S} s idle (--idle-timeout {IDLE_S})", f"{tree_rss_mb(ours.pid):.0f} MB")
    print("5. Save -> the next request runs the new code (svl-tui reload)")
    reload_figures(project)
    print("6. Whole-process `svl-tui invoke` with the session running vs python-lambda-local (alternated)")
    cli_figures(args, project, svl)


def warm_p50_ms(port: int, path: str, count: int = 200) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", path)
        connection.getresponse().read()
        samples.append((time.perf_counter() - start) * 1000)
    connection.close()
    return statistics.median(samples)


def reload_figures(project: Path) -> None:
    handlers = project / "handlers.py"
    original = handlers.read_text()
    before = warm_p50_ms(SVL_PORT, "/py")
    delays = []
    for index in range(5):
        marker = f"v{index}"
        handlers.write_text(original.replace('"body": "ok"}', f'"body": "{marker}"}}', 1))
        saved = time.perf_counter()
        while get(SVL_PORT, "/py") != marker.encode():
            time.sleep(0.002)
        delays.append((time.perf_counter() - saved) * 1000)
        time.sleep(0.3)
    handlers.write_text(original)
    time.sleep(0.5)
    after = warm_p50_ms(SVL_PORT, "/py")
    row("save -> new code answers, median of 5 (target < 100 ms)", f"{statistics.median(delays):.0f} ms")
    row("warm request p50 before / after the reloads", f"{before:.2f} ms / {after:.2f} ms")


def cli_figures(args: argparse.Namespace, project: Path, svl: str) -> None:
    peer = shutil.which("python-lambda-local") or str(Path(sys.executable).with_name("python-lambda-local"))
    ours_cmd = [svl, "invoke", "pyHello", "--event", "event.json", "-q"]
    theirs_cmd = [peer, "-f", "hello", "handlers.py", "event.json"]
    for command in (ours_cmd, theirs_cmd):
        subprocess.run(command, cwd=project, check=True, capture_output=True)

    def timed(command: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, cwd=project, check=True, capture_output=True)
        return (time.perf_counter() - start) * 1000

    mine, theirs = alternate(args.rounds * 5, lambda: timed(ours_cmd), lambda: timed(theirs_cmd))
    row("`svl-tui invoke` (session running) median (target < 50 ms)", f"{statistics.median(mine):.1f} ms")
    row("`python-lambda-local` median", f"{statistics.median(theirs):.1f} ms")
    ratio = statistics.median(theirs) / statistics.median(mine)
    row("ratio (python-lambda-local / svl-tui, target >= 3x)", f"{ratio:.2f}x")


if __name__ == "__main__":
    main()
