"""Azure Functions apps written in code: Node.js model v4 and Python model v2.

These apps have no ``function.json``: functions are registered when the app's
code runs (``app.http('hello', {...})`` in Node, ``@app.route(...)`` in
Python). So discovery runs the app's entry code, with its own
``@azure/functions`` / ``azure-functions`` package, in a worker process (never
in svl-tui's own) and reads back what was registered. A project is only
looked at when it has a ``host.json`` (every Azure Functions app has one), so
other projects pay one ``stat``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..models import FunctionSpec
from . import triggers_azure
from .fields import DEFAULT_NODE, DEFAULT_PYTHON
from .yamlfile import Problem

BOOTSTRAP_DIR = Path(__file__).resolve().parent.parent / "bootstrap"
DISCOVERY_MARK = "\x1esvl-azure-discovery "
DISCOVERY_TIMEOUT_S = 20.0
DEFAULT_TIMEOUT_S = 300.0  # host.json functionTimeout on the Consumption plan: 5 minutes
MAX_TIMEOUT_S = 600.0  # ... and at most 10 minutes there
MEMORY_MB = 1536  # an Azure Consumption plan instance
NODE_SOURCE = "package.json"  # FunctionSpec.source of a Node v4 function
PYTHON_SOURCE = "function_app.py"  # FunctionSpec.source of a Python v2 function

# What each trigger must be given (by its function.json / library name), checked so a missing
# argument is reported at the registration's line rather than failing the first invoke.
REQUIRED = {
    "timerTrigger": ("schedule",),
    "queueTrigger": ("queueName",),
    "blobTrigger": ("path",),
    "serviceBusTrigger": (),
    "eventHubTrigger": ("eventHubName",),
    "cosmosDBTrigger": (),
    "sqlTrigger": ("tableName",),
}
LABELS = {
    "httpTrigger": "HTTP", "timerTrigger": "timer", "queueTrigger": "storage queue", "blobTrigger": "blob",
    "serviceBusTrigger": "Service Bus", "eventHubTrigger": "Event Hubs", "cosmosDBTrigger": "Cosmos DB",
    "eventGridTrigger": "Event Grid", "warmupTrigger": "warm-up", "sqlTrigger": "SQL",
    "activityTrigger": "Durable activity", "orchestrationTrigger": "Durable orchestrator",
    "entityTrigger": "Durable entity",
}


def is_azure_app(root: Path) -> bool:
    return (root / "host.json").is_file()


def read(root: Path, node: str | None = None) -> tuple[list[FunctionSpec], list[Problem]]:
    """The functions a v4 Node app or a v2 Python app registers, and what is wrong with it."""
    if not is_azure_app(root):
        return [], []
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    settings, settings_problems = app_settings(root)
    problems.extend(settings_problems)
    timeout, timeout_problems = function_timeout(root)
    problems.extend(timeout_problems)
    retry, retry_problems = host_retry(root)
    problems.extend(retry_problems)
    if _is_node_v4(root):
        command = [node or _node(), str(BOOTSTRAP_DIR / "azure_node.js"), "--discover", str(root)]
        _collect(root, command, NODE_SOURCE, DEFAULT_NODE, settings, (timeout, retry), specs, problems)
    if (root / "function_app.py").is_file():
        python, runtime = project_python(root, root / "function_app.py")
        command = [*python, str(BOOTSTRAP_DIR / "azure_python.py"), "--discover", str(root)]
        _collect(root, command, PYTHON_SOURCE, runtime, settings, (timeout, retry), specs, problems)
    return specs, problems


def project_python(code_dir: Path, config_file: Path) -> tuple[list[str], str]:
    """The interpreter of the project's own virtualenv and its runtime name (``python3.11``), as Core Tools
    runs an app with the Python it finds; without one, a bare interpreter that sees no site-packages."""
    from ..python_path import project_venv

    probe = FunctionSpec(name="", source=PYTHON_SOURCE, runtime=DEFAULT_PYTHON, handler="", code_dir=str(code_dir),
                         config_file=str(config_file))
    venv = project_venv(probe)
    if venv is None:
        return [sys.executable, "-S"], DEFAULT_PYTHON
    try:
        config = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        config = ""
    version = next((line.split("=", 1)[1].strip() for line in config.splitlines()
                    if line.split("=", 1)[0].strip() in ("version", "version_info")), "")
    runtime = "python" + ".".join(version.split(".")[:2]) if version.count(".") >= 1 else DEFAULT_PYTHON
    return [str(venv / "bin" / "python")], runtime


def _node() -> str:
    from ..runtimes import node_executable

    return node_executable()


def _is_node_v4(root: Path) -> bool:
    """A package.json that depends on @azure/functions 4.x (or has it installed at 4.x)."""
    try:
        package = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(package, dict):
        return False
    wanted = {**(package.get("dependencies") or {}), **(package.get("devDependencies") or {})}.get("@azure/functions")
    if wanted is None:
        return False
    try:
        installed = json.loads((root / "node_modules/@azure/functions/package.json").read_text(encoding="utf-8"))
        return str(installed.get("version", "")).startswith("4")
    except (OSError, ValueError, AttributeError):
        return "4" in str(wanted).lstrip("^~>=v ")[:1]


def _collect(root: Path, command: list[str], source: str, runtime: str, settings: dict[str, str],
             host: tuple[float, dict[str, Any] | None], specs: list[FunctionSpec], problems: list[Problem]) -> None:
    """Run the app's discovery in a worker; ``host`` is host.json's timeout and retry policy."""
    entry = "package.json" if source == NODE_SOURCE else "function_app.py"
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=DISCOVERY_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, env={**os.environ, **settings})
    except subprocess.TimeoutExpired:
        problems.append(Problem(entry, None, "", f"loading the app took over {DISCOVERY_TIMEOUT_S:.0f} s "
                                                 "(code that runs at import time?); no functions listed"))
        return
    except OSError as exc:
        problems.append(Problem(entry, None, "", f"could not run {command[0]}: {exc.strerror}"))
        return
    found = _parse(done.stdout)
    if found is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        problems.append(Problem(entry, None, "", f"could not load the app: {tail}"))
        return
    for problem in found.get("problems", []):
        problems.append(Problem(_relative(root, problem.get("file", "")), problem.get("line") or None,
                                problem.get("field", ""), str(problem.get("message", "")),
                                problem.get("severity", "error")))
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    for function in found.get("functions", []):
        spec, problem = _spec(root, function, source, runtime, settings, host[0], routes)
        if problem is not None:
            problems.append(problem)
        if spec is not None:
            spec.azure_retry, retry_problems = function_retry(
                function.get("retry"), host[1], _relative(root, spec.config_file), function.get("line") or None)
            problems.extend(retry_problems)
            specs.append(spec)


def _parse(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.split("\n")):  # not splitlines(): it splits at the mark's \x1e
        if line.startswith(DISCOVERY_MARK):
            try:
                value = json.loads(line[len(DISCOVERY_MARK):])
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _relative(root: Path, file: str) -> str:
    try:
        return str(Path(file).resolve().relative_to(root))
    except ValueError:
        return file


def _spec(root: Path, function: dict[str, Any], source: str, runtime: str, settings: dict[str, str], timeout: float,
          routes: dict[tuple[str, str], dict[str, Any]]) -> tuple[FunctionSpec | None, Problem | None]:
    name = str(function.get("name", ""))
    bindings = [b for b in function.get("bindings", []) if isinstance(b, dict)]
    file = _relative(root, str(function.get("file", ""))) or source
    line = function.get("line") or None
    trigger = next((b for b in bindings if str(b.get("type", "")).lower().endswith("trigger")), None)
    if trigger is None:
        return None, Problem(file, line, name, f"function {name!r} has no trigger binding; skipped")
    kind = str(trigger.get("type"))
    missing = [key for key in REQUIRED.get(kind, ()) if not trigger.get(key)]
    if missing:
        return None, Problem(file, line, name, f"{kind} of {name!r} needs {', '.join(repr(m) for m in missing)}; "
                                               "this function is skipped until it is given")
    problem = None
    if kind == "httpTrigger":
        problem = _route_clash(name, trigger, file, line, routes)
    spec = FunctionSpec(
        name=name, source=source, config_file=str(root / file), runtime=runtime, handler=name, code_dir=str(root),
        timeout_s=timeout, memory_mb=MEMORY_MB, environment=dict(settings), style="azure",
        description=describe(trigger), azure_bindings=bindings, default_event=default_event(trigger, name),
        triggers=triggers_azure.read(bindings))
    return spec, problem


def default_event(trigger: dict[str, Any], name: str) -> Any:
    """The event the trigger sends, filled from the binding: a request to its route, a message on its queue ..."""
    from event_samples import azure as azure_events  # only Azure apps pay for the event samples
    from event_samples import http as http_events

    if trigger.get("type") != "httpTrigger":
        return azure_events.for_trigger(trigger)
    route = str(trigger.get("route") or name)
    path = re.sub(r"/?\{[^}]*\?\}", "", route)  # optional parameters left out
    path = re.sub(r"\{\*?([A-Za-z_][A-Za-z0-9_]*)[^}]*\}", "1", path)  # required ones get a sample value
    methods = [str(m).upper() for m in trigger.get("methods") or []]
    return http_events.azure_http(methods[0] if methods else "GET", f"/api/{path.strip('/')}")


def describe(trigger: dict[str, Any]) -> str:
    """One line for the function's details: the trigger and what it is bound to."""
    kind = str(trigger.get("type", ""))
    label = LABELS.get(kind, kind)
    if kind == "httpTrigger":
        methods = ", ".join(str(m).upper() for m in trigger.get("methods") or []) or "any method"
        return f"Azure {label} function ({methods}) /api/{trigger.get('route') or ''}".rstrip("/")
    detail = (trigger.get("schedule") or trigger.get("queueName") or trigger.get("path") or trigger.get("topicName")
              or trigger.get("eventHubName") or trigger.get("containerName") or trigger.get("collectionName")
              or trigger.get("tableName") or "")
    if kind in ("orchestrationTrigger", "entityTrigger"):
        detail = "runs only in the Durable runtime: func start"
    return f"Azure {label} function" + (f" ({detail})" if detail else "")


def _route_clash(name: str, trigger: dict[str, Any], file: str, line: int | None,
                 routes: dict[tuple[str, str], dict[str, Any]]) -> Problem | None:
    """Two HTTP functions on the same route and method: the host would refuse to start."""
    route = str(trigger.get("route") or name).strip("/").lower()
    methods = [str(m).upper() for m in trigger.get("methods") or []] or ["*"]
    for method in methods:
        for key in ((route, method), (route, "*")) if method != "*" else [k for k in routes if k[0] == route]:
            other = routes.get(key)
            if other is not None:
                return Problem(file, line, name, f"route '{route}' ({method}) is also served by {other['name']!r} "
                                                 f"({other['file']}:{other['line']}); the host would refuse to start",
                               "warning")
    for method in methods:
        routes[(route, method)] = {"name": name, "file": file, "line": line}
    return None


def app_settings(root: Path) -> tuple[dict[str, str], list[Problem]]:
    """``local.settings.json``: ``Values`` as environment variables, ``ConnectionStrings`` as App Service names them."""
    path = root / "local.settings.json"
    if not path.is_file():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return {}, [Problem("local.settings.json", getattr(exc, "lineno", None), "",
                            f"invalid JSON: {getattr(exc, 'msg', exc)}; its settings are not applied")]
    except OSError as exc:
        return {}, [Problem("local.settings.json", None, "", f"cannot read: {exc.strerror}")]
    if not isinstance(data, dict):
        return {}, [Problem("local.settings.json", 1, "", "expected a JSON object with 'Values'")]
    if data.get("IsEncrypted") is True:
        return {}, [Problem("local.settings.json", None, "IsEncrypted",
                            "the settings are encrypted (func settings decrypt to read them); not applied", "warning")]
    values = data.get("Values") or {}
    settings = {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}
    strings = data.get("ConnectionStrings") or {}
    for key, value in strings.items() if isinstance(strings, dict) else []:
        # App Service exposes a connection string as an environment variable with a prefix by its type.
        provider = str(value.get("ProviderName", "")) if isinstance(value, dict) else ""
        text = str(value.get("ConnectionString", "")) if isinstance(value, dict) else str(value)
        prefix = "SQLCONNSTR_" if "SqlClient" in provider else "CUSTOMCONNSTR_"
        settings[f"{prefix}{key}"] = text
    return settings, []


def host_retry(root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """``host.json`` ``retry``: the policy of every function that has none of its own."""
    raw, line = _host_setting(root, "retry")
    if raw is None:
        return None, []
    return function_retry(raw, None, "host.json", line)


def _host_setting(root: Path, key: str) -> tuple[Any, int | None]:
    """``host.json``'s top-level ``key`` and the line that names it; (None, None) when the file is unreadable or
    the key absent (the caller's default applies, as the host's would)."""
    try:
        text = (root / "host.json").read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None, None
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        return None, None
    return value, next((n for n, row in enumerate(text.splitlines(), 1) if f'"{key}"' in row), None)


def function_retry(own: Any, fallback: dict[str, Any] | None, file: str,
                   line: int | None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A function's own retry policy (function.json ``retry``, ``@app.retry``, v4 ``retry``), else ``fallback``;
    a malformed one is reported and not applied."""
    from ..azure_retry import parse

    if own is None:
        return fallback, []
    policy, error = parse(own)
    if policy is None:
        return None, [Problem(file, line, "retry", f"{error}; failures are not retried", "warning")]
    return policy, []


def function_timeout(root: Path) -> tuple[float, list[Problem]]:
    """``host.json`` ``functionTimeout`` ("hh:mm:ss"); Consumption's default of 5 minutes when absent."""
    value, line = _host_setting(root, "functionTimeout")
    if value is None:
        return DEFAULT_TIMEOUT_S, []
    seconds = parse_timespan(value)
    if seconds is None:
        return DEFAULT_TIMEOUT_S, [Problem("host.json", line, "functionTimeout",
                                           f"expected a time span like \"00:05:00\" (hh:mm:ss), got {value!r}; "
                                           "using the default of 5 minutes")]
    if seconds == -1:
        return MAX_TIMEOUT_S, [Problem("host.json", line, "functionTimeout", "-1 (no limit) is not allowed on the "
                                       "Consumption plan; using its maximum of 10 minutes", "warning")]
    if not 1 <= seconds <= MAX_TIMEOUT_S:
        return min(max(seconds, 1.0), MAX_TIMEOUT_S), [Problem(
            "host.json", line, "functionTimeout",
            f"{value!r} is outside the Consumption plan's range (00:00:01 to 00:10:00); using "
            f"{min(max(seconds, 1.0), MAX_TIMEOUT_S):.0f} s")]
    return seconds, []


def parse_timespan(value: Any) -> float | None:
    """A .NET time span ``[d.]hh:mm:ss[.fff]`` in seconds (-1 stays -1); None when malformed."""
    if value == -1 or value == "-1":
        return -1
    if not isinstance(value, str):
        return None
    days = 0.0
    text = value.strip()
    parts = text.split(":")
    if len(parts) != 3:
        return None
    if "." in parts[0]:
        day_text, parts[0] = parts[0].split(".", 1)
        if not day_text.isdigit():
            return None
        days = float(day_text)
    try:
        hours, minutes, seconds = int(parts[0]), int(parts[1]), float(parts[2])
    except ValueError:
        return None
    if hours < 0 or not 0 <= minutes < 60 or not 0 <= seconds < 60:
        return None
    return days * 86400 + hours * 3600 + minutes * 60 + seconds
