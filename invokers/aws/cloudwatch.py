"""Follow a deployed function's CloudWatch Logs group, or read a time range of it.

Polls ``FilterLogEvents`` (every second while logs flow, backing off to a few
seconds when quiet or throttled) and parses each event with the same parser as
local logs, Lambda's text and JSON formats included.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from ..logs import parse_line
from ..models import FunctionSpec, LogRecord
from .session import Aws, AwsError, explain

POLL_S = 1.0
MAX_POLL_S = 5.0
SEEN_IDS = 10_000


def group_name(spec: FunctionSpec) -> str:
    return f"/aws/lambda/{spec.name}"


def to_record(event: dict[str, Any]) -> LogRecord:
    timestamp = event.get("timestamp", time.time() * 1000) / 1000
    return parse_line(str(event.get("message", "")).rstrip("\n"), timestamp=timestamp)


async def recent(aws: Aws, spec: FunctionSpec, start_ms: int, end_ms: int | None = None,
                 limit: int = 10_000) -> list[LogRecord]:
    """Log records of a time range (oldest first), up to ``limit``."""
    events, _ = await asyncio.to_thread(_fetch, aws, group_name(spec), start_ms, end_ms, limit)
    return [to_record(e) for e in events]


async def follow(aws: Aws, spec: FunctionSpec, *, since_ms: int | None = None,
                 stop: asyncio.Event | None = None) -> AsyncIterator[LogRecord]:
    """New log records as they arrive, until ``stop`` is set; AWS errors are raised as AwsError."""
    start = since_ms if since_ms is not None else int(time.time() * 1000)
    seen: deque[str] = deque(maxlen=SEEN_IDS)
    seen_set: set[str] = set()
    delay = POLL_S
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            events, newest = await asyncio.to_thread(_fetch, aws, group_name(spec), start, None, 10_000)
        except AwsError as exc:
            if exc.kind == "not-found":  # the group appears with the first invoke
                events, newest = [], start
            elif exc.kind == "throttled":
                delay = min(MAX_POLL_S * 2, delay * 2)
                events, newest = [], start
            else:
                raise
        fresh = [e for e in events if e.get("eventId") not in seen_set]
        for event in fresh:
            if len(seen) == seen.maxlen:
                seen_set.discard(seen[0])
            seen.append(event.get("eventId", ""))
            seen_set.add(event.get("eventId", ""))
            yield to_record(event)
        # Events can arrive late (ingestion delay): look back a little from the newest one seen.
        start = max(start, newest - 5_000)
        delay = POLL_S if fresh else min(MAX_POLL_S, delay * 1.5)
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except asyncio.TimeoutError:
            pass


def _fetch(aws: Aws, group: str, start_ms: int, end_ms: int | None, limit: int) -> tuple[list[dict[str, Any]], int]:
    client = aws.client("logs")
    kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
    if end_ms is not None:
        kwargs["endTime"] = end_ms
    events: list[dict[str, Any]] = []
    try:
        while len(events) < limit:
            page = client.filter_log_events(**kwargs)
            events.extend(page.get("events", []))
            token = page.get("nextToken")
            if not token or not page.get("events"):
                break
            kwargs["nextToken"] = token
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        error = explain(exc, f"read the log group {group}")
        raise error from exc
    events.sort(key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))
    newest = max((e.get("timestamp", start_ms) for e in events), default=start_ms)
    return events[:limit], newest
