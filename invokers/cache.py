"""Small JSON caches in the user cache folder (``invokers.paths``) (node versions, runtime hints).

Best effort: a read-only or missing home only costs the next run some time,
never correctness, so every failure here is silent. Writes are atomic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def path(name: str) -> Path:
    from .paths import cache_dir

    return cache_dir() / name


def read(name: str) -> dict[str, Any]:
    try:
        data = json.loads(path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(name: str, data: dict[str, Any], keep: int = 64) -> None:
    """Write ``data`` (its last ``keep`` entries) atomically."""
    from event_samples.files import write_atomic

    try:
        write_atomic(path(name), json.dumps(dict(list(data.items())[-keep:])), durable=False)
    except OSError:
        pass  # best effort: see the module docstring
