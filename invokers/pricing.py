"""Lambda on-demand prices and the cost of one invocation.

One table keyed by region and architecture, so a new region is one line. The
figures are AWS's published us-east-1 prices (first tier: the cheaper tiers
only apply past 6 billion GB-seconds a month, which a local estimate ignores).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    per_gb_second: float
    per_request: float


REQUEST_PRICE = 0.20 / 1_000_000

PRICES: dict[tuple[str, str], Price] = {
    ("us-east-1", "x86_64"): Price(0.0000166667, REQUEST_PRICE),
    ("us-east-1", "arm64"): Price(0.0000133334, REQUEST_PRICE),
}
DEFAULT_REGION = "us-east-1"


def price_for(region: str = DEFAULT_REGION, architecture: str = "x86_64") -> Price:
    """The price for a region/architecture, falling back to us-east-1.

    Most commercial regions share us-east-1's price; an estimate in an
    unlisted region is better than none.
    """
    arch = "arm64" if architecture in ("arm64", "aarch64") else "x86_64"
    return PRICES.get((region, arch)) or PRICES[(DEFAULT_REGION, arch)]


def billed_ms(duration_ms: float, init_ms: float | None = None) -> int:
    """Lambda bills in 1 ms steps, rounded up; since August 2025 init too."""
    total = duration_ms + (init_ms or 0.0)
    return max(1, math.ceil(total - 1e-9))


def cost_usd(billed: int, memory_mb: int, region: str = DEFAULT_REGION,
             architecture: str = "x86_64") -> float:
    """Estimated cost of one request: GB-seconds times the price plus the request fee."""
    price = price_for(region, architecture)
    gb_seconds = memory_mb / 1024 * billed / 1000
    return gb_seconds * price.per_gb_second + price.per_request


# ---- Azure Functions, Consumption plan --------------------------------------------------------

AZURE_PER_GB_SECOND = 0.000016
AZURE_PER_EXECUTION = 0.20 / 1_000_000
AZURE_FREE_GRANT = "400,000 GB-s and 1 million executions free per month"
AZURE_MEMORY_STEP_MB = 128  # observed memory is billed rounded up to the next 128 MB
AZURE_MIN_BILLED_MS = 100  # ... and execution time to the next 1 ms, at least 100 ms
AZURE_LABEL = "Azure Consumption"


def azure_billed_ms(duration_ms: float) -> int:
    """Azure bills execution time in 1 ms steps with a 100 ms minimum (init is not an execution)."""
    return max(AZURE_MIN_BILLED_MS, math.ceil(duration_ms - 1e-9))


def azure_cost_usd(billed: int, used_mb: int) -> float:
    """One execution on the Consumption plan: observed memory (rounded up to 128 MB) x time, plus the
    execution fee, before the monthly free grant (``AZURE_FREE_GRANT``)."""
    steps = max(1, math.ceil(used_mb / AZURE_MEMORY_STEP_MB))
    gb_seconds = steps * AZURE_MEMORY_STEP_MB / 1024 * billed / 1000
    return gb_seconds * AZURE_PER_GB_SECOND + AZURE_PER_EXECUTION
