"""A mapping's settings from its trigger, with Lambda's defaults where the configuration is silent."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..models import Trigger

# Lambda's defaults (CreateEventSourceMapping): 10 records for SQS, 100 for streams.
DEFAULT_BATCH = {"sqs": 10, "kinesis": 100, "dynamodb": 100}
MAX_BATCH = {"sqs": 10_000, "kinesis": 10_000, "dynamodb": 10_000}
DEFAULT_SQS_CONCURRENCY = 5
"""Lambda starts five pollers per SQS mapping; ``ScalingConfig.MaximumConcurrency`` caps it (2 to 1,000)."""


@dataclass(frozen=True)
class MappingSettings:
    batch_size: int = 10
    batching_window_s: float = 0.0
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    max_retry_attempts: int = -1
    """-1: retry until the record expires (Lambda's default for streams)."""
    max_record_age_s: int = -1
    starting_position: str = "LATEST"
    enabled: bool = True
    max_concurrency: int = DEFAULT_SQS_CONCURRENCY
    on_failure: str = ""
    """An SQS queue or SNS topic ARN that gets a record of each batch a stream mapping gave up on."""
    filters: list[Any] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in ([], "")}


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return default


def settings_of(trigger: Trigger) -> MappingSettings:
    """The trigger's parameters (as discovery wrote them) with Lambda's defaults filled in.

    Bad values fall back to the default rather than stop the mapping: discovery
    already warned about what it could not read.
    """
    params = trigger.params
    kind = trigger.kind
    batch = max(1, min(_int(params.get("batch_size"), DEFAULT_BATCH.get(kind, 1)), MAX_BATCH.get(kind, 1)))
    window = params.get("batching_window_s")
    types = params.get("function_response_types") or []
    position = str(params.get("starting_position") or "LATEST").upper()
    return MappingSettings(
        batch_size=batch,
        batching_window_s=max(0.0, min(float(window), 300.0)) if isinstance(window, (int, float)) else 0.0,
        report_batch_item_failures="ReportBatchItemFailures" in (types if isinstance(types, list) else [types]),
        bisect_on_error=_bool(params.get("bisect_on_error"), False),
        max_retry_attempts=_int(params.get("max_retry_attempts"), -1),
        max_record_age_s=_int(params.get("max_record_age_s"), -1),
        starting_position=position if position in ("LATEST", "TRIM_HORIZON", "AT_TIMESTAMP") else "LATEST",
        enabled=_bool(params.get("enabled"), True),
        max_concurrency=max(1, _int(params.get("max_concurrency"), DEFAULT_SQS_CONCURRENCY)),
        on_failure=str(params.get("on_failure") or ""),
        filters=list(params.get("filters") or []),
    )
