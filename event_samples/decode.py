"""An event's meaningful content, decoded for people, and edited content encoded back.

SQS and SNS bodies, Kinesis data (base64), DynamoDB images (typed JSON),
API bodies (maybe base64), CloudWatch Logs batches (gzip + base64) are shown
as plain values; ``encode`` writes an edited value back in the wire form and
keeps dependent fields (``md5OfBody``, ``isBase64Encoded``) right.
"""

from __future__ import annotations

import base64
import binascii
import copy
import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .detect import detect
from .dynamodb_json import from_typed_item, to_typed_item

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Content:
    """One decoded piece: where it lives, what it is, and its plain value."""

    path: Path
    label: str
    value: Any
    encoding: str  # "text" | "base64" | "dynamodb" | "gzip-base64"

    @property
    def json_path(self) -> str:
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)


def _maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _get(event: Any, path: Path) -> Any:
    for part in path:
        event = event[part]
    return event


def contents(event: Any, kind: str | None = None) -> list[Content]:
    """The meaningful pieces of ``event``; empty for kinds with nothing encoded. Never raises."""
    kind = kind or detect(event)
    try:
        return _contents(event, kind)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError, binascii.Error, OSError, EOFError):
        return []


def _contents(event: Any, kind: str | None) -> list[Content]:
    out: list[Content] = []
    records = event.get("Records", []) if isinstance(event, dict) else []
    if kind == "sqs":
        for i, record in enumerate(records):
            out.append(Content(("Records", i, "body"), f"message {i + 1}", _maybe_json(record["body"]), "text"))
    elif kind == "sns":
        for i, record in enumerate(records):
            out.append(Content(("Records", i, "Sns", "Message"), f"message {i + 1}",
                               _maybe_json(record["Sns"]["Message"]), "text"))
    elif kind == "kinesis":
        for i, record in enumerate(records):
            text = base64.b64decode(record["kinesis"]["data"]).decode("utf-8", "replace")
            out.append(Content(("Records", i, "kinesis", "data"), f"record {i + 1}", _maybe_json(text), "base64"))
    elif kind == "dynamodb":
        for i, record in enumerate(records):
            for image in ("Keys", "NewImage", "OldImage"):
                if image in record["dynamodb"]:
                    out.append(Content(("Records", i, "dynamodb", image), f"record {i + 1} {image}",
                                       from_typed_item(record["dynamodb"][image]), "dynamodb"))
    elif kind in ("apigw-rest", "apigw-http", "function-url", "alb", "graphql"):
        body = event.get("body")
        if isinstance(body, str) and body:
            encoded = bool(event.get("isBase64Encoded"))
            text = base64.b64decode(body).decode("utf-8", "replace") if encoded else body
            out.append(Content(("body",), "body", _maybe_json(text), "base64" if encoded else "text"))
    elif kind == "cloudwatch-logs":
        payload = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
        out.append(Content(("awslogs", "data"), "log batch", payload, "gzip-base64"))
    elif kind == "eventbridge":
        out.append(Content(("detail",), "detail", event["detail"], "json"))
    return out


def encode(event: Any, content: Content, value: Any) -> Any:
    """A copy of ``event`` with ``content`` replaced by the plain ``value``, in the wire encoding."""
    updated = copy.deepcopy(event)
    *parents, last = content.path
    holder = _get(updated, tuple(parents))
    text = value if isinstance(value, str) else json.dumps(value)
    if content.encoding == "text":
        holder[last] = text
        if last == "body" and "md5OfBody" in holder:
            holder["md5OfBody"] = hashlib.md5(text.encode()).hexdigest()
    elif content.encoding == "base64":
        holder[last] = base64.b64encode(text.encode()).decode("ascii")
    elif content.encoding == "dynamodb":
        if not isinstance(value, dict):
            raise ValueError("a DynamoDB image must be a JSON object of attribute names to values")
        holder[last] = to_typed_item(value)
    elif content.encoding == "gzip-base64":
        holder[last] = base64.b64encode(gzip.compress(json.dumps(value).encode())).decode("ascii")
    else:
        holder[last] = value
    return updated
