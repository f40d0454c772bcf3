"""The Azure host's own log lines for an invocation, in place of Lambda's START / END / REPORT.

Core Tools (``func start``) prints what the WebJobs host logs around every
invocation (``FunctionInstanceLogger`` in Azure/azure-webjobs-sdk)::

    Executing 'Functions.hello' (Reason='This function was programmatically called via the host APIs.', Id=<id>)
    Executed 'Functions.hello' (Succeeded, Id=<id>, Duration=12ms)

and on a failure the ``Failed`` line followed by the flattened exception
(``Utility.FlattenException`` in Azure/azure-functions-host: each exception's
``Source: Message``, a ``.`` added when the message lacks one), whose inner
``RpcException`` carries the worker's ``Result: Failure / Exception: / Stack:``.
svl-tui calls a function directly, as Core Tools' admin API
(``POST /admin/functions/<name>``) does, so the reason is always the host-API
one. Duration is whole milliseconds, truncated, as the host's ``(int)
TotalMilliseconds``. The Result keeps the precise figures.
"""

from __future__ import annotations

from typing import Any

from .logs import format_end, format_report, format_start
from .models import FunctionSpec, LogRecord, Result
from .result_builder import platform_record

HOST_API_REASON = "This function was programmatically called via the host APIs."
SOURCE = "System.Private.CoreLib"  # the Source .NET gives the host's invocation exceptions
TIMEOUT_SOURCE = "Microsoft.Azure.WebJobs.Host"
TIMEOUT_ERROR = "FunctionTimeoutException"

Line = tuple[str, str]  # (level, message)


def opening(spec: FunctionSpec, request_id: str) -> LogRecord:
    """An invocation's first platform line: Lambda's START, or the Azure host's ``Executing``."""
    if spec.style == "azure":
        return platform_record(request_id, executing(spec, request_id))
    return platform_record(request_id, format_start(request_id))


def closing(result: Result, spec: FunctionSpec) -> list[LogRecord]:
    """An invocation's last platform lines: Lambda's END and REPORT, or the Azure host's ``Executed``."""
    if spec.style == "azure":
        return [platform_record(result.request_id, line, level) for level, line in executed(result, spec)]
    return [platform_record(result.request_id, format_end(result.request_id)),
            platform_record(result.request_id, format_report(result))]


def qualified(spec: FunctionSpec) -> str:
    """The name the host logs: ``Functions.<name>``."""
    return f"Functions.{spec.name}"


def executing(spec: FunctionSpec, invocation_id: str) -> str:
    return f"Executing '{qualified(spec)}' (Reason='{HOST_API_REASON}', Id={invocation_id})"


def executed(result: Result, spec: FunctionSpec) -> list[Line]:
    """The ``Executed`` line and, on a failure, the exception lines Core Tools prints under it."""
    status = "Succeeded" if result.ok else "Failed"
    head = f"Executed '{qualified(spec)}' ({status}, Id={result.request_id}, Duration={int(result.duration_ms)}ms)"
    if result.ok:
        return [("INFO", head)]
    text = _flattened(result, spec)
    return [("ERROR", head)] + [("ERROR", line) for line in text.split("\n")]


def _flattened(result: Result, spec: FunctionSpec) -> str:
    error = result.error or {}
    if error.get("errorType") == TIMEOUT_ERROR:
        return _sentence(f"{TIMEOUT_SOURCE}: {error.get('errorMessage', '')}")
    outer = _sentence(f"{SOURCE}: Exception while executing function: {qualified(spec)}")
    message, stack = _exception(error, spec.language)
    inner = _sentence(f"{SOURCE}: Result: Failure\nException: {message}\nStack: {stack}")
    return f"{outer} {inner}"


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def _exception(error: dict[str, Any], language: str) -> tuple[str, str]:
    """The worker's ``RpcException``: the Node worker sends ``err.message`` and ``err.stack``, the Python
    worker ``'<Type>: <message>'`` and the formatted traceback."""
    kind, message = str(error.get("errorType", "Error")), str(error.get("errorMessage", ""))
    if language == "node":
        trace = error.get("trace")
        return message, "\n".join(str(line) for line in trace) if isinstance(trace, list) else ""
    frames = error.get("stackTrace")
    stack = "".join(str(frame) for frame in frames) if isinstance(frames, list) else ""
    return f"{kind}: {message}", stack


def timespan(seconds: float) -> str:
    """A .NET ``TimeSpan.ToString()``: ``[d.]hh:mm:ss[.fffffff]``."""
    ticks = round(seconds * 10_000_000)
    days, rest = divmod(ticks, 86400 * 10_000_000)
    hours, rest = divmod(rest, 3600 * 10_000_000)
    minutes, rest = divmod(rest, 60 * 10_000_000)
    whole, fraction = divmod(rest, 10_000_000)
    text = f"{hours:02d}:{minutes:02d}:{whole:02d}" + (f".{fraction:07d}" if fraction else "")
    return f"{days}.{text}" if days else text


def timed_out(spec: FunctionSpec, invocation_id: str) -> tuple[str, str]:
    """The host's line when ``functionTimeout`` passes, and the exception message the invocation fails with."""
    limit = timespan(spec.timeout_s)
    line = (f"Timeout value of {limit} exceeded by function '{qualified(spec)}' (Id: '{invocation_id}'). "
            "Initiating cancellation.")
    return line, f"Timeout value of {limit} was exceeded by function: {qualified(spec)}"
