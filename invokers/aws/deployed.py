"""Deployed functions: list them page by page, show their configuration, invoke them.

An invoke of a deployed function yields the same stream as a local one: the log
tail Lambda returns (``LogType=Tail``), parsed into LogRecords, then a Result
whose figures come from the REPORT line, so local and cloud runs compare
side by side.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .. import pricing
from ..environment import mask_environment
from ..jsonout import encode_event
from ..logs import parse_line, parse_report
from ..models import FunctionSpec, LogRecord, Result, Update
from .session import Aws, AwsError, explain

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")


def to_spec(config: dict[str, Any], region: str) -> FunctionSpec:
    """A ListFunctions / GetFunctionConfiguration entry as a FunctionSpec."""
    runtime = config.get("Runtime") or ("image" if config.get("PackageType") == "Image" else "provided")
    architectures = config.get("Architectures") or ["x86_64"]
    return FunctionSpec(
        name=config["FunctionName"], source="deployed", runtime=runtime, handler=config.get("Handler", ""),
        timeout_s=float(config.get("Timeout", 3)), memory_mb=int(config.get("MemorySize", 128)),
        environment=dict((config.get("Environment") or {}).get("Variables") or {}),
        description=config.get("Description", ""), architecture=architectures[0], region=region,
        arn=config.get("FunctionArn", ""), last_modified=config.get("LastModified", ""))


async def list_pages(aws: Aws, page_size: int = 50) -> AsyncIterator[list[FunctionSpec]]:
    """Every deployed function, one page at a time (the UI shows the first page at once)."""
    marker: str | None = None
    while True:
        page = await asyncio.to_thread(_list_page, aws, marker, page_size)
        region = aws.region
        yield [to_spec(config, region) for config in page.get("Functions", [])]
        marker = page.get("NextMarker")
        if not marker:
            return


def _list_page(aws: Aws, marker: str | None, page_size: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"MaxItems": page_size}
    if marker:
        kwargs["Marker"] = marker
    try:
        return aws.client("lambda").list_functions(**kwargs)
    except Exception as exc:
        raise explain(exc, "list Lambda functions") from exc


@dataclass
class FunctionDetails:
    spec: FunctionSpec
    configuration: dict[str, Any]
    aliases: list[dict[str, Any]] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # e.g. no permission to list aliases


async def details(aws: Aws, name: str) -> FunctionDetails:
    """Configuration (secrets masked), aliases and versions; a denied part is a problem, not a failure."""
    return await asyncio.to_thread(_details, aws, name)


def _details(aws: Aws, name: str) -> FunctionDetails:
    client = aws.client("lambda")
    try:
        config = client.get_function_configuration(FunctionName=name)
    except Exception as exc:
        raise explain(exc, f"read the configuration of {name}") from exc
    config.pop("ResponseMetadata", None)
    env = (config.get("Environment") or {}).get("Variables")
    if env:
        config["Environment"]["Variables"] = mask_environment(env)
    found = FunctionDetails(to_spec(config, aws.region), config)
    found.spec.environment = mask_environment(found.spec.environment)
    try:
        found.aliases = [{"Name": a["Name"], "FunctionVersion": a["FunctionVersion"]}
                         for a in client.list_aliases(FunctionName=name).get("Aliases", [])]
    except Exception as exc:  # noqa: BLE001
        found.problems.append(str(explain(exc, f"list the aliases of {name}")))
    try:
        found.versions = [v["Version"] for v in client.list_versions_by_function(FunctionName=name).get("Versions", [])]
    except Exception as exc:  # noqa: BLE001
        found.problems.append(str(explain(exc, f"list the versions of {name}")))
    return found


async def invoke(aws: Aws, spec: FunctionSpec, event: Any, *, invocation_type: str = "RequestResponse",
                 qualifier: str | None = None) -> AsyncIterator[Update]:
    """Invoke a deployed function: its log tail as LogRecords, then a Result from the REPORT line."""
    if invocation_type not in INVOCATION_TYPES:
        raise ValueError(f"invocation type must be one of {', '.join(INVOCATION_TYPES)}")
    started = time.time()
    clock = time.perf_counter()
    payload = event if isinstance(event, bytes) else encode_event(event)
    try:
        response = await asyncio.to_thread(_invoke, aws, spec, payload, invocation_type, qualifier)
    except AwsError as exc:
        yield _failure(spec, started, (time.perf_counter() - clock) * 1000, f"AWS.{exc.kind}", str(exc))
        return
    round_trip = (time.perf_counter() - clock) * 1000
    request_id = response.get("ResponseMetadata", {}).get("RequestId", "")
    report: dict[str, Any] | None = None
    tail = response.get("LogResult")
    if tail:
        for line in base64.b64decode(tail).decode("utf-8", "replace").splitlines():
            record = parse_line(line, request_id=request_id, stream="stdout")
            report = parse_report(line) or report
            yield record
    body = response["Payload"].read() if response.get("Payload") is not None else b""
    status = response.get("StatusCode")
    if status in (202, 204):
        note = ("queued for asynchronous execution (202 Accepted)" if status == 202
                else "dry run: the parameters and your permissions are valid (204 No Content)")
        yield LogRecord(timestamp=time.time(), message=f"{invocation_type}: {note}", request_id=request_id,
                        level="INFO", stream="platform")
        body = b""  # Lambda sends no payload for these; an emulator may echo one
    yield _result(spec, started, request_id, response, body, report, round_trip)


def _invoke(aws: Aws, spec: FunctionSpec, payload: bytes, invocation_type: str,
            qualifier: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"FunctionName": spec.arn or spec.name, "Payload": payload,
                              "InvocationType": invocation_type}
    if invocation_type == "RequestResponse":
        kwargs["LogType"] = "Tail"
    if qualifier:
        kwargs["Qualifier"] = qualifier
    try:
        return aws.client("lambda").invoke(**kwargs)
    except Exception as exc:
        raise explain(exc, f"invoke {spec.name}") from exc


def _result(spec: FunctionSpec, started: float, request_id: str, response: dict[str, Any], body: bytes,
            report: dict[str, Any] | None, round_trip_ms: float) -> Result:
    duration = report["duration_ms"] if report else round_trip_ms
    init = report["init_ms"] if report else None
    memory = report["memory_mb"] if report and report["memory_mb"] else spec.memory_mb
    billed = report["billed_ms"] if report else pricing.billed_ms(duration, init)
    value: Any = None
    if body:
        try:
            value = json.loads(body)
        except ValueError:
            value = body.decode("utf-8", "replace")
    result = Result(request_id=request_id, function=spec.name, status="ok", cold=init is not None,
                    duration_ms=round(duration, 3), billed_ms=billed, memory_mb=memory,
                    max_memory_mb=report["max_memory_mb"] if report else 0, init_ms=init,
                    cost_usd=pricing.cost_usd(billed, memory, spec.region or "us-east-1", spec.architecture),
                    started_at=started)
    if response.get("FunctionError"):
        error = value if isinstance(value, dict) else {"errorMessage": str(value)}
        error.setdefault("errorType", response["FunctionError"])
        timed_out = "Task timed out" in str(error.get("errorMessage", "")) or (report or {}).get("status") == "timeout"
        result.status = "timeout" if timed_out else "error"
        result.error = {"errorMessage": str(error.get("errorMessage", "")), "errorType": str(error["errorType"]),
                        "stackTrace": error.get("stackTrace") or error.get("trace") or [],
                        "functionError": response["FunctionError"]}
    else:
        result.response = value
    return result


def _failure(spec: FunctionSpec, started: float, elapsed_ms: float, error_type: str, message: str) -> Result:
    return Result(request_id="", function=spec.name, status="error", cold=False, duration_ms=round(elapsed_ms, 3),
                  billed_ms=0, memory_mb=spec.memory_mb, max_memory_mb=0, cost_usd=0.0, started_at=started,
                  error={"errorMessage": message, "errorType": error_type, "stackTrace": []})

