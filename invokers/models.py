"""Plain data types shared by the engine, the CLI and the TUI.

Everything here is a dataclass that serialises to JSON (``to_dict``), so
that the headless CLI can print exactly what the UI shows and tests can
compare values without a screen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Style = Literal["lambda", "azure"]
Status = Literal["ok", "error", "timeout", "crashed"]
Stream = Literal["stdout", "stderr", "platform"]

DEFAULT_TIMEOUT_S = 3.0
DEFAULT_MEMORY_MB = 128


class _Json:
    """``to_dict`` for the dataclasses below: what ``--json`` prints."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass
class FunctionSpec(_Json):
    """One invocable function, local or deployed.

    ``handler`` is the runtime's own handler string (``module.function`` for
    Python, ``file.export`` for Node), relative to ``code_dir``.
    """

    name: str
    source: str  # "svl.yaml" | "template.yaml" | "serverless.yml" | "function.json" | "deployed"
    runtime: str
    handler: str
    code_dir: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    environment: dict[str, str] = field(default_factory=dict)
    style: Style = "lambda"
    description: str = ""
    default_event: Any = None
    architecture: str = "x86_64"
    region: str = ""
    arn: str = ""
    config_file: str = ""
    last_modified: str = ""
    layers: list[str] = field(default_factory=list)
    """Absolute local folders, each an unpacked layer as Lambda mounts it at /opt
    (``python/``, ``nodejs/node_modules``, ``bin/``, ``lib/``), in the template's order."""

    @property
    def language(self) -> str:
        """``python``, ``node`` or ``provided`` (a custom runtime bootstrap)."""
        if self.runtime.startswith("python"):
            return "python"
        if self.runtime.startswith("node"):
            return "node"
        return "provided"

    @property
    def is_local(self) -> bool:
        return self.source != "deployed"



@dataclass
class LogRecord(_Json):
    """One line a function wrote, or one platform line (START/END/REPORT).

    ``fields`` holds the parsed object when the line was JSON, else it is empty.
    """

    timestamp: float
    message: str
    request_id: str = ""
    level: str = ""
    stream: Stream = "stdout"
    fields: dict[str, Any] = field(default_factory=dict)



@dataclass
class Result(_Json):
    """The outcome of one invocation, with Lambda's REPORT figures.

    Exactly one of ``response`` / ``error`` is meaningful: ``error`` is set (in
    Lambda's ``{errorMessage, errorType, stackTrace}`` shape) whenever
    ``status`` is not ``ok``.
    """

    request_id: str
    function: str
    status: Status
    cold: bool
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None = None
    cost_usd: float = 0.0
    response: Any = None
    error: dict[str, Any] | None = None
    started_at: float = 0.0
    log_dropped_lines: int = 0
    log_dropped_bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"



Update = LogRecord | Result
"""What an invocation stream yields: log records as they are written, then one Result."""
