"""One connection of a worker to its Runtime API: requests parsed as their bytes arrive, answered in order.

The protocol half of ``runtime_api.py`` (which holds the routes and the invocation in progress): keep-alive,
pipelining, Content-Length and chunked bodies, ``Expect: 100-continue``, the key or peer check before a body
is read; the parsing itself is ``http_wire.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from .api_key import strip_key
from .http_wire import CONTINUE, Body, parse_head, wants_continue

if TYPE_CHECKING:
    from .runtime_api import Invocation, RuntimeAPI


class RuntimeConnection(asyncio.Protocol):
    """One keep-alive connection of the worker: requests parsed as their bytes arrive, answered in order.

    A protocol rather than a stream and a task per connection: a request costs no task wake-up,
    future or stream read. Work that must wait (the connection's peer check, a streamed chunk's
    consumer) pauses reading; a ``GET /next`` waits for ``RuntimeAPI.submit``. Bytes that arrive
    meanwhile wait in the buffer, so pipelined requests are answered in order.
    """

    def __init__(self, api: RuntimeAPI) -> None:
        self.api = api
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.request: tuple[str, str, Body, Callable[[bytes], Awaitable[None]] | None] | None = None
        """The request whose body is being read: method, route, body, the streamed chunks' consumer."""
        self.busy = False  # a GET /next, a peer check or a chunk's consumer is pending: input waits
        self.closed = False
        self.ended = False  # the client sent all it will (end of file): close once it is answered
        self.held: tuple[str, str, dict[str, str]] | None = None  # a request head waiting for the peer check
        self.peer_ok: bool | None = None  # the connection's peer, checked once (clients keep connections alive)
        self.waiting_next = False  # busy with a GET /next: what is written waits to go with the event
        self._out: list[bytes] = []
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport subclasses
        self.api.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.api.connections.discard(self)
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self._process()

    def eof_received(self) -> bool:
        self.ended = True
        return self.busy  # a request being answered keeps its half of the connection open until it is

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def answer_next(self, invocation: Invocation) -> None:
        """The event this connection's ``GET /next`` waited for."""
        self._send(self.api.next_answer(invocation))
        self.busy = self.waiting_next = False
        self._process()

    def _send(self, data: bytes) -> None:
        self._out.append(data)

    def _flush(self) -> None:
        """Write the answers gathered, in one write."""
        if self._out and self.transport is not None:
            self.transport.write(self._out[0] if len(self._out) == 1 else b"".join(self._out))
        self._out.clear()

    def _process(self) -> None:
        """Parse and answer every complete request in the buffer, until one has to wait.

        The answers go out together when it stops, except while a ``GET /next`` that came right behind
        them waits: a client that sent its answer and its next request at once (our bootstraps do) reads
        both answers in order anyway, so they go with the event, in one write and one wake-up of the
        worker instead of two. A client that waits for each answer sends nothing behind it: it gets it at once.
        """
        try:
            self._serve()
        finally:
            if not self.waiting_next:
                self._flush()

    def _serve(self) -> None:
        api = self.api
        try:
            while not self.busy and not self.closed:
                if self.request is None:
                    head, self.held = self.held or parse_head(self.buffer), None
                    if head is None:
                        if self.ended:
                            self._close()
                        return
                    method, path, headers = head
                    route = strip_key(path, api.key)
                    if route is None and api.peer_marker:
                        if self.peer_ok is None:
                            self.held = head  # served once the peer is known
                            self._wait(self._check_peer())
                            return
                        route = path if self.peer_ok else None
                    if route is None:
                        assert self.transport is not None
                        self._send(api.refusal(method, path, self.transport.get_extra_info("peername")))
                        self._close()
                        return
                    body = Body(headers)
                    self.request = (method, route, body, api.chunk_sink(method, route, headers))
                    if wants_continue(headers) and not body.done:
                        self._send(CONTINUE)
                method, route, body, sink = self.request
                chunks = body.feed(self.buffer)
                if chunks and sink is not None:
                    self._wait(_deliver(sink, chunks))
                    return
                if not body.done:
                    return
                self.request = None
                answer = api.route(self, method, route, body.headers, bytes(body.data))
                if answer is None:
                    self.busy = self.waiting_next = True  # answered by answer_next
                    return
                self._send(answer)
        except ValueError:  # malformed: the connection is dropped
            self._close()

    def _close(self) -> None:
        """Close after what was written (a refusal) has gone."""
        self._flush()
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _wait(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` with reading paused (back-pressure), then go on with the buffer."""
        assert self.transport is not None
        self.busy = True
        self.transport.pause_reading()
        self._task = asyncio.get_running_loop().create_task(work)
        self._task.add_done_callback(self._resume)

    def _resume(self, task: asyncio.Task[None]) -> None:
        self._task = None
        if task.cancelled() or self.closed:
            return
        if task.exception() is not None:
            self.abort()
            return
        assert self.transport is not None
        self.busy = False
        self.transport.resume_reading()
        self._process()

    async def _check_peer(self) -> None:
        from .peer import is_environment_peer

        assert self.transport is not None
        client, server = self.transport.get_extra_info("peername"), self.transport.get_extra_info("sockname")
        if not isinstance(client, tuple) or not isinstance(server, tuple):
            self.peer_ok = False
            return
        self.peer_ok = await asyncio.to_thread(is_environment_peer, client[:2], server[:2], self.api.worker_pid,
                                               self.api.peer_marker)


async def _deliver(sink: Callable[[bytes], Awaitable[None]], chunks: list[bytes]) -> None:
    for chunk in chunks:
        await sink(chunk)
