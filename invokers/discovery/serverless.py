"""Serverless Framework projects (``serverless.yml``).

Reads ``provider`` defaults and ``functions.*``; resolves the variables a
local run can know (``${env:X, 'default'}``, ``${opt:stage, 'dev'}``,
``${sls:stage}``, ``${self:path.to.value}``) and leaves others as written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..models import FunctionSpec
from . import fields, triggers
from .yamlfile import Problem, YamlDocument

FILENAMES = ("serverless.yml", "serverless.yaml")
_VARIABLE = re.compile(r"\$\{([^{}]+)\}")
DEFAULT_STAGE = "dev"


def read(doc: YamlDocument, project: Path) -> tuple[list[FunctionSpec], list[Problem]]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("functions"), dict):
        return [], [doc.problem("expected a 'functions:' mapping", "functions")]
    resolver = _Resolver(data)
    provider = resolver.resolve(data.get("provider") or {})
    if not isinstance(provider, dict):
        return [], [doc.problem("'provider' must be a mapping", "provider")]
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    for name, settings in data["functions"].items():
        keys = ("functions", str(name))
        settings = resolver.resolve(settings)
        if not isinstance(settings, dict):
            problems.append(doc.problem("expected a mapping with at least 'handler'", *keys))
            continue
        try:
            spec = _spec(doc, project, str(name), provider, settings, keys)
        except fields.Invalid as exc:
            problems.append(exc.problem)
            continue
        spec.triggers, trigger_problems = triggers.serverless(doc, keys, settings, provider)
        problems.extend(trigger_problems)
        specs.append(spec)
    return specs, problems


def _spec(doc: YamlDocument, project: Path, name: str, provider: dict[str, Any], settings: dict[str, Any],
          keys: tuple[str, ...]) -> FunctionSpec:
    code_dir, handler = fields.rooted_handler(doc, _code_root(doc, project, settings, keys), settings.get("handler"),
                                              (*keys, "handler"))
    runtime_keys = (*keys, "runtime") if "runtime" in settings else ("provider", "runtime")
    env = {**(provider.get("environment") or {}), **(settings.get("environment") or {})}
    return FunctionSpec(
        name=name, source="serverless.yml", config_file=str(doc.path),
        runtime=fields.runtime(doc, settings.get("runtime", provider.get("runtime")), runtime_keys, code_dir, handler),
        handler=handler, code_dir=str(code_dir),
        timeout_s=fields.timeout(doc, settings.get("timeout", provider.get("timeout")), (*keys, "timeout")),
        memory_mb=fields.memory(doc, settings.get("memorySize", provider.get("memorySize")), (*keys, "memorySize")),
        environment=fields.environment(doc, env, (*keys, "environment")),
        description=str(settings.get("description") or ""),
        architecture=fields.architecture(doc, settings.get("architecture", provider.get("architecture")),
                                         (*keys, "architecture")),
        region=str(provider.get("region") or ""),
        reserved_concurrency=fields.concurrency(doc, settings.get("reservedConcurrency"),
                                                (*keys, "reservedConcurrency")),
        provisioned_concurrency=fields.concurrency(doc, settings.get("provisionedConcurrency"),
                                                   (*keys, "provisionedConcurrency")) or 0,
    )


def _code_root(doc: YamlDocument, project: Path, settings: dict[str, Any], keys: tuple[str, ...]) -> Path:
    """The folder deployed as the function's ``/var/task``: the service folder, or its ``module``.

    ``module:`` (serverless-python-requirements) packages one sub-folder per function, with the
    handler relative to it.
    """
    module = settings.get("module")
    if module is None:
        return project
    if not isinstance(module, str) or not (project / module).resolve().is_dir():
        raise fields.Invalid(doc.problem(f"module {module!r} is not a folder of this service", *keys, "module"))
    root = (project / module).resolve()
    if not root.is_relative_to(project.resolve()):
        raise fields.Invalid(doc.problem(f"module {module!r} leaves the service folder {project}", *keys, "module"))
    return root


class _Resolver:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > 10:
            return value
        if isinstance(value, dict):
            return {k: self.resolve(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if isinstance(value, str) and "${" in value:
            whole = _VARIABLE.fullmatch(value)
            if whole:
                found = self._lookup(whole[1], depth)
                return value if found is None else found
            return _VARIABLE.sub(lambda m: str(self._lookup(m[1], depth) or m[0]), value)
        return value

    def _lookup(self, expression: str, depth: int) -> Any:
        source, _, fallback = expression.partition(",")
        fallback_value = fallback.strip().strip("'\"") if fallback else None
        source = source.strip()
        if source.startswith("env:"):
            return os.environ.get(source[4:].strip(), fallback_value)
        if source in ("opt:stage", "sls:stage", "self:provider.stage"):
            stage = (self.data.get("provider") or {}).get("stage") if source == "self:provider.stage" else None
            return stage if isinstance(stage, str) and "${" not in stage else (fallback_value or DEFAULT_STAGE)
        if source.startswith("opt:"):
            return fallback_value
        if source.startswith("self:"):
            node: Any = self.data
            for part in source[5:].split("."):
                if not isinstance(node, dict) or part not in node:
                    return fallback_value
                node = node[part]
            return self.resolve(node, depth + 1)
        return fallback_value
