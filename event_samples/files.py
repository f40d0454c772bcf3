"""Atomic file writes: readers see the old file or the new one, never half of one.

The one helper every writer of svl-tui uses (saved events here, the small
caches and config of ``invokers``). It lives in ``event_samples`` because that
is the lowest layer every other package may import, and it imports nothing
heavy, so a lean command path can use it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` to a temp file in the same folder, then rename it over ``path``.

    ``durable`` also fsyncs before the rename, so a crash of the machine keeps
    the old content or the new one (user data); caches skip it for speed.
    """
    import tempfile  # not at module level: it pulls in shutil and random, and few commands write

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def write_json_atomic(path: Path, value: Any) -> None:
    """``value`` as pretty JSON, atomically and durably.

    Strict JSON only: ``NaN`` and ``Infinity`` raise ``ValueError`` before anything is written.
    """
    write_atomic(path, json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
