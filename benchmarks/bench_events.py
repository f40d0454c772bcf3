"""Event generation speed (issue: event samples).

    python benchmarks/bench_events.py [--runs 5]

Generates an SQS batch of 10,000 records (target < 1 s) and, as a baseline
measured in the same run, json.dumps of the result (the least any producer
of that event must spend).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stats import median_ms, row

from event_samples import generate, validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gen, dump, check = [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        event = generate("sqs", body={"order": 1, "note": "x" * 64}, records=10_000)
        gen.append(time.perf_counter() - start)
        start = time.perf_counter()
        json.dumps(event)
        dump.append(time.perf_counter() - start)
        start = time.perf_counter()
        issues = validate(event, "sqs")
        check.append(time.perf_counter() - start)
        assert not issues
    print(f"SQS batch of 10,000 records, {args.runs} runs")
    row("generate median (target < 1000 ms)", f"{median_ms(gen):.1f} ms")
    row("validate median", f"{median_ms(check):.1f} ms")
    row("baseline: json.dumps of the batch", f"{median_ms(dump):.1f} ms")
    row("generate / json.dumps", f"{median_ms(gen) / median_ms(dump):.1f}x")


if __name__ == "__main__":
    main()
