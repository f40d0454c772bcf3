"""Event filtering (``FilterCriteria``): which records reach the function, by EventBridge patterns.

Lambda applies the patterns to each record with its payload decoded: an SQS
``body``, a Kinesis ``data`` that is JSON, is matched as the object it holds.
A record no pattern matches is dropped (an SQS message is deleted).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from event_samples import patterns


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record as a filter sees it: SQS ``body`` and Kinesis ``data`` decoded when they hold JSON
    (Kinesis patterns name ``data``, ``partitionKey``... at the top, as Lambda reads them)."""
    view = dict(record)
    if "body" in view:
        view["body"] = _json(view["body"])
    kinesis = view.get("kinesis")
    if isinstance(kinesis, dict):  # Kinesis patterns name the record's own fields: data, partitionKey...
        view = {**view, **kinesis}
        try:
            view["data"] = _json(base64.b64decode(str(kinesis.get("data", ""))).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            pass
    return view


def keep(filters: list[Any], record: dict[str, Any]) -> bool:
    """True when there are no filters or any of them matches (patterns that cannot be read match nothing)."""
    if not filters:
        return True
    view = comparable(record)
    for pattern in filters:
        try:
            if patterns.matches(pattern, view):
                return True
        except patterns.PatternError:
            continue
    return False
