"""An embedded AWS (moto's server on 127.0.0.1) per test module, and event sources over real workers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import boto3
import pytest

from invokers.aws import mock as mock_aws
from invokers.aws.mock import MockAws
from invokers.engine import Engine
from invokers.event_sources import Delivery, EventSources, Notice
from invokers.models import FunctionSpec

WAIT_S = 60.0
"""Generous: the machine is shared; waits end as soon as what they wait for has happened."""


@pytest.fixture(scope="module")
def mock() -> Iterator[MockAws]:
    server = mock_aws.start()
    try:
        yield server
    finally:
        server.stop()


def client(mock: MockAws, service: str) -> Any:
    return boto3.client(service, endpoint_url=mock.endpoint, region_name=mock.region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", aws_session_token="testing")


def unique(prefix: str) -> str:
    """Names differ per test: the module's mock is shared."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Seen:
    """What the sources reported, with waits that end on the report they wait for."""

    def __init__(self) -> None:
        self.items: list[Delivery | Notice] = []
        self._changed = asyncio.Event()

    def __call__(self, item: Delivery | Notice) -> None:
        self.items.append(item)
        self._changed.set()

    @property
    def deliveries(self) -> list[Delivery]:
        return [item for item in self.items if isinstance(item, Delivery)]

    @property
    def notices(self) -> list[Notice]:
        return [item for item in self.items if isinstance(item, Notice)]

    async def until(self, condition: Callable[[Seen], bool], timeout: float = WAIT_S) -> None:
        async def wait() -> None:
            while not condition(self):
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"not seen within {timeout:g} s; seen: "
                                 f"{[item.line() for item in self.items[-10:]]}") from None


@asynccontextmanager
async def running(mock: MockAws, *functions: FunctionSpec, **options: Any) -> AsyncIterator[tuple[EventSources, Seen]]:
    """Event sources for ``functions`` against ``mock``; yields them and what they report."""
    seen = Seen()
    async with Engine(worker_env=mock.environment) as engine:
        sources = EventSources(engine, list(functions), mock.endpoint, mock.region, **options)
        sources.listeners.append(seen)
        await sources.start()
        try:
            yield sources, seen
        finally:
            await sources.close()


def bodies(delivery: Delivery) -> list[str]:
    return [record["body"] for record in delivery.event["Records"]]
