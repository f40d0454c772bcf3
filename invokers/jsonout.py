"""svl-tui's own JSON output (``--json``, printed responses, ``list --json``): strict JSON, always.

Python writes ``NaN`` and ``Infinity`` by default; JSON (RFC 8259) has no such
values and ``jq``, browsers and AWS all refuse them. A handler may still return
one (Lambda's Python runtime writes it as is), so non-finite numbers are shown
as ``null``, as JavaScript's ``JSON.stringify`` does.

Events going to a function are encoded here too, as the UTF-8 bytes Lambda measures.
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` that never writes NaN or Infinity (they become null)."""
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False, **options)


def encode_event(event: Any) -> bytes:
    """An event as the bytes Lambda receives and measures against its limits: UTF-8, not \\u-escaped
    (a 4.5 MB CJK event is 4.5 MB, not the 9 MB of its escapes)."""
    return json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


class StreamedDocument:
    """``{"logs": [...], <result fields>}`` written as the records arrive, so ``--json`` holds none of them:
    memory stays flat however many lines a handler prints (keeping them took 2 GB for a million)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        out.write('{\n  "logs": [')

    def record(self, value: dict[str, Any]) -> None:
        self.out.write(("," if self.count else "") + "\n    " + dumps(value, default=str))
        self.count += 1

    def close(self, fields: dict[str, Any]) -> None:
        """The rest of the document (``fields`` must not be empty), then the end."""
        body = dumps(fields, indent=2, default=str)
        self.out.write(("\n  " if self.count else "") + "],\n" + body[2:] + "\n")
        self.out.flush()
