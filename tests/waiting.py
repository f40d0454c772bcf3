"""Waiting on a condition instead of a fixed pause: the tests run on a busy 2-core machine.

A fixed sleep is either too short under load (flaky) or too long when calm
(slow); polling the condition itself with a generous deadline is neither.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL_S = 0.02


async def until(condition: Callable[[], object], *, timeout: float = 15.0, what: str = "condition") -> None:
    """Return as soon as ``condition()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout:g} s")
        await asyncio.sleep(POLL_S)

