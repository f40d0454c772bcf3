"""Serve's HTTP/1.1 server: listens, serves each client with ``http_connection.HttpConnection``, closes idle ones.

Requests are parsed by ``http_parser.py`` and answered by ``http_connection.py``; this module owns the
listening socket, the set of connections and requests in flight, and the idle sweep.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .http_connection import Handler, HttpConnection
from .http_parser import DEFAULT_MAX_BODY

IDLE_S = 75.0
"""A connection with no request running and no byte for this long is closed (aiohttp's keep-alive time);
an incomplete request left that long gets 408 first."""


class HttpServer:
    """Listens on ``host:port`` and serves each connection with ``HttpConnection``."""

    def __init__(self, handler: Handler, *, max_body: int = DEFAULT_MAX_BODY, idle_s: float = IDLE_S) -> None:
        self._handler = handler
        self._max_body = max_body
        self.idle_s = idle_s
        self._sweeper: asyncio.TimerHandle | None = None
        self._server: asyncio.Server | None = None
        self.connections: set[HttpConnection] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (``port`` 0 picks a free one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpConnection(self._handler, self.connections, self.tasks, self._max_body), host, port,
            backlog=1024, reuse_address=True)
        sockets: Any = self._server.sockets
        self._sweep()
        return int(sockets[0].getsockname()[1]) if sockets else port

    def _sweep(self) -> None:
        """Every few seconds, not per request: close the connections idle for ``idle_s``."""
        now = time.monotonic()
        for connection in list(self.connections):
            connection.expire(now, self.idle_s)
        self._sweeper = asyncio.get_running_loop().call_later(min(self.idle_s / 2, 15.0), self._sweep)

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        for connection in list(self.connections):
            connection.abort()
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()  # requests in flight, and functions still running after an early answer
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None
