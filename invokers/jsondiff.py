"""A structural diff of two JSON values: which paths were added, removed or changed.

Used to put a local response beside its deployed twin's (``svl-tui compare``)
and a replayed response beside its recorded snapshot (``svl-tui test``). A
line diff of two pretty-printed documents would flag a reordered key or a new
request id; this names the paths that really differ.

Volatile values (the documented rule, README "Comparing local and deployed"):
a change is *ignored* (counted, not reported) when

1. its key is one that differs on every call by design: request and trace ids
   (``requestId``, ``awsRequestId``, ``x-amzn-RequestId``, ``X-Amzn-Trace-Id``,
   ``traceId``, ``messageId``...) and clocks (``timestamp``, ``date``, ``time``,
   ``requestTime``, ``requestTimeEpoch``...), compared without case, ``-`` or ``_``; or
2. both sides are strings of the same volatile shape: two UUIDs, or two
   ISO-8601 date-times (``2024-05-01T10:00:00Z``).

Added and removed paths are always reported, whatever their name: a field that
exists on one side only is a difference in shape, not in value. A string that
holds JSON on both sides (an API Gateway proxy ``body``) is compared inside,
its paths marked ``<json>``. Extra paths to ignore can be given (``$.headers.ETag``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed"]

VOLATILE_KEYS = frozenset({
    "requestid", "awsrequestid", "xamznrequestid", "xamzrequestid", "xrequestid", "xamzntraceid", "traceid",
    "xraytraceid", "messageid", "correlationid", "invocationid", "executionid",
    "timestamp", "date", "time", "datetime", "requesttime", "requesttimeepoch", "now", "servertime",
    "generatedat", "createdat", "updatedat", "lastmodified", "expires", "etag",
})
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class Change:
    """One path that differs: ``left`` is the first side's value (absent when added), ``right`` the second's."""

    path: str
    kind: ChangeKind
    left: Any = None
    right: Any = None

    def to_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind != "added":
            shown["left"] = self.left
        if self.kind != "removed":
            shown["right"] = self.right
        return shown

    def describe(self, left: str = "local", right: str = "deployed") -> str:
        """One line: ``~ $.body<json>.message: "hi" (local) -> "hello" (deployed)``."""
        if self.kind == "added":
            return f"+ {self.path}: {_short(self.right)} (only {right})"
        if self.kind == "removed":
            return f"- {self.path}: {_short(self.left)} (only {left})"
        return f"~ {self.path}: {_short(self.left)} ({left}) -> {_short(self.right)} ({right})"


@dataclass
class Diff:
    """What differs between two values, and which volatile paths were set aside (see the module's rule)."""

    changes: list[Change] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {"same": self.same, "changes": [c.to_dict() for c in self.changes], "ignored": self.ignored}


def diff(left: Any, right: Any, *, ignore: Iterable[str] = (), volatile: bool = True) -> Diff:
    """The structural differences from ``left`` to ``right``; ``ignore`` lists exact paths to leave out.

    ``volatile=False`` reports every change, request ids and clocks included
    (snapshot tests of a handler whose output should be deterministic may want that).
    """
    found = Diff()
    _walk(left, right, "$", found, frozenset(ignore), volatile)
    return found


def _walk(left: Any, right: Any, path: str, found: Diff, ignore: frozenset[str], volatile: bool) -> None:
    if path in ignore:
        if left != right:
            found.ignored.append(path)
        return
    if isinstance(left, dict) and isinstance(right, dict):
        for key in left:
            child = _key_path(path, key)
            if key in right:
                _walk(left[key], right[key], child, found, ignore, volatile)
            elif child not in ignore:
                found.changes.append(Change(child, "removed", left=left[key]))
        for key in right:
            if key not in left and _key_path(path, key) not in ignore:
                found.changes.append(Change(_key_path(path, key), "added", right=right[key]))
        return
    if isinstance(left, list) and isinstance(right, list):
        for index in range(max(len(left), len(right))):
            child = f"{path}[{index}]"
            if index >= len(left):
                found.changes.append(Change(child, "added", right=right[index]))
            elif index >= len(right):
                found.changes.append(Change(child, "removed", left=left[index]))
            else:
                _walk(left[index], right[index], child, found, ignore, volatile)
        return
    if _same(left, right):
        return
    if isinstance(left, str) and isinstance(right, str):
        inner_left, inner_right = _json_inside(left), _json_inside(right)
        if inner_left is not None and inner_right is not None:
            _walk(inner_left, inner_right, f"{path}<json>", found, ignore, volatile)
            return
    if volatile and _is_volatile(path, left, right):
        found.ignored.append(path)
        return
    found.changes.append(Change(path, "changed", left=left, right=right))


def _same(left: Any, right: Any) -> bool:
    """Equal as JSON values: ``1`` and ``1.0`` are the same number, but ``true`` is not ``1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{path}[{json.dumps(key)}]"


def _json_inside(text: str) -> Any:
    """The object or array a string holds as JSON, else None (plain strings stay strings)."""
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _last_key(path: str) -> str:
    match = re.search(r'(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\])$', path)
    if match is None:
        return ""
    return match[1] if match[1] is not None else json.loads(f'"{match[2]}"')


def _is_volatile(path: str, left: Any, right: Any) -> bool:
    if volatile_key(_last_key(path)):
        return True
    if isinstance(left, str) and isinstance(right, str):
        return any(shape.match(left) and shape.match(right) for shape in (_UUID, _ISO_TIME))
    return False


def volatile_key(key: str) -> bool:
    """A key whose value differs on every call by design (rule 1 of the module's docstring)."""
    return re.sub(r"[-_]", "", key).lower() in VOLATILE_KEYS


Step = str | int


def volatile_paths(value: Any, keep: frozenset[str] = frozenset()) -> list[tuple[Step, ...]]:
    """Where one recorded value holds volatile data (the module's rule, applied to a single side).

    For tests made from one recording, which cannot expect a fresh request id or clock to repeat.
    Paths are tuples of keys and indices; ``"<json>"`` steps into a string holding JSON. Strings in
    ``keep`` are left alone (a request id the test gives its context again, so it does repeat).
    """
    found: list[tuple[Step, ...]] = []

    def walk(item: Any, path: tuple[Step, ...]) -> None:
        if isinstance(item, dict):
            for key, child in item.items():
                if volatile_key(str(key)) and not (isinstance(child, str) and child in keep) \
                        and not isinstance(child, (dict, list)):
                    found.append((*path, key))
                else:
                    walk(child, (*path, key))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                walk(child, (*path, index))
        elif isinstance(item, str) and item not in keep:
            inner = _json_inside(item)
            if inner is not None:
                walk(inner, (*path, "<json>"))
            elif _UUID.match(item) or _ISO_TIME.match(item):
                found.append(path)

    walk(value, ())
    return found


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"
