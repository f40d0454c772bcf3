"""Small helpers shared by the benchmark scripts: timing and reporting."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def time_command(command: Sequence[str], runs: int, **kwargs: object) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of a whole process (after one warm-up run)."""
    subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
        samples.append(time.perf_counter() - start)
    return samples


def time_calls(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def row(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")
