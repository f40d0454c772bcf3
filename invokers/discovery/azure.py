"""Azure Functions apps: one folder per function with a ``function.json``.

Programming model v3 for Node (``function (context, ...inputs)``) and v1 for
Python (``main(req)``, ``main(msg: func.QueueMessage)`` ...), every trigger.
``local.settings.json`` ``Values`` become the environment, ``host.json``
``functionTimeout`` the timeout, as in Core Tools (``azure_apps`` reads both,
for these apps and for the code-first models).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..models import FunctionSpec
from . import triggers_azure
from .azure_apps import (
    MEMORY_MB,
    app_settings,
    default_event,
    describe,
    function_retry,
    function_timeout,
    host_retry,
    project_python,
)
from .fields import DEFAULT_NODE, NODE_EXTENSIONS
from .yamlfile import Problem

SKIP_DIRS = {"node_modules", ".git", ".svl", "__pycache__", ".venv", "venv", "dist", "build"}


def read(root: Path) -> tuple[list[FunctionSpec], list[Problem]]:
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    configs = sorted(_function_jsons(root))
    if configs and (root / "host.json").is_file():
        problems.extend(function_timeout(root)[1] + app_settings(root)[1] + host_retry(root)[1])
    for config in configs:
        try:
            spec = _spec(root, config)
        except _Skip as exc:
            problems.append(Problem(str(config.relative_to(root)), exc.line, exc.field, str(exc), exc.severity))
            continue
        spec.azure_retry, retry_problems = function_retry(
            spec.azure_retry, host_retry(_app_root(root, config.parent))[0], str(config.relative_to(root)), None)
        problems.extend(retry_problems)
        specs.append(spec)
    return specs, problems


def _function_jsons(root: Path) -> list[Path]:
    found = []
    for child in root.iterdir() if root.is_dir() else []:
        if not child.is_dir() or child.name in SKIP_DIRS or child.name.startswith("."):
            continue
        if (child / "function.json").is_file():
            found.append(child / "function.json")
        else:
            found.extend(grand / "function.json" for grand in child.iterdir()
                         if grand.is_dir() and grand.name not in SKIP_DIRS and (grand / "function.json").is_file())
    return found


class _Skip(Exception):
    def __init__(self, message: str, field: str = "", line: int | None = None, severity: str = "error") -> None:
        super().__init__(message)
        self.field = field
        self.line = line
        self.severity = severity


def _spec(root: Path, config: Path) -> FunctionSpec:
    folder = config.parent
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise _Skip(f"invalid JSON: {getattr(exc, 'msg', exc)}", line=getattr(exc, "lineno", None)) from None
    if not isinstance(data, dict):
        raise _Skip("expected a JSON object with 'bindings'")
    bindings = data.get("bindings")
    if not isinstance(bindings, list) or not bindings:
        raise _Skip("'bindings' must list at least one trigger", "bindings")
    triggers = [b for b in bindings if isinstance(b, dict) and str(b.get("type", "")).endswith("Trigger")]
    if len(triggers) != 1:
        raise _Skip(f"a function needs exactly one trigger binding, found {len(triggers)}", "bindings")
    script = data.get("scriptFile") or _default_script(folder)
    if not isinstance(script, str):
        raise _Skip("no scriptFile, and neither index.js nor __init__.py in the folder", "scriptFile")
    script_path = (folder / script).resolve()
    entry = data.get("entryPoint")
    app_root = _app_root(root, folder)
    if script_path.suffix == ".py":
        code_dir = folder.parent
        runtime = project_python(code_dir, config)[1]
        module = folder.name if script_path.name == "__init__.py" else f"{folder.name}.{script_path.stem}"
        handler = f"{module}.{entry or 'main'}"
    elif script_path.suffix in NODE_EXTENSIONS:
        runtime = DEFAULT_NODE
        code_dir = script_path.parent
        handler = f"{script_path.name}" + (f"#{entry}" if entry else "")
    else:
        raise _Skip(f"scriptFile {script!r} is neither Python nor JavaScript", "scriptFile")
    spec = FunctionSpec(
        name=folder.name, source="function.json", config_file=str(config), runtime=runtime, handler=handler,
        code_dir=str(code_dir), timeout_s=function_timeout(app_root)[0], memory_mb=MEMORY_MB,
        environment=app_settings(app_root)[0], style="azure", description=describe(triggers[0]),
        triggers=triggers_azure.read(bindings),
        azure_bindings=[b for b in bindings if isinstance(b, dict)],
        default_event=default_event(triggers[0], folder.name), azure_retry=data.get("retry"))
    return spec


def _default_script(folder: Path) -> str | None:
    for name in ("index.js", "index.mjs", "index.cjs", "__init__.py"):
        if (folder / name).is_file():
            return name
    return None


def _app_root(root: Path, folder: Path) -> Path:
    return folder.parent if (folder.parent / "host.json").is_file() else root
