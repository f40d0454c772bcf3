"""How long ``--mock-aws`` takes to create a project's resources (issue 14, point 1).

    python benchmarks/bench_provision.py [--runs 5]

Each sample is a fresh process (moto loads a service's code on its first
request, as a real session pays it): the embedded AWS is started, then the
timed part creates the nine resources of ``fixtures/resources/template.yaml``
(a table with a GSI and a stream, three queues with a redrive, a topic with a
subscription, a bucket, a Kinesis stream, a bus and a rule). The baseline is
moto's own CloudFormation creating the same template in the same kind of
process; runs alternate A, B, A, B.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stats import median_ms, precompile, row

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "resources"


def one(kind: str) -> dict[str, float]:
    """Run in the child: start the mock, time the creation, report JSON on stdout."""
    from invokers.aws import mock as mock_module

    started = time.perf_counter()
    mock = mock_module.start()
    ready = time.perf_counter()
    try:
        if kind == "svl":
            from invokers.aws.provision import provision
            from invokers.aws.resources import CREATED
            from invokers.discovery import discover

            made = provision(discover(FIXTURE), mock)
            assert sum(r.status == CREATED for r in made.resources.values()) == 9, made.problems
        else:
            stack = mock.client("cloudformation").create_stack(
                StackName="bench", TemplateBody=(FIXTURE / "template.yaml").read_text())
            status = mock.client("cloudformation").describe_stacks(StackName=stack["StackId"])["Stacks"][0]
            assert status["StackStatus"] == "CREATE_COMPLETE", status
        done = time.perf_counter()
    finally:
        mock.stop()
    return {"start": ready - started, "create": done - ready}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", choices=("svl", "cfn"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    precompile()
    samples: dict[str, list[dict[str, float]]] = {"svl": [], "cfn": []}
    for _ in range(args.runs):
        for kind in ("svl", "cfn"):  # alternating, so machine noise falls on both
            out = subprocess.run([sys.executable, __file__, "--one", kind], check=True, capture_output=True,
                                 text=True).stdout
            samples[kind].append(json.loads(out.strip().splitlines()[-1]))
    ours = median_ms([s["create"] for s in samples["svl"]])
    peer = median_ms([s["create"] for s in samples["cfn"]])
    print(f"Resources of {FIXTURE / 'template.yaml'} (9), median of {args.runs} fresh processes each:")
    start = median_ms([s["start"] for s in samples["svl"]])
    row("embedded AWS start (moto server), before creating", f"{start:.0f} ms")
    row("svl-tui provision (discover + create, in dependency order)", f"{ours:.0f} ms")
    row("moto's own CloudFormation create_stack (baseline)", f"{peer:.0f} ms")
    row("ratio (baseline / ours)", f"{peer / ours:.2f}x")


if __name__ == "__main__":
    main()
