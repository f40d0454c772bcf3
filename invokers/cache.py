"""Small JSON caches under ``$XDG_CACHE_HOME/svl-tui`` (node versions, runtime hints).

Best effort: a read-only or missing home only costs the next run some time,
never correctness, so every failure here is silent. Writes are atomic.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def path(name: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svl-tui" / name


def read(name: str) -> dict[str, Any]:
    try:
        data = json.loads(path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(name: str, data: dict[str, Any], keep: int = 64) -> None:
    """Write ``data`` (its last ``keep`` entries) atomically."""
    target = path(name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps(dict(list(data.items())[-keep:])), encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        pass
