"""Template generation and trigger events (issue 12: every template < 5 ms; a trigger's event in the first frame).

    python benchmarks/bench_triggers.py [--runs 200]

For every event kind: the median and worst time to generate it with its
default parameters, against a baseline measured in the same run, alternating
A, B, A, B: loading the bare template (a JSON parse and deep copy), the least
any generator must spend. Then the opening event of functions with triggers
(an API route, an SQS queue, an EventBridge pattern), which runs synchronously
when a function is selected, so it must fit well inside one frame.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _stats import row

from event_samples import KINDS, generate
from event_samples.common import template
from invokers.models import FunctionSpec, Trigger
from invokers.trigger_events import opening_event

TARGET_MS = 5.0


def alternate(a: Callable[[], object], b: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Seconds per call of ``a`` and ``b``, measured A, B, A, B so load hits both alike."""
    first, second = [], []
    for _ in range(runs):
        for call, out in ((a, first), (b, second)):
            start = time.perf_counter()
            call()
            out.append(time.perf_counter() - start)
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(f"{len(KINDS)} event kinds, {args.runs} runs each (A = generate, B = bare template), alternating")
    worst_kind, worst_median, worst_p99, worst_max, ratios = "", 0.0, 0.0, 0.0, []
    for name in KINDS:
        gen, bare = alternate(lambda n=name: generate(n), lambda n=name: template(n), args.runs)
        median, slowest = statistics.median(gen) * 1000, max(gen) * 1000
        ratios.append(statistics.median(gen) / statistics.median(bare))
        if median > worst_median:
            worst_kind, worst_median = name, median
        worst_p99 = max(worst_p99, statistics.quantiles(gen, n=100)[98] * 1000)
        worst_max = max(worst_max, slowest)
    row(f"slowest kind by median: {worst_kind} (target < {TARGET_MS:g} ms)", f"{worst_median:.3f} ms")
    row("highest 99th percentile of any kind", f"{worst_p99:.3f} ms")
    row("slowest single generation of any kind (scheduler stalls included)", f"{worst_max:.3f} ms")
    row("generate / bare template, median over kinds", f"{statistics.median(ratios):.1f}x")
    specs = {
        "API GET /orders/{id}": Trigger("api", "Get", {"path": "/orders/{id}", "method": "GET", "stage": "Prod"}),
        "SQS queue": Trigger("sqs", "Q", {"queue": "orders", "filters": [{"body": {"kind": ["order"]}}]}),
        "EventBridge pattern": Trigger("eventbridge", "R", {"pattern": {
            "source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}], "id": [{"prefix": "o-"}]}}}),
    }
    print(f"Opening event of a function with a trigger, {args.runs} runs (baseline: the same kind's template)")
    for label, trigger in specs.items():
        spec = FunctionSpec("f", "template.yaml", "python3.12", "app.handler", triggers=[trigger])
        kind = {"api": "apigw-rest", "sqs": "sqs", "eventbridge": "eventbridge"}[trigger.kind]
        opened, bare = alternate(lambda s=spec: opening_event(s), lambda k=kind: template(k), args.runs)
        row(f"{label}: median / worst", f"{statistics.median(opened) * 1000:.3f} / {max(opened) * 1000:.3f} ms "
            f"({statistics.median(opened) / statistics.median(bare):.1f}x the bare template)")


if __name__ == "__main__":
    main()
