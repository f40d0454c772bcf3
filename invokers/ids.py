"""Random identifiers for invocations: request ids (UUID version 4, as Lambda's) and trace ids.

Drawn from a pooled buffer of ``os.urandom``: one system call per couple of hundred ids instead of
one to three per invocation (``uuid.uuid4`` reads the OS's random source on every call). The
``serve`` front can use ``request_id`` for the ids it makes too.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_POOL_BYTES = 4096
_lock = threading.Lock()
_pool = b""
_at = 0


def random_bytes(count: int) -> bytes:
    """``count`` bytes from the OS's random source (taken from the pool; never the same bytes twice)."""
    global _pool, _at
    with _lock:
        if _at + count > len(_pool):
            _pool, _at = os.urandom(max(_POOL_BYTES, count)), 0
        _at += count
        return _pool[_at - count:_at]


def request_id() -> str:
    """A new request id: a random UUID (version 4)."""
    return str(uuid.UUID(bytes=random_bytes(16), version=4))


def trace_id() -> str:
    """An X-Ray style trace header, so tracing libraries find what they expect."""
    digits = random_bytes(20).hex()
    return f"Root=1-{int(time.time()):08x}-{digits[:24]};Parent={digits[24:]};Sampled=0"
