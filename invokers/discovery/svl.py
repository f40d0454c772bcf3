"""``svl.yaml``: svl-tui's own project file.

```yaml
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
              "architecture"}


def read(doc: YamlDocument, project: Path) -> tuple[list[FunctionSpec], list[Problem]]:
    data = doc.data
    if data is None:
        return [], [doc.problem("the file is empty: add a 'functions:' mapping")]
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
            specs.append(_spec(doc, project, str(name), merged, keys))
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
