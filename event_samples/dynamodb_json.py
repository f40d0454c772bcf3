"""DynamoDB's typed JSON (``{"N": "101"}``) to plain values and back.

Numbers become int or float (Decimal precision is not needed for display and
editing); sets become sorted lists on the way out and ``SS``/``NS`` only when
asked for, since plain JSON has no set type.
"""

from __future__ import annotations

import base64
from typing import Any


def to_typed(value: Any) -> dict[str, Any]:
    """A plain value as a DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": _number_text(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {"M": {str(k): to_typed(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_typed(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = sorted(value)
        if all(isinstance(v, str) for v in items):
            return {"SS": items}
        return {"NS": [_number_text(v) for v in items]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def to_typed_item(item: dict[str, Any]) -> dict[str, Any]:
    return {str(k): to_typed(v) for k, v in item.items()}


def from_typed(attribute: Any) -> Any:
    """A DynamoDB attribute value as a plain value; raises ValueError on a malformed one."""
    if not isinstance(attribute, dict) or len(attribute) != 1:
        raise ValueError(f"expected one type key such as {{'S': ...}}, got {attribute!r}")
    (kind, value), = attribute.items()
    if kind == "S":
        return str(value)
    if kind == "N":
        return _parse_number(value)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "B":
        return base64.b64decode(value).decode("utf-8", "replace")
    if kind == "M":
        return {k: from_typed(v) for k, v in value.items()}
    if kind == "L":
        return [from_typed(v) for v in value]
    if kind == "SS":
        return sorted(value)
    if kind == "NS":
        return sorted(_parse_number(v) for v in value)
    if kind == "BS":
        return [base64.b64decode(v).decode("utf-8", "replace") for v in value]
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def from_typed_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: from_typed(v) for k, v in item.items()}


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_number(text: Any) -> int | float:
    try:
        return int(text)
    except (TypeError, ValueError):
        try:
            return float(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a DynamoDB number") from None
