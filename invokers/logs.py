"""Turn raw log lines into structured ``LogRecord``s, and write Lambda's platform lines.

The same parser serves local workers and deployed functions' CloudWatch events,
so a line looks the same wherever it came from. It understands:

* Lambda's Python text format ``[LEVEL]\\t<time>\\t<request id>\\t<message>``;
* Lambda's Node text format ``<time>\\t<request id>\\t<LEVEL>\\t<message>``;
* JSON lines (Lambda's JSON log format, aws-lambda-powertools, structlog,
  pino, bunyan ...): fields kept, level/message/time/request id recognised;
* the platform lines START / END / REPORT and ``Task timed out`` lines.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from typing import Any

from .models import LogRecord, Result

LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL")
_LEVEL_ALIASES = {"WARNING": "WARN", "CRITICAL": "FATAL", "NOTICE": "INFO"}
# pino / bunyan numeric levels.
_NUMERIC_LEVELS = {10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL"}

_LEVEL_KEYS = ("level", "levelname", "severity", "log.level", "log_level", "lvl")
_MESSAGE_KEYS = ("message", "msg", "event", "text")
_TIME_KEYS = ("timestamp", "time", "@timestamp", "ts", "datetime")
_REQUEST_ID_KEYS = ("requestId", "function_request_id", "aws_request_id", "request_id",
                    "AWSRequestId", "awsRequestId", "invocationId")

_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
_UUIDISH = r"[0-9a-fA-F-]{8,}"
_PY_TEXT = re.compile(rf"^\[(?P<level>[A-Z]+)\]\t(?P<time>{_ISO})\t(?P<rid>[^\t]*)\t(?P<msg>.*)$", re.S)
_NODE_TEXT = re.compile(rf"^(?P<time>{_ISO})\t(?P<rid>{_UUIDISH}|undefined)\t(?P<level>[A-Z]+)\t(?P<msg>.*)$", re.S)
_PLATFORM = re.compile(r"^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|EXTENSION|TELEMETRY)\b")
_TIMEOUT = re.compile(rf"^(?P<time>{_ISO})?\s*(?P<rid>{_UUIDISH})?\s*Task timed out after (?P<secs>[\d.]+) seconds")
_REQUEST_ID_IN_PLATFORM = re.compile(r"RequestId: (?P<rid>[^\s]+)")


def normalise_level(value: Any) -> str:
    """Map the many spellings of a level (``warning``, ``40``, ``Warn``) to one."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return _NUMERIC_LEVELS.get(int(value), "")
    if not isinstance(value, str):
        return ""
    upper = value.strip().upper()
    upper = _LEVEL_ALIASES.get(upper, upper)
    return upper if upper in LEVELS or upper in _LEVEL_ALIASES.values() else ""


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds from an ISO string or epoch number (s or ms), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
        return number / 1000 if number > 1e11 else number
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace(",", ".")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _own_time(parsed: float | None, arrived: float) -> float:
    """The line's own time, unless it is a coarser stamp of the moment the line arrived.

    Structured loggers often stamp whole seconds (``"2026-11-25T14:45:21Z"``); taken as is, such a line
    sorts and prints before the START of the invocation that wrote it. Within that same second the
    arrival time is the more precise reading of the same moment.
    """
    if parsed is None:
        return arrived
    if parsed == int(parsed) and 0 <= arrived - parsed < 1:
        return arrived
    return parsed


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in data:
            return data[key]
    return None


def parse_line(line: str, *, request_id: str = "", stream: str = "stdout",
               timestamp: float | None = None) -> LogRecord:
    """Parse one line (without its newline) into a ``LogRecord``.

    ``request_id`` is the invocation the line was written during; a request id
    found in the line itself wins, because deployed log streams interleave.
    """
    now = timestamp if timestamp is not None else time.time()
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        record = _parse_json_line(stripped, request_id, stream, now)
        if record is not None:
            return record
    match = _PY_TEXT.match(line) or _NODE_TEXT.match(line)
    if match:
        rid = match["rid"] if match["rid"] not in ("", "undefined") else request_id
        message = match["msg"]
        record = LogRecord(timestamp=_own_time(parse_timestamp(match["time"]), now), message=message, request_id=rid,
                           level=normalise_level(match["level"]), stream=stream)  # type: ignore[arg-type]
        if message.startswith("{") and message.rstrip().endswith("}"):
            record.fields = _json_object(message)
            inner = record.fields.get("message", record.fields.get("msg"))
            record.message = inner if isinstance(inner, str) else message
        return record
    if _PLATFORM.match(line):
        rid_match = _REQUEST_ID_IN_PLATFORM.search(line)
        return LogRecord(timestamp=now, message=line, request_id=rid_match["rid"] if rid_match else request_id,
                         level="INFO", stream="platform")
    timeout = _TIMEOUT.match(line)
    if timeout:
        return LogRecord(timestamp=parse_timestamp(timeout["time"]) or now, message=line,
                         request_id=timeout["rid"] or request_id, level="ERROR", stream="platform")
    level = "ERROR" if stream == "stderr" else ""
    return LogRecord(timestamp=now, message=line, request_id=request_id, level=level, stream=stream)  # type: ignore[arg-type]


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _parse_json_line(text: str, request_id: str, stream: str, now: float) -> LogRecord | None:
    data = _json_object(text)
    if not data:
        return None
    kind = data.get("type")
    if isinstance(kind, str) and kind.startswith("platform."):
        return _parse_platform_json(data, text, request_id, now)
    message = _first(data, _MESSAGE_KEYS)
    if not isinstance(message, str):
        message = text if message is None else json.dumps(message, default=str)
    level = normalise_level(_first(data, _LEVEL_KEYS))
    rid = _first(data, _REQUEST_ID_KEYS)
    return LogRecord(timestamp=_own_time(parse_timestamp(_first(data, _TIME_KEYS)), now), message=message,
                     request_id=rid if isinstance(rid, str) and rid else request_id,
                     level=level or ("ERROR" if stream == "stderr" else ""),
                     stream=stream, fields=data)  # type: ignore[arg-type]


def _parse_platform_json(data: dict[str, Any], text: str, request_id: str, now: float) -> LogRecord:
    """Lambda's JSON log format platform records become the text lines users know."""
    record: dict[str, Any] = data["record"] if isinstance(data.get("record"), dict) else {}
    rid: str = record["requestId"] if isinstance(record.get("requestId"), str) else request_id
    kind = data["type"]
    message = text
    if kind == "platform.start":
        message = format_start(rid, record.get("version", "$LATEST"))
    elif kind == "platform.report":
        metrics: dict[str, Any] = record["metrics"] if isinstance(record.get("metrics"), dict) else {}
        message = format_report_fields(
            rid, metrics.get("durationMs", 0.0), metrics.get("billedDurationMs", 0),
            metrics.get("memorySizeMB", 0), metrics.get("maxMemoryUsedMB", 0),
            metrics.get("initDurationMs"),
            record.get("status") if record.get("status") not in (None, "success") else None)
    return LogRecord(timestamp=parse_timestamp(data.get("time")) or now, message=message,
                     request_id=rid, level="INFO", stream="platform", fields=data)


# ---- platform lines -----------------------------------------------------

def format_start(request_id: str, version: str = "$LATEST") -> str:
    return f"START RequestId: {request_id} Version: {version}"


def format_end(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def format_report_fields(request_id: str, duration_ms: float, billed: int, memory_mb: int,
                         max_memory_mb: int, init_ms: float | None = None,
                         status: str | None = None, paused_ms: float = 0.0) -> str:
    """Lambda's REPORT line: tab separated, two decimals, Init Duration last (as in the cloud).

    ``Paused`` is svl-tui's own: time stopped in the debugger, left out of Duration.
    """
    parts = [f"REPORT RequestId: {request_id}", f"Duration: {duration_ms:.2f} ms",
             f"Billed Duration: {billed} ms", f"Memory Size: {memory_mb} MB",
             f"Max Memory Used: {max_memory_mb} MB"]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if status:
        parts.append(f"Status: {status}")
    if paused_ms:
        parts.append(f"Paused: {paused_ms:.2f} ms")
    return "\t".join(parts)


def format_report(result: Result) -> str:
    status = "timeout" if result.status == "timeout" else None
    return format_report_fields(result.request_id, result.duration_ms, result.billed_ms,
                                result.memory_mb, result.max_memory_mb, result.init_ms, status, result.paused_ms)


_REPORT_FIELD = re.compile(r"(?P<key>[A-Za-z ]+): (?P<value>[^\t]+?)(?: (?:ms|MB))?$")


def parse_report(line: str) -> dict[str, Any] | None:
    """The figures of a REPORT line (text format), or None if it is not one.

    Keys: request_id, duration_ms, billed_ms, memory_mb, max_memory_mb,
    init_ms (None when warm), status (None unless the line says so).
    """
    if not line.startswith("REPORT RequestId:"):
        return None
    values: dict[str, str] = {}
    for part in line.rstrip("\n").split("\t"):
        match = _REPORT_FIELD.match(part.strip())
        if match:
            values[match["key"].strip()] = match["value"].strip()
    try:
        return {
            "request_id": values.get("REPORT RequestId", ""),
            "duration_ms": float(values.get("Duration", "0")),
            "billed_ms": int(float(values.get("Billed Duration", "0"))),
            "memory_mb": int(float(values.get("Memory Size", "0"))),
            "max_memory_mb": int(float(values.get("Max Memory Used", "0"))),
            "init_ms": float(values["Init Duration"]) if "Init Duration" in values else None,
            "status": values.get("Status"),
        }
    except ValueError:
        return None

