"""The vocabulary of event validation: an Issue (a problem with its JSON path and a fix) and the Checker
that collects them field by field, naming types as a JSON user reads them."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    path: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" (AWS would never send this) | "warning" (odd but possible)
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.line else self.path
        return f"{self.severity}: {where}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class Checker:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.issues.append(Issue(path, message, hint, severity))

    def field(self, obj: Any, key: str, path: str, types: tuple[type, ...] | type, hint: str = "",
              *, optional: bool = False, nullable: bool = False) -> Any:
        """``obj[key]`` if present with one of ``types``; records a problem otherwise."""
        where = f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"
        if not isinstance(obj, dict) or key not in obj:
            if not optional:
                self.add(where, "missing", hint)
            return None
        value = obj[key]
        if value is None and (nullable or optional):
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in as_tuple(types)):
            self.add(where, f"should be {type_names(types)}, not {json_type(value)}", hint)
            return None
        return value

    def equals(self, obj: Any, key: str, path: str, expected: Any, hint: str = "") -> None:
        value = self.field(obj, key, path, type(expected), hint)
        if value is not None and value != expected:
            self.add(f"{path}.{key}", f"should be {json.dumps(expected)}, not {json.dumps(value)}", hint)

    def records(self, event: Any, hint: str) -> list[tuple[str, Any]]:
        records = self.field(event, "Records", "$", list, hint)
        if records is None:
            return []
        if not records:
            self.add("$.Records", "is empty: a trigger always delivers at least one record", hint)
        result = []
        for index, record in enumerate(records):
            path = f"$.Records[{index}]"
            if not isinstance(record, dict):
                self.add(path, f"should be an object, not {json_type(record)}")
                continue
            result.append((path, record))
        return result


def as_tuple(types: tuple[type, ...] | type) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def type_names(types: tuple[type, ...] | type) -> str:
    names = {str: "a string", int: "a number", float: "a number", bool: "true or false", dict: "an object",
             list: "a list"}
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in as_tuple(types)))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a number", float: "a number", dict: "an object", list: "a list"}.get(
        type(value), type(value).__name__)


def valid_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
        return True
    except (binascii.Error, ValueError):
        return False
