"""EventBridge event patterns: does an event match, which field fails, and an event that matches.

The rules are EventBridge's documented ones: a pattern is an object whose
leaves are lists of allowed values (any one may match); an event array field
matches when any element does; a field the pattern names but the event lacks
only matches ``{"exists": false}``. Operators: literal values (strings,
numbers compared as numbers, ``null``, booleans), ``prefix``, ``suffix`` (both
also with ``equals-ignore-case``), ``anything-but`` (a value, a list, or a
prefix/suffix/equals-ignore-case/wildcard), ``numeric``, ``exists``,
``equals-ignore-case``, ``wildcard``, ``cidr`` and ``$or``.

The same rules filter SQS, Kinesis, DynamoDB and Kafka records for event
source mappings, so ``sample`` also builds a record body that passes a filter.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

_MISSING = object()
_NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")
_OPERATORS = ("prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "wildcard", "cidr")


class PatternError(ValueError):
    """The pattern itself is malformed (EventBridge would refuse the rule); says where and why."""


@dataclass(frozen=True)
class Mismatch:
    """Why an event does not match: the field (``detail.status``), what the pattern allows, what the event has."""

    path: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.path}: the pattern wants {self.expected}, the event has {self.actual}"


def parse(pattern: Any) -> dict[str, Any]:
    """A pattern given as a mapping or JSON text, checked for shape; raises PatternError."""
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError as exc:
            raise PatternError(f"the pattern is not valid JSON: {exc}") from None
    if not isinstance(pattern, dict) or not pattern:
        raise PatternError('a pattern is a non-empty JSON object such as {"source": ["my.app"]}')
    _check(pattern, "")
    return pattern


def _check(pattern: dict[str, Any], where: str) -> None:
    for key, value in pattern.items():
        path = f"{where}.{key}" if where else key
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise PatternError(f"{path}: $or takes a list of at least two pattern objects")
            for index, alternative in enumerate(value):
                _check(alternative, f"{path}[{index}]")
        elif isinstance(value, dict):
            _check(value, path)
        elif isinstance(value, list):
            if not value:
                raise PatternError(f"{path}: an empty list matches nothing; list the allowed values")
            for matcher in value:
                if isinstance(matcher, dict):
                    _check_operator(matcher, path)
        else:
            raise PatternError(f"{path}: values in a pattern are lists, e.g. [{json.dumps(value)}]")


def _check_operator(matcher: dict[str, Any], path: str) -> None:
    if len(matcher) != 1 or next(iter(matcher)) not in _OPERATORS:
        raise PatternError(f"{path}: unknown operator {json.dumps(matcher)}; known: {', '.join(_OPERATORS)}")
    (name, arg), = matcher.items()
    if name == "numeric":
        if not isinstance(arg, list) or not arg or len(arg) % 2 or any(
                op not in _NUMERIC_OPERATORS or not _is_number(n) for op, n in zip(arg[::2], arg[1::2], strict=True)):
            raise PatternError(f'{path}: numeric takes [operator, number, ...], e.g. [">", 0, "<=", 5]')
    elif name == "exists" and not isinstance(arg, bool):
        raise PatternError(f"{path}: exists takes true or false")
    elif name == "cidr":
        try:
            ipaddress.ip_network(str(arg), strict=False)
        except ValueError:
            raise PatternError(f"{path}: cidr takes a network such as 10.0.0.0/24, got {arg!r}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def first_mismatch(pattern: Any, event: Any) -> Mismatch | None:
    """None when ``event`` matches ``pattern``; else the first field that fails, and why."""
    return _object(parse(pattern), event, "")


def matches(pattern: Any, event: Any) -> bool:
    return first_mismatch(pattern, event) is None


def _object(pattern: dict[str, Any], event: Any, where: str) -> Mismatch | None:
    for key, rule in pattern.items():
        if key == "$or":
            failures = [_object(alternative, event, where) for alternative in rule]
            if all(failures):
                reasons = "; or ".join(str(f) for f in failures if f)
                return Mismatch(where or "$", "one of the $or alternatives", f"none matching ({reasons})")
            continue
        path = f"{where}.{key}" if where else key
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(rule, dict):
            if value is _MISSING or not isinstance(value, dict):
                if _only_absence(rule):
                    continue
                return Mismatch(path, "an object", _describe(value))
            failure = _object(rule, value, path)
            if failure:
                return failure
        elif not _leaf(rule, value):
            return Mismatch(path, _describe_rule(rule), _describe(value))
    return None


def _only_absence(rule: dict[str, Any]) -> bool:
    """A nested pattern that an absent object satisfies: every leaf is ``{"exists": false}``."""
    return all(_only_absence(v) if isinstance(v, dict) else isinstance(v, list) and {"exists": False} in v
               for k, v in rule.items() if k != "$or")


def _leaf(rule: list[Any], value: Any) -> bool:
    if value is _MISSING:
        return any(isinstance(m, dict) and m.get("exists") is False for m in rule)
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        values = []
    return any(_one(matcher, item) for matcher in rule for item in values) or any(
        isinstance(m, dict) and m.get("exists") is True for m in rule)


def _one(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        if _is_number(matcher) and _is_number(value):
            return float(matcher) == float(value)
        return type(matcher) is type(value) and matcher == value if not _is_number(matcher) else False
    (name, arg), = matcher.items()
    if name == "exists":
        return bool(arg)
    if name == "numeric":
        return _is_number(value) and all(_compare(float(value), op, float(n)) for op, n in zip(arg[::2], arg[1::2],
                                                                                               strict=True))
    if name == "anything-but":
        return _anything_but(arg, value)
    if not isinstance(value, str):
        return False
    if name in ("prefix", "suffix"):
        ignore_case = isinstance(arg, dict)
        text = str(arg.get("equals-ignore-case", "")) if isinstance(arg, dict) else str(arg)
        subject, text = (value.lower(), text.lower()) if ignore_case else (value, text)
        return subject.startswith(text) if name == "prefix" else subject.endswith(text)
    if name == "equals-ignore-case":
        return value.lower() == str(arg).lower()
    if name == "wildcard":
        return _wildcard(str(arg)).fullmatch(value) is not None
    if name == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(str(arg), strict=False)
        except ValueError:
            return False
    return False


def _anything_but(arg: Any, value: Any) -> bool:
    if isinstance(arg, dict):
        return not _one(arg, value)
    excluded = arg if isinstance(arg, list) else [arg]
    return not any(_one(item, value) for item in excluded)


def _compare(value: float, operator: str, bound: float) -> bool:
    return {"=": value == bound, "<": value < bound, "<=": value <= bound, ">": value > bound,
            ">=": value >= bound}[operator]


def _wildcard(text: str) -> re.Pattern[str]:
    parts = re.split(r"(\\\*|\*)", text)
    return re.compile("".join(".*" if p == "*" else re.escape("*" if p == "\\*" else p) for p in parts), re.DOTALL)


def _describe(value: Any) -> str:
    return "no such field" if value is _MISSING else json.dumps(value)


def _describe_rule(rule: list[Any]) -> str:
    parts = [json.dumps(m) for m in rule]
    return parts[0] if len(parts) == 1 else "one of " + ", ".join(parts)


# ---- building a matching event ------------------------------------------------------------

def sample(pattern: Any) -> dict[str, Any]:
    """An object that matches ``pattern``: the first satisfiable choice of every field.

    ``{"exists": false}`` leaves the field out; ``$or`` takes its first
    alternative. Raises PatternError for a leaf no value can satisfy (such as
    ``numeric [">", 5, "<", 1]``).
    """
    return _sample_object(parse(pattern), "")


def _sample_object(pattern: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, rule in pattern.items():
        path = f"{where}.{key}" if where else key
        if key == "$or":
            out.update(_sample_object(rule[0], where))
        elif isinstance(rule, dict):
            if not _only_absence(rule):
                out[key] = _merge(out.get(key), _sample_object(rule, path))
        else:
            value = _sample_leaf(rule, path)
            if value is not _MISSING:
                out[key] = value
    return out


def _merge(old: Any, new: dict[str, Any]) -> dict[str, Any]:
    return {**old, **new} if isinstance(old, dict) else new


def _sample_leaf(rule: list[Any], path: str) -> Any:
    for matcher in rule:
        value = _sample_one(matcher)
        if value is not _MISSING and (value is _ABSENT or _one(matcher, value)):
            return _MISSING if value is _ABSENT else value
    raise PatternError(f"{path}: no value satisfies {_describe_rule(rule)}")


_ABSENT = object()


def _sample_one(matcher: Any) -> Any:
    if not isinstance(matcher, dict):
        return matcher
    (name, arg), = matcher.items()
    if name == "exists":
        return "example" if arg else _ABSENT
    if name == "prefix":
        return (arg.get("equals-ignore-case", "") if isinstance(arg, dict) else str(arg)) + "example"
    if name == "suffix":
        return "example" + (arg.get("equals-ignore-case", "") if isinstance(arg, dict) else str(arg))
    if name == "equals-ignore-case":
        return str(arg)
    if name == "wildcard":
        return "".join("*" if p == "\\*" else "x" if p == "*" else p for p in re.split(r"(\\\*|\*)", str(arg)))
    if name == "cidr":
        network = ipaddress.ip_network(str(arg), strict=False)
        return str(network.network_address + (1 if network.num_addresses > 1 else 0))
    if name == "numeric":
        return _sample_number(arg)
    if name == "anything-but":
        return _sample_anything_but(arg)
    return _MISSING


def _sample_number(arg: list[Any]) -> Any:
    low, high = float("-inf"), float("inf")
    for operator, bound in zip(arg[::2], arg[1::2], strict=True):
        if operator == "=":
            return bound
        if operator in (">", ">="):
            low = max(low, float(bound))
        else:
            high = min(high, float(bound))
    for candidate in (low, low + 1, (low + high) / 2, high, high - 1, 0):
        if candidate not in (float("inf"), float("-inf")) and all(
                _compare(candidate, op, float(n)) for op, n in zip(arg[::2], arg[1::2], strict=True)):
            return int(candidate) if candidate == int(candidate) else candidate
    return _MISSING


def _sample_anything_but(arg: Any) -> Any:
    excluded = arg if isinstance(arg, list) else [arg]
    if all(_is_number(item) for item in excluded):
        return int(max(float(item) for item in excluded)) + 1
    for candidate in ("something-else", "other-value", "zzz-other"):
        if _anything_but(arg, candidate):
            return candidate
    return _MISSING
