"""Follow a deployed function's CloudWatch Logs group, or read a time range of it.

Following first shows the recent history (``FilterLogEvents``), then streams
new events with CloudWatch Logs Live Tail where the account offers it; when
Live Tail is refused or its session ends, it polls ``FilterLogEvents`` (every
second while logs flow, backing off when quiet or throttled). Every event is
parsed with the same parser as local logs, Lambda's text and JSON formats
included.
"""

from __future__ import annotations

import asyncio
import threading
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
                 stop: asyncio.Event | None = None, live_tail: bool = True) -> AsyncIterator[LogRecord]:
    """New log records as they arrive, until ``stop`` is set; AWS errors are raised as AwsError."""
    start = since_ms if since_ms is not None else int(time.time() * 1000)
    stop = stop or asyncio.Event()
    seen = _Seen()
    if live_tail:
        try:
            events, newest = await asyncio.to_thread(_fetch, aws, group_name(spec), start, None, 10_000)
        except AwsError as exc:
            if exc.kind != "not-found":
                raise
            events, newest = [], start
        for event in events:
            if seen.first_time(event):
                yield to_record(event)
        start = max(start, newest - 5_000)
        async for event in _live_tail(aws, spec, stop):
            if seen.first_time(event):
                yield to_record(event)
    async for event in _poll(aws, spec, start, stop):
        if seen.first_time(event):
            yield to_record(event)


class _Seen:
    """Events already shown (live tail and polling overlap), remembered up to SEEN_IDS."""

    def __init__(self) -> None:
        self._order: deque[tuple[Any, ...]] = deque()
        self._keys: set[tuple[Any, ...]] = set()

    def first_time(self, event: dict[str, Any]) -> bool:
        key = (event.get("logStreamName"), event.get("timestamp"), event.get("message"))
        if key in self._keys:
            return False
        if len(self._order) >= SEEN_IDS:
            self._keys.discard(self._order.popleft())
        self._order.append(key)
        self._keys.add(key)
        return True


async def _live_tail(aws: Aws, spec: FunctionSpec, stop: asyncio.Event) -> AsyncIterator[dict[str, Any]]:
    """Events from a Live Tail session; returns quietly when Live Tail is not available or ends."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    try:
        stream = await asyncio.to_thread(_start_live_tail, aws, group_name(spec))
    except AwsError:
        return  # not offered (permissions, region, endpoint): polling takes over
    if stream is None:
        return

    from botocore.exceptions import BotoCoreError, ClientError  # boto3 stays off the import path until used

    def pump() -> None:
        try:
            for message in stream:
                for event in (message.get("sessionUpdate") or {}).get("sessionResults") or []:
                    loop.call_soon_threadsafe(queue.put_nowait, event)
        except (BotoCoreError, ClientError, OSError):
            pass  # the session broke (network, expiry, throttling): polling takes over
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    thread = threading.Thread(target=pump, name="svl-live-tail", daemon=True)
    thread.start()
    try:
        while not stop.is_set():
            getter = asyncio.ensure_future(queue.get())
            stopper = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if getter not in done:
                getter.cancel()
                return
            event = getter.result()
            if event is None:
                return
            yield event
    finally:
        try:
            stream.close()
        except (BotoCoreError, OSError):
            pass  # already closed or its connection is gone: nothing left to release


def _start_live_tail(aws: Aws, group: str) -> Any:
    client = aws.client("logs")
    try:
        groups = client.describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
        arn = next((g["arn"] for g in groups if g.get("logGroupName") == group), None)
        if arn is None:
            return None
        return client.start_live_tail(logGroupIdentifiers=[arn.removesuffix(":*")])["responseStream"]
    except Exception as exc:
        raise explain(exc, f"start a Live Tail session on {group}") from exc


async def _poll(aws: Aws, spec: FunctionSpec, start: int, stop: asyncio.Event) -> AsyncIterator[dict[str, Any]]:
    delay = POLL_S
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
        for event in events:
            yield event
        # Events can arrive late (ingestion delay): look back a little from the newest one seen.
        start = max(start, newest - 5_000)
        delay = POLL_S if events else min(MAX_POLL_S, delay * 1.5)
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
    except Exception as exc:
        error = explain(exc, f"read the log group {group}")
        raise error from exc
    events.sort(key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))
    newest = max((e.get("timestamp", start_ms) for e in events), default=start_ms)
    return events[:limit], newest
