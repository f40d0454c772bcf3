"""Random identifiers for invocations: request ids (UUID version 4, as Lambda's) and trace ids.

Drawn from a pooled buffer of ``os.urandom``: one system call per couple of hundred ids instead of
one to three per invocation (``uuid.uuid4`` reads the OS's random source on every call). The
``serve`` front can use ``request_id`` for the ids it makes too.
"""

from __future__ import annotations

import os
import threading
import time

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


_VERSION_4 = (0x4 << 76) | (0x2 << 62)  # the version nibble (4) and RFC 4122's variant bits (10)
_UNVERSIONED = ~((0xF << 76) | (0x3 << 62))


def request_id() -> str:
    """A new request id: a random UUID (version 4), formatted directly (a ``uuid.UUID`` costs as much again)."""
    value = int.from_bytes(random_bytes(16), "big") & _UNVERSIONED | _VERSION_4
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def trace_id() -> str:
    """An X-Ray style trace header, so tracing libraries find what they expect."""
    digits = random_bytes(20).hex()
    return f"Root=1-{int(time.time()):08x}-{digits[:24]};Parent={digits[24:]};Sampled=0"
