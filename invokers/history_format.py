"""How a run is written in the history (``invokers/history.py``): its two lines, and what is masked.

A run is a figures line (small: what statistics read) and a payload line (its event and its response
or error, each capped). Both are compact JSON; figures at their default values are left out.

Secrets are never written unmasked: string values under secret-sounding keys
(``environment.mask_value``: ``Authorization``, ``password``, ``apiKey`` ...),
credentials in URLs, and the function's own secret environment values wherever
they appear (a handler that echoes its token) are masked before writing. AWS
event fields that only sound secret (an S3 object's ``key``, a Kinesis
``partitionKey``) are identifiers and kept.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import quote

from .environment import MASK, looks_secret, mask_url_credentials
from .jsonout import dumps
from .models import FunctionSpec, Result, function_key

log = logging.getLogger("svl.history")

IDENTIFIER_KEYS = frozenset({"key", "partitionkey", "keys", "sortkey", "objectkey", "newkeys", "oldkeys",
                             "sequencenumber", "md5ofbody", "md5ofmessageattributes"})
"""Keys of AWS event shapes that sound secret to ``looks_secret`` but name data (S3 ``key``, Kinesis
``partitionKey``, DynamoDB ``Keys``): masking them would break the event a run is replayed with."""

DEFAULTS: dict[str, Any] = {"init_ms": None, "source": "local", "architecture": "x86_64", "region": "",
                            "error_type": ""}
"""Figures a line leaves out when they have these values (``History.load`` puts them back)."""


def encode_run(result: Result, event: Any, spec: FunctionSpec, payload_cap: int) -> tuple[str, bytes, bytes] | None:
    """The run's file stem, payload line and figures line (masked, capped); None if it cannot be encoded."""
    key = function_key(spec)
    if isinstance(event, (bytes, bytearray)):  # raw bytes sent to test unmarshalling: kept as text
        event = bytes(event).decode("utf-8", "replace")
    secrets = secret_values(spec.environment)
    parts = [f'{{"request_id":{compact(result.request_id)}']
    truncated: list[str] = []
    try:
        for name, value in (("event", event), ("response", result.response), ("error", result.error)):
            if value is not None:
                text, cut = _capped(value, secrets, payload_cap)
                parts.append(f',"{name}":{text}')
                if cut:
                    truncated.append(name)
    except (TypeError, ValueError) as exc:  # pragma: no cover - events and responses are JSON values
        log.warning("could not record %s: %s", result.request_id, exc)
        return None
    parts.append(f',"truncated":{compact(truncated)}}}\n')
    payload_line = "".join(parts).encode("utf-8", "surrogatepass")
    figures = {
        "request_id": result.request_id, "timestamp": result.started_at, "status": result.status,
        "cold": result.cold, "init_ms": result.init_ms, "duration_ms": result.duration_ms,
        "billed_ms": result.billed_ms, "max_memory_mb": result.max_memory_mb, "memory_mb": result.memory_mb,
        "cost": result.cost_usd, "source": "local" if spec.is_local else "deployed",
        "architecture": spec.architecture, "region": spec.region,
        "error_type": error_type_of(result.status, result.error),
    }
    for name, default in DEFAULTS.items():  # smaller lines load faster: defaults are left out
        if figures[name] == default:
            del figures[name]
    figures_line = (compact(figures) + "\n").encode("utf-8", "surrogatepass")
    return file_stem(key), payload_line, figures_line


def _capped(value: Any, secrets: list[str], cap: int) -> tuple[str, bool]:
    """``value`` masked, as compact JSON; over ``cap`` characters, a truncated preview in its place."""
    text = compact(masked(value, secrets))
    if len(text) <= cap:
        return text, False
    return compact({"svl_truncated": True, "length": len(text), "preview": text[:cap]}), True


def error_type_of(status: str, error: dict[str, Any] | None) -> str:
    """Lambda's ``errorType`` of a failed run, else its status (``timeout``); empty for a success."""
    if status == "ok":
        return ""
    return str((error or {}).get("errorType") or status)


def file_stem(key: str) -> str:
    """A function key as a file name that cannot leave the folder (``/``, ``..``, ``:`` quoted)."""
    stem = quote(key, safe="-_@+=,")
    return stem.replace(".", "%2E")


def compact(value: Any) -> str:
    """``value`` as JSON without spaces (and unescaped non-ASCII): the history's lines."""
    return dumps(value, ensure_ascii=False, separators=(",", ":"))


def request_id_of(line: str) -> str | None:
    """The request id at the start of a payload line, read without parsing the (maybe large) rest."""
    prefix = '{"request_id":"'
    if not line.startswith(prefix):
        return None
    end = line.find('"', len(prefix))
    return line[len(prefix):end] if end > 0 else None


# ---- masking -------------------------------------------------------------------------

def secret_values(environment: dict[str, str]) -> list[str]:
    """The function's secret environment values, longest first (so a longer one is masked whole)."""
    values = {str(value) for name, value in environment.items()
              if looks_secret(name, str(value)) and len(str(value)) >= 4}
    return sorted(values, key=len, reverse=True)


def masked(value: Any, secrets: list[str], name: str = "") -> Any:
    """``value`` with secrets masked (see the module's docstring); the structure is kept."""
    if isinstance(value, dict):
        return {key: masked(item, secrets, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, secrets, name) for item in value]
    if isinstance(value, str):
        if name and _sounds_secret(name) and looks_secret(name, value):
            return MASK
        if "://" in value:  # only a URL can carry credentials
            value = mask_url_credentials(value)
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    return value


@functools.lru_cache(maxsize=4096)
def _sounds_secret(name: str) -> bool:
    """A key whose string values are masked when not plain (``looks_secret``), unless it names data
    (``IDENTIFIER_KEYS``); kept per key name, as the same event shapes come again and again."""
    return name.lower() not in IDENTIFIER_KEYS and looks_secret(name)
