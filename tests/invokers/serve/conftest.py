"""A running ``serve`` on a free port of 127.0.0.1, over real worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.pool import Limits
from invokers.serve.server import Server
from invokers.serve.traffic import Traffic


@asynccontextmanager
async def serving(*functions: FunctionSpec, limits: Limits | None = None,
                  configure: Callable[[Server], None] | None = None) -> AsyncIterator[tuple[Server, list[Traffic]]]:
    """Serve ``functions`` on a free port; yields the server and the traffic it reported."""
    seen: list[Traffic] = []
    async with Engine(limits=limits) as engine:
        server = Server(engine, list(functions))
        if configure is not None:
            configure(server)
        server.listeners.append(seen.append)
        await server.start("127.0.0.1", 0)
        try:
            yield server, seen
        finally:
            await server.close()
