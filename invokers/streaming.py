"""A streamed response's pieces, as ``ResponseChunk``s for the invocation's stream while the handler runs.

Functions using Lambda response streaming (``awslambda.streamifyResponse``,
``InvokeMode: RESPONSE_STREAM``) post their answer to the Runtime API as a
chunked body. The Runtime API hands each piece to a ``ChunkStream`` as it
arrives; this turns the pieces into ``ResponseChunk``s: an HTTP-integration
stream's prelude (``{statusCode, headers, cookies}`` then 8 NUL bytes) is held
back until complete and rides on the first chunk, so a face (``serve``) knows
the status and headers before the first byte of body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .models import ResponseChunk
from .runtime_api import STREAM_PRELUDE_TYPE, split_prelude

PRELUDE_LIMIT = 64 * 1024
"""A prelude that has not ended after this many bytes is taken for body (the Result still parses it whole)."""


class ChunkStream:
    """Turns one invocation's streamed pieces into ``ResponseChunk``s, passed to ``put`` in order."""

    def __init__(self, request_id: str, put: Callable[[ResponseChunk], Awaitable[None]]) -> None:
        self.request_id = request_id
        self._put = put
        self._head = b""
        self._prelude_done = False

    async def feed(self, content_type: str, data: bytes) -> None:
        """One piece of the body as the worker sent it (``runtime_api.ChunkSink``)."""
        if content_type == STREAM_PRELUDE_TYPE and not self._prelude_done:
            self._head += data
            prelude, body = split_prelude(self._head)
            if prelude is None and len(self._head) <= PRELUDE_LIMIT:
                return
            self._prelude_done, self._head = True, b""
            await self._put(ResponseChunk(self.request_id, body, prelude=prelude or {}))
            return
        if data:
            await self._put(ResponseChunk(self.request_id, data))
