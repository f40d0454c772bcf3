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
class Trigger(_Json):
    """One event source of a function, as its configuration declares it.

    Discovery fills these (SAM ``Events``, serverless.yml ``events``, Azure
    bindings); ``event_samples`` turns one into the event it would send, and
    ``serve`` builds its local API Gateway routes from the HTTP ones. Plain
    data on purpose: values a template leaves to deploy time (``!GetAtt``,
    ``${ssm:...}``) stay as readable placeholders such as ``<Fn::GetAtt Queue.Arn>``.

    ``kind`` and its ``params`` (a key is absent when the configuration does not say):

    - ``api`` (API Gateway REST, SAM ``Api``, serverless ``http``): ``path`` (``/orders/{id}``,
      always with a leading slash), ``method`` (upper case, ``ANY`` for any), ``stage``,
      ``api`` (the API's logical id; ``ServerlessRestApi`` for SAM's implicit API).
    - ``http_api`` (API Gateway HTTP API, SAM ``HttpApi``, serverless ``httpApi``): ``path``,
      ``method``, ``route_key`` (``GET /orders`` or ``$default`` for the catch-all route, then
      ``path`` is ``/{proxy+}`` and ``method`` ``ANY``), ``stage`` (``$default`` unless named),
      ``api`` (``ServerlessHttpApi`` when implicit), ``payload_format`` (``2.0`` or ``1.0``).
      Both may carry ``cors`` and ``authorizer`` (a Lambda authorizer), in the form
      ``discovery/api_config.py`` describes.
    - ``function_url``: ``auth_type`` (``NONE`` | ``AWS_IAM``), ``invoke_mode``.
    - ``websocket``: ``route`` (``$connect``, ``$default``, ``sendMessage``...).
    - ``alb``: ``path`` (first path condition), ``method``, ``priority``.
    - ``sqs``: ``queue`` (name), ``queue_arn``, ``batch_size``, ``fifo`` (bool).
      SQS and stream mappings may also have ``batching_window_s``, ``function_response_types``
      (``["ReportBatchItemFailures"]``), ``bisect_on_error``, ``max_retry_attempts``, ``max_record_age_s``,
      ``enabled``, ``max_concurrency``, ``on_failure`` (a destination's ARN or name), ``filters``.
    - ``sns``: ``topic`` (name), ``topic_arn``, ``filter_policy`` (dict), ``filter_policy_scope``
      (``MessageAttributes``, the default, or ``MessageBody``).
    - ``kinesis``: ``stream`` (name), ``stream_arn``, ``starting_position``, ``batch_size``.
    - ``dynamodb``: ``table`` (name), ``stream_arn``, ``starting_position``, ``batch_size``.
    - ``s3``: ``bucket``, ``events`` (list such as ``["s3:ObjectCreated:*"]``), ``prefix``, ``suffix``.
    - ``schedule``: ``expression`` (``rate(5 minutes)`` / ``cron(...)``), ``rule`` (name),
      ``input`` (the constant input, when set), ``enabled`` (bool).
    - ``eventbridge`` (EventBridge rules, CloudWatch Events): ``pattern`` (dict), ``bus``,
      ``rule``, ``input``.
    - ``cloudwatch_logs``: ``log_group``, ``filter_pattern``.
    - ``cognito``: ``user_pool``, ``trigger`` (e.g. ``PreSignUp``).
    - ``iot``: ``sql``, ``rule``.
    - ``msk`` / ``kafka`` (self-managed): ``topics`` (list), ``cluster_arn`` or ``bootstrap_servers``.
    - ``mq``: ``broker_arn``, ``queues`` (list).
    - ``azure_*`` (``azure_http``, ``azure_timer``, ``azure_queue``, ``azure_blob``, ``azure_service_bus``,
      ``azure_event_hub``, ``azure_cosmos_db``, ``azure_event_grid``...): the binding's own properties
      as ``function.json`` (or the v4 model's options) spells them, e.g. ``route``, ``methods``,
      ``schedule``, ``queueName``, ``path``, ``connection``.

    ``name`` is the event's logical name (the key under SAM ``Events``, ``http`` #1 in
    serverless.yml, the binding's ``name`` for Azure).
    """

    kind: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)


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
    triggers: list[Trigger] = field(default_factory=list)
    reserved_concurrency: int | None = None
    """At most this many environments at once (SAM ``ReservedConcurrentExecutions``); None: the account's."""
    provisioned_concurrency: int = 0
    """Environments kept initialised (SAM ``ProvisionedConcurrencyConfig``, serverless ``provisionedConcurrency``)."""
    runtime_note: str = ""
    """Set when this machine cannot run the declared runtime as is (e.g. ``python3.13`` runs on 3.12):
    what runs it instead and how to get the right one. Empty when all is as declared."""
    azure_bindings: list[dict[str, Any]] = field(default_factory=list)
    """An Azure function's bindings (trigger first), as function.json or the app's code declares them."""
    interpreter: str = ""
    """The Python or node chosen in svl.yaml (``python:``/``node:``, per function or for the project): an
    absolute path or a command looked up on PATH; empty: found by version (see ``interpreters``)."""
    interpreter_source: str = ""
    """Where ``interpreter`` was set (``svl.yaml:4 functions.fn.python``), for errors that say what to fix."""
    aliases: list[str] = field(default_factory=list)
    """Aliases the configuration declares (SAM ``AutoPublishAlias``, ``AWS::Lambda::Alias``): qualifiers the
    local Invoke API accepts. Locally every version and alias runs the working tree's code."""
    versioned: bool = False
    """Whether deploys publish numbered versions (an alias, ``AWS::Lambda::Version``, serverless
    ``versionFunctions``, on by default): then ``name:3`` is a valid qualifier too."""
    azure_retry: dict[str, Any] | None = None
    """An Azure function's retry policy (``invokers.azure_retry.parse``): its own, else host.json's."""

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
    notes: list[str] = field(default_factory=list)
    """What differs from Lambda here and why (another Python version, an unused virtualenv, an
    SDK package Lambda bundles but this machine lacks); on a cold start also logged before START."""
    missing_sdk: list[str] = field(default_factory=list)
    """AWS SDK packages the function failed to find that its Lambda runtime bundles: what to offer to
    install (``invokers.node_sdk.install``) after asking the user."""
    paused_ms: float = 0.0
    """Time stopped in a debugger: not in ``duration_ms`` and not counted against the timeout."""
    error_locals: list[dict[str, Any]] | None = None
    """On a Python error: the innermost handler frames (file, line, function, locals), secrets masked.
    Kept apart from ``error``, which stays exactly as Lambda sends it."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """An Azure function's output bindings by name (``context.extraOutputs``, ``func.Out``), as sent to the host."""
    billing: str = ""
    """Whose prices ``cost_usd`` uses when not Lambda's (``"Azure Consumption"``)."""
    attempts: int = 1
    """How many times the function ran for this invocation (an Azure retry policy runs it again on failure)."""
    retries: list[dict[str, Any]] = field(default_factory=list)
    """The earlier, failed attempts: ``request_id``, ``status``, ``duration_ms``, ``error`` each."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"



@dataclass
class DebugStop(_Json):
    """The function is stopped in the debugger (a ``breakpoint()``, a post-mortem) and waits for a command.

    ``frames`` is the handler's stack, outermost first (``file``, ``line``,
    ``function``), ``index`` the selected one; ``source`` is the text around
    its line (``file``, ``line``, ``start``, ``lines``) or None; ``locals`` the
    selected frame's variables as summarised trees (``name``, ``type``,
    ``value``, and ``size``/``children`` for containers), secrets masked;
    ``output`` what pdb printed since the previous stop. Answer with
    ``Engine.debug_send``; the stream goes on with the next stop or the Result.
    """

    request_id: str
    function: str
    file: str
    line: int
    frames: list[dict[str, Any]] = field(default_factory=list)
    index: int = 0
    source: dict[str, Any] | None = None
    locals: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""
    post_mortem: bool = False


@dataclass
class ResponseChunk(_Json):
    """A piece of a streamed response (Lambda response streaming), as the handler wrote it.

    Yielded only to consumers that ask (``Engine.invoke(chunks=True)``), before
    the Result, which still holds the whole response. ``prelude`` is set on the
    first chunk of an HTTP-integration stream (``awslambda.HttpResponseStream.from``):
    its ``statusCode``, ``headers`` and ``cookies``, what a function URL answers with.
    """

    request_id: str
    data: bytes
    prelude: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    def to_dict(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "data": self.text, "prelude": self.prelude}


Update = LogRecord | Result
"""What an invocation stream yields: log records as they are written, then one Result."""


def function_key(spec: FunctionSpec) -> str:
    """A function's identity in a catalogue: local and deployed functions may share a name, their keys differ."""
    return spec.name if spec.is_local else f"aws:{spec.name}"


@dataclass
class Comparison:
    """A re-run beside the run before it: what changed (shown after an auto-rerun and by ``watch``)."""

    previous: Result
    current: Result
    duration_delta_ms: float
    response_changed: bool
    status_changed: bool


def compare(previous: Result, current: Result) -> Comparison:
    return Comparison(previous, current, round(current.duration_ms - previous.duration_ms, 3),
                      (previous.response, previous.error) != (current.response, current.error),
                      previous.status != current.status)
