"""Editor text to JSON, strictly: a syntax error, or a ``NaN`` / ``Infinity`` Python would accept, becomes an
Issue with its line and column."""

from __future__ import annotations

import json
import re
from typing import Any

from .checker import Issue


def parse_json(text: str) -> tuple[Any, Issue | None]:
    """Parse editor text; a syntax error becomes an Issue with its line and column."""
    try:
        return loads_strict(text), None
    except json.JSONDecodeError as exc:
        return None, Issue("$", f"invalid JSON: {exc.msg}", "keys and strings need double quotes; no trailing commas",
                           line=exc.lineno, column=exc.colno)


_CONSTANT = re.compile(r'"(?:\\.|[^"\\])*"|(-?Infinity|NaN)')


def loads_strict(text: str) -> Any:
    """``json.loads`` that refuses ``NaN``, ``Infinity`` and ``-Infinity``, with their line and column.

    Python accepts them, JSON (RFC 8259) does not, and neither does AWS: an
    event holding one would work here and fail when deployed.
    """
    def refuse(name: str) -> None:
        raise _NonStandard(name)

    try:
        return json.loads(text, parse_constant=refuse)
    except _NonStandard as exc:
        found = next((m for m in _CONSTANT.finditer(text) if m.group(1)), None)
        raise json.JSONDecodeError(f"{exc} is not JSON: use null, a number or a string",
                                   text, found.start(1) if found else 0) from None


class _NonStandard(ValueError):
    """``NaN`` / ``Infinity`` met while parsing."""
