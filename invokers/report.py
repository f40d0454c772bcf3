"""A run as a Markdown report, ready to paste into an issue: event, response or error, REPORT line, logs, notes.

Secrets never leave: values under secret-sounding keys in the event, the
response and JSON log lines are masked by ``environment.looks_secret`` (the one
rule), URL passwords anywhere, and the literal values of the function's own
secret environment variables wherever they appear. Long parts are capped
(the head of a long document, the first and last log lines) and say how much
was left out, so a report of a chatty run still fits an issue comment.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .cli_output import line_for
from .environment import MASK, looks_secret, mask_url_credentials
from .logs import format_report
from .models import FunctionSpec, LogRecord, Result

MAX_DOCUMENT_CHARS = 4000
HEAD_LINES, TAIL_LINES = 40, 60
MAX_LINE_CHARS = 500


def markdown(spec: FunctionSpec, event: Any, result: Result, records: Iterable[LogRecord] = (),
             notes: Iterable[str] = ()) -> str:
    """The report of one run of ``spec`` (local or deployed)."""
    secrets = sorted({str(value) for name, value in spec.environment.items()
                      if looks_secret(name, str(value)) and len(str(value)) >= 4 and str(value) != MASK},
                     key=len, reverse=True)

    def clean(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, MASK)
        return mask_url_credentials(text)

    where = "local" if spec.is_local else f"deployed, {spec.region}" if spec.region else "deployed"
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(result.started_at or time.time()))
    start = f"cold start (init {result.init_ms:.2f} ms)" if result.cold and result.init_ms is not None else "warm"
    lines = [f"### `{spec.name}`: {result.status} ({where}, {spec.runtime})", "",
             f"- **When:** {when}, request `{result.request_id or '-'}`",
             f"- **Outcome:** {result.status}, {start}, duration {result.duration_ms:.2f} ms, "
             f"billed {result.billed_ms} ms, memory {result.max_memory_mb or '?'}/{result.memory_mb} MB",
             f"- **Configured:** {spec.memory_mb} MB, timeout {spec.timeout_s:g} s, {spec.architecture}", ""]
    lines += ["#### Event", "", *_block(clean(_capped(_json(masked(event)))), "json")]
    if result.ok:
        lines += ["#### Response", "", *_block(clean(_capped(_json(masked(result.response)))), "json")]
    else:
        error = dict(result.error or {})
        lines += ["#### Error", "", *_block(clean(_capped(_json(masked(error)))), "json")]
    lines += ["#### REPORT", "", *_block(clean(format_report(result)), "")]
    logged = [clean(_log_line(record)) for record in records]
    if logged:
        lines += ["#### Logs", "", *_block("\n".join(_capped_lines(logged)), "")]
    all_notes = [*result.notes, *notes]
    if all_notes:
        lines += ["#### Notes", "", *[f"- {clean(note)}" for note in all_notes], ""]
    lines.append("<sub>Report by svl-tui; secrets masked.</sub>")
    return "\n".join(lines) + "\n"


def masked(value: Any) -> Any:
    """``value`` with every secret-sounding key's value masked (a password in an event stays out of an issue)."""
    if isinstance(value, dict):
        return {key: (MASK if isinstance(item, (str, int, float)) and not isinstance(item, bool)
                      and looks_secret(str(key), str(item)) else masked(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def _json(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _capped(text: str) -> str:
    if len(text) <= MAX_DOCUMENT_CHARS:
        return text
    return f"{text[:MAX_DOCUMENT_CHARS]}\n… ({len(text) - MAX_DOCUMENT_CHARS} more characters left out)"


def _log_line(record: LogRecord) -> str:
    text = line_for(replace(record, fields=masked(record.fields)))
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " …"


def _capped_lines(lines: list[str]) -> list[str]:
    if len(lines) <= HEAD_LINES + TAIL_LINES:
        return lines
    left_out = len(lines) - HEAD_LINES - TAIL_LINES
    return [*lines[:HEAD_LINES], f"… {left_out} lines left out …", *lines[-TAIL_LINES:]]


def _block(text: str, language: str) -> list[str]:
    """A fenced block whose fence is longer than any backtick run inside (a log line may hold ```)."""
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence, ""]
