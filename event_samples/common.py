"""Pieces every generator needs: fresh ids, times, ARNs, parameter coercion, templates.

Generated events must agree with themselves (region in the ARN = awsRegion,
epoch = ISO time, md5OfBody = MD5 of the body), so all of it comes from here.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_ACCOUNT = "123456789012"


@cache
def _template_text(kind: str) -> str:
    return (TEMPLATES / f"{kind}.json").read_text(encoding="utf-8")


def template(kind: str) -> Any:
    """A fresh deep copy of the on-disk template for ``kind``."""
    return copy.deepcopy(json.loads(_template_text(kind)))


@dataclass
class Env:
    """Where the event pretends to come from, and when."""

    region: str = field(default_factory=lambda: os.environ.get("AWS_REGION") or os.environ.get(
        "AWS_DEFAULT_REGION") or "us-east-1")
    account: str = DEFAULT_ACCOUNT
    now: float = field(default_factory=time.time)
    partition: str = "aws"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account if account else ''}:"
                f"{resource}")

    @property
    def iso(self) -> str:
        """``2026-11-25T07:00:00.123Z``"""
        moment = datetime.fromtimestamp(self.now, timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    @property
    def iso_seconds(self) -> str:
        return datetime.fromtimestamp(self.now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def epoch_ms(self) -> int:
        return int(self.now * 1000)

    @property
    def clf(self) -> str:
        """API Gateway's request time: ``25/Nov/2026:07:00:00 +0000``."""
        return datetime.fromtimestamp(self.now, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")


def new_id() -> str:
    return str(uuid.uuid4())


def hex_id(length: int = 32) -> str:
    return os.urandom(length // 2 + 1).hex()[:length]


def as_json_or_text(value: Any) -> tuple[str | None, bool]:
    """A body as sent on the wire, and whether it is JSON.

    Mappings and lists are JSON-encoded; strings that parse as a JSON object or
    array count as JSON too (so ``--body '{"id": 1}'`` sets a JSON content type).
    """
    if value is None:
        return None, False
    if isinstance(value, (dict, list)):
        return json.dumps(value), True
    text = str(value)
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        try:
            json.loads(stripped)
            return text, True
        except ValueError:
            pass
    return text, False


def as_mapping(value: Any, what: str) -> dict[str, str]:
    """Headers, query strings or attributes from a dict, a JSON object, or ``a=1&b=2``."""
    if value in (None, "", {}):
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    text = str(value).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{what}: not valid JSON ({exc})") from None
        return as_mapping(data, what)
    if "=" in text:
        return dict(parse_qsl(text.lstrip("?"), keep_blank_values=True))
    if ":" in text:
        return {k.strip(): v.strip() for k, v in (part.split(":", 1) for part in text.split(";") if ":" in part)}
    raise ValueError(f"{what}: expected a JSON object or key=value&key2=value2, got {text!r}")


def as_json_value(value: Any, what: str) -> Any:
    """A JSON value given as data or text; plain text that is not JSON stays a string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if value.strip()[:1] in ("{", "["):
            raise ValueError(f"{what}: looks like JSON but does not parse") from None
        return value


def as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    parsed = as_json_value(value, what)
    return parsed if isinstance(parsed, list) else [parsed]


def b64(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(data).decode("ascii")
