"""Who may talk to an environment's Runtime API: the holder of its unguessable key.

The engine serves the Runtime API on 127.0.0.1, which every local process can
reach. Without a check, any of them could ``GET /invocation/next``, read the
next event (payload included) and post a forged answer. Each environment
therefore gets a random key that only its own processes know, carried as a
path prefix inside ``AWS_LAMBDA_RUNTIME_API`` (``127.0.0.1:PORT/svl-<hex>``):

- custom runtimes build their URLs as ``http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/...``
  (AWS's Go, Java and C++ clients, curl-based ``bootstrap`` scripts), so they
  send the prefix without knowing it exists;
- the key lives in the environment block of the worker and its descendants
  only, which other users cannot read (``/proc/<pid>/environ`` is private);
- it is portable: no peer-credential lookup that only Linux offers.

Kept free of heavy imports: ``spawn`` creates the key before asyncio is loaded.
"""

from __future__ import annotations

import hmac
import os

KEY_PREFIX = "svl-"


def new_key() -> str:
    """A fresh key for one environment: 128 random bits, URL-path safe."""
    return KEY_PREFIX + os.urandom(16).hex()


def api_address(host: str, port: int, key: str) -> str:
    """The ``AWS_LAMBDA_RUNTIME_API`` value for an environment: ``host:port/key``."""
    return f"{host}:{port}/{key}"


def strip_key(path: str, key: str) -> str | None:
    """``path`` without its ``/key`` prefix, or None when it does not carry ``key``.

    Compared in constant time, so the answer's timing says nothing about how
    much of a guessed key was right.
    """
    expected = "/" + key
    head = path[:len(expected)]
    rest = path[len(expected):]
    if not hmac.compare_digest(head.encode("latin-1", "replace"), expected.encode("latin-1")):
        return None
    if rest and not rest.startswith("/"):
        return None
    return rest
