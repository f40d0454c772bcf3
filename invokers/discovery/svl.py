"""``svl.yaml``: svl-tui's own project file.

```yaml
python: python3.12   # optional: the interpreter for every Python function of the project
node: /opt/node18/bin/node   # ... and for every Node function (also for SAM/serverless functions)
defaults:            # optional, applies to every function
  runtime: python3.12
  timeout: 3
functions:
  hello:
    handler: src/hello.handler   # path/module.function
    runtime: python3.12          # optional: inferred from the handler's file
    timeout: 3                   # seconds, 1-900
    memory_mb: 128               # 128-10240
    environment: {GREETING: hi}
    description: Says hello
    event: events/hello.json     # default event: a file, or an inline mapping
    style: lambda                # or azure
    architecture: x86_64         # or arm64
    python: ~/.pyenv/versions/3.12.7/bin/python   # this function's interpreter (or node: for Node)
```
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..models import FunctionSpec
from . import fields
from .yamlfile import Problem, YamlDocument

FILENAMES = ("svl.yaml", "svl.yml")
KNOWN_KEYS = {"handler", "runtime", "timeout", "memory_mb", "environment", "description", "event", "style",
              "architecture", "python", "node"}
INTERPRETER_KEYS = {"python": "python", "node": "node"}  # a function's language -> the key choosing its interpreter


def read(doc: YamlDocument, project: Path) -> tuple[list[FunctionSpec], list[Problem]]:
    data = doc.data
    if data is None:
        return [], [doc.problem("the file is empty: add a 'functions:' mapping")]
    if isinstance(data, dict) and "functions" not in data and set(data) & set(INTERPRETER_KEYS.values()):
        return [], []  # only interpreter choices, for a SAM or serverless project (see ``apply_interpreters``)
    if not isinstance(data, dict) or not isinstance(data.get("functions"), dict):
        return [], [doc.problem("expected a top-level 'functions:' mapping of name -> settings", "functions")]
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        return [], [doc.problem("'defaults' must be a mapping", "defaults")]
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    for name, settings in data["functions"].items():
        keys = ("functions", str(name))
        if not isinstance(settings, dict):
            problems.append(doc.problem("expected a mapping with at least 'handler'", *keys))
            continue
        merged = {**defaults, **settings}
        unknown = sorted(set(settings) - KNOWN_KEYS)
        if unknown:
            known = ", ".join(sorted(KNOWN_KEYS))
            problems.append(doc.problem(f"unknown setting(s) {', '.join(unknown)}; known: {known}",
                                        *keys, unknown[0], severity="warning"))
        try:
            spec = _spec(doc, project, str(name), merged, keys)
            _interpreter(doc, project, spec, ((keys, settings), (("defaults",), defaults)))
            specs.append(spec)
        except fields.Invalid as exc:
            problems.append(exc.problem)
    return specs, problems


def _spec(doc: YamlDocument, project: Path, name: str, settings: dict[str, Any],
          keys: tuple[str, ...]) -> FunctionSpec:
    code_dir, handler = fields.split_handler(doc, project, settings.get("handler"), (*keys, "handler"))
    style = settings.get("style", "lambda")
    if style not in ("lambda", "azure"):
        raise fields.Invalid(doc.problem(f"style must be lambda or azure, got {style!r}", *keys, "style"))
    description = settings.get("description") or ""
    return FunctionSpec(
        name=name, source="svl.yaml", config_file=str(doc.path),
        runtime=fields.runtime(doc, settings.get("runtime"), (*keys, "runtime"), code_dir, handler),
        handler=handler, code_dir=str(code_dir),
        timeout_s=fields.timeout(doc, settings.get("timeout"), (*keys, "timeout")),
        memory_mb=fields.memory(doc, settings.get("memory_mb"), (*keys, "memory_mb")),
        environment=fields.environment(doc, settings.get("environment"), (*keys, "environment")),
        style=style, description=str(description),
        default_event=_event(doc, project, settings.get("event"), (*keys, "event")),
        architecture=fields.architecture(doc, settings.get("architecture"), (*keys, "architecture")),
    )


def _interpreter(doc: YamlDocument, project: Path, spec: FunctionSpec,
                 places: tuple[tuple[tuple[str, ...], dict[str, Any]], ...]) -> None:
    """Set ``spec``'s interpreter from the first of ``places`` (key path, mapping) that chooses one."""
    key = INTERPRETER_KEYS.get(spec.language)
    if key is None or spec.interpreter:
        return
    for where, mapping in places:
        value = mapping.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise fields.Invalid(doc.problem(f"{key} must be a path or a command on PATH (e.g. {key}3.12 or "
                                             f"/usr/local/bin/{key})", *where, key))
        text = value.strip()
        if "/" in text or "\\" in text or text.startswith("~"):  # a path: relative ones start at svl.yaml's folder
            spec.interpreter = str(project / Path(text).expanduser())
        else:  # a command name, looked up on PATH when the function starts
            spec.interpreter = text
        problem = doc.problem("", *where, key)
        spec.interpreter_source = f"{problem.file}:{problem.line} {problem.field}" if problem.line else (
            f"{problem.file} {problem.field}")
        return


def apply_interpreters(project: Path, specs: list[FunctionSpec]) -> list[Problem]:
    """svl.yaml's project-wide ``python:``/``node:`` for every local function that has no choice of its own
    (SAM and serverless functions included: their templates cannot say it)."""
    for filename in FILENAMES:
        path = project / filename
        if path.is_file():
            break
    else:
        return []
    from .yamlfile import ConfigFileError, load

    try:
        doc = load(path)
    except ConfigFileError:
        return []  # reported when the file was read for its functions
    if not isinstance(doc.data, dict):
        return []
    problems: list[Problem] = []
    for spec in specs:
        if spec.is_local:
            try:
                _interpreter(doc, project, spec, (((), doc.data),))
            except fields.Invalid as exc:
                if exc.problem not in problems:
                    problems.append(exc.problem)
    return problems


def _event(doc: YamlDocument, project: Path, value: Any, keys: tuple[str, ...]) -> Any:
    """An inline event, or the JSON file it names (relative to the project)."""
    if not isinstance(value, str):
        return value
    path = project / value
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise fields.Invalid(doc.problem(f"event file {value} cannot be read: {exc.strerror}", *keys)) from None
    except ValueError as exc:
        raise fields.Invalid(doc.problem(f"event file {value} is not valid JSON: {exc}", *keys)) from None
