"""Serverless Framework projects (``serverless.yml``).

Reads ``provider`` defaults and ``functions.*`` with the framework's own
defaults (6 s, 1024 MB); resolves the variables a local run can know
(``${env:X, 'default'}``, ``${opt:stage, self:provider.stage}``, ``${sls:stage}``,
``${self:path.to.value, 'default'}``, ``${file(./config.yml):key}``), shows
``${ssm:...}``/``${cf:...}`` as placeholders, and leaves others as written.
Layers (``layers:``) and the ``serverless-esbuild`` plugin are honoured.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .. import build
from ..environment import ACCOUNT_ID
from ..models import FunctionSpec
from . import fields, placeholders, sam, serverless_code, triggers_serverless
from .settings import Settings
from .trigger_values import Resolve
from .yamlfile import ConfigFileError, Problem, YamlDocument, load

FILENAMES = ("serverless.yml", "serverless.yaml")
_FILE = re.compile(r"^file\(([^)]+)\)(?::(.*))?$")
DEFAULT_STAGE = "dev"
DEFAULT_TIMEOUT_S = 6.0  # the framework's own defaults, not Lambda's
DEFAULT_MEMORY_MB = 1024
MAX_DEPTH = 10


def read(doc: YamlDocument, project: Path,
         options: Settings | None = None) -> tuple[list[FunctionSpec], list[Problem]]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("functions"), dict):
        return [], [doc.problem("expected a 'functions:' mapping", "functions")]
    resolver = _Resolver(data, doc.path.parent, options.stage if options else "")
    provider = resolver.resolve(data.get("provider") or {})
    if not isinstance(provider, dict):
        return [], [doc.problem("'provider' must be a mapping", "provider")]
    extras = serverless_code.Project(doc, project, resolver.resolve(data.get("layers") or {}),
                                     resolver.resolve(data.get("plugins") or []),
                                     resolver.resolve((data.get("custom") or {}).get("esbuild") or {}))
    # CloudFormation intrinsics (``Ref``, ``Fn::GetAtt`` ...) in environments and events: with --mock-aws,
    # those of the resources created in the embedded AWS give their real names
    scope = sam.Scope({}, {}, options.resources if options else None)
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    for name, settings in data["functions"].items():
        keys = ("functions", str(name))
        settings = resolver.resolve(settings)
        if not isinstance(settings, dict):
            problems.append(doc.problem("expected a mapping with at least 'handler'", *keys))
            continue
        try:
            spec = _spec(doc, project, str(name), provider, settings, keys, resolver.resolve(data.get("package")),
                         scope.resolve)
            problems.extend(extras.finish(spec, settings.get("layers", provider.get("layers")) or [], keys))
        except fields.Invalid as exc:
            problems.append(exc.problem)
            continue
        spec.triggers, trigger_problems = triggers_serverless.read(doc, keys, settings, provider, scope.resolve)
        problems.extend(trigger_problems)
        specs.append(spec)
    problems.extend(placeholders.warning(doc.path.name, "", f"{token} ({written})")
                    for token, written in resolver.notes.items() if token.startswith("<"))
    problems.extend(Problem(doc.path.name, None, "", note, "warning")
                    for token, note in resolver.notes.items() if not token.startswith("<"))
    return specs, problems


def _spec(doc: YamlDocument, project: Path, name: str, provider: dict[str, Any], settings: dict[str, Any],
          keys: tuple[str, ...], service_package: Any = None,
          resolve: Resolve = lambda value: value) -> FunctionSpec:
    root = _code_root(doc, project, settings, keys, service_package)
    code_dir, handler = fields.rooted_handler(doc, root, settings.get("handler"), (*keys, "handler"))
    runtime_keys = (*keys, "runtime") if "runtime" in settings else ("provider", "runtime")
    env = {**(provider.get("environment") or {}), **(settings.get("environment") or {})}
    env = {key: resolve(value) for key, value in env.items()}
    timeout = settings.get("timeout", provider.get("timeout", DEFAULT_TIMEOUT_S))
    memory = settings.get("memorySize", provider.get("memorySize", DEFAULT_MEMORY_MB))
    return FunctionSpec(
        name=name, source="serverless.yml", config_file=str(doc.path),
        runtime=fields.runtime(doc, settings.get("runtime", provider.get("runtime")), runtime_keys, code_dir, handler),
        handler=handler, code_dir=str(code_dir),
        timeout_s=fields.timeout(doc, timeout, (*keys, "timeout")),
        memory_mb=fields.memory(doc, memory, (*keys, "memorySize")),
        environment=fields.environment(doc, env, (*keys, "environment")),
        description=str(settings.get("description") or ""),
        architecture=fields.architecture(doc, settings.get("architecture", provider.get("architecture")),
                                         (*keys, "architecture")),
        region=str(provider.get("region") or ""),
        reserved_concurrency=fields.concurrency(doc, settings.get("reservedConcurrency"),
                                                (*keys, "reservedConcurrency")),
        provisioned_concurrency=fields.concurrency(doc, settings.get("provisionedConcurrency"),
                                                   (*keys, "provisionedConcurrency")) or 0,
        versioned=provider.get("versionFunctions", True) is not False,
    )


def _code_root(doc: YamlDocument, project: Path, settings: dict[str, Any], keys: tuple[str, ...],
               service_package: Any = None) -> Path:
    """The folder deployed as the function's ``/var/task``: its ``package.artifact`` (a zip, extracted into
    the cache), the service's ``package.artifact``, its ``module``, or else the service folder.

    ``module:`` (serverless-python-requirements) packages one sub-folder per function, with the
    handler relative to it.
    """
    own = settings.get("package")
    for package, where in ((own, keys), (service_package, ())):
        artifact = package.get("artifact") if isinstance(package, dict) else None
        if artifact is None:
            continue
        path = (project / str(artifact)).resolve()
        if not str(artifact).endswith(".zip") or not path.is_file():
            raise fields.Invalid(doc.problem(
                f"package.artifact {artifact!r} is not a .zip file here (build it first, e.g. 'serverless package')",
                *where, "package", "artifact"))
        return build.register(build.Recipe("zip", str(path)))
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
    """Serverless Framework variables: ``${source:address, fallback, ...}``, nested, with literal fallbacks.

    Values a local run cannot know (``ssm:``, ``cf:``, ``s3:``) become visible
    placeholders and a note each; an address nothing resolves is left as written.
    """

    def __init__(self, data: dict[str, Any], folder: Path, stage: str = "") -> None:
        self.data = data
        self.folder = folder
        self.cli_stage = stage
        self.notes: dict[str, str] = {}
        self._staging = False

    def stage(self) -> str:
        """``--stage``, else ``provider.stage`` (resolved), else ``dev``, as the framework picks it."""
        if self.cli_stage:
            return self.cli_stage
        if self._staging:  # provider.stage: ${opt:stage} refers back to the stage itself
            return DEFAULT_STAGE
        self._staging = True
        try:
            stage = self.resolve((self.data.get("provider") or {}).get("stage"))
        finally:
            self._staging = False
        return stage if isinstance(stage, str) and stage and "${" not in stage else DEFAULT_STAGE

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return value
        if isinstance(value, dict):
            return {k: self.resolve(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if isinstance(value, str) and "${" in value:
            return self._expand(value, depth)
        return value

    def _expand(self, text: str, depth: int) -> Any:
        parts: list[Any] = []
        index = 0
        while index < len(text):
            start = text.find("${", index)
            if start < 0:
                parts.append(text[index:])
                break
            end = _closing(text, start + 2)
            if end < 0:
                parts.append(text[index:])
                break
            parts.append(text[index:start])
            found = self._variable(text[start + 2:end], depth)
            parts.append(text[start:end + 1] if found is None else found)
            index = end + 1
        parts = [p for p in parts if p != ""]
        if len(parts) == 1:
            return parts[0]
        return "".join(p if isinstance(p, str) else json.dumps(p) if isinstance(p, (dict, list)) else
                       str(p).lower() if isinstance(p, bool) else str(p) for p in parts)

    def _variable(self, body: str, depth: int) -> Any:
        """The first of a variable's comma-separated sources that has a value."""
        options = _split_top(body)
        for option in options:
            option = option.strip()
            if option[:1] in "'\"" and option[-1:] == option[:1] and len(option) >= 2:
                return option[1:-1]
            if option.startswith("${"):
                value = self._expand(option, depth + 1)
                if not (isinstance(value, str) and "${" in value):
                    return value
                continue
            if "${" in option:
                option = str(self._expand(option, depth + 1))
            value = self._source(option, depth)
            if value is not None:
                return value
            if ":" not in option and "(" not in option and option:
                return _literal(option)
        if options and options[0].strip() == "opt:stage":
            return self.stage()
        return None

    def _source(self, source: str, depth: int) -> Any:
        kind, _, address = source.partition(":")
        kind = kind.strip()
        if kind == "env":
            return os.environ.get(address.strip())
        if kind == "opt":
            return (self.cli_stage or None) if address.strip() == "stage" else None
        if kind == "sls":
            return self.stage() if address.strip() == "stage" else None
        if kind == "self":
            node: Any = self.data
            for part in address.strip().split("."):
                if isinstance(node, str) and "${" in node:
                    node = self.resolve(node, depth + 1)  # e.g. custom.config: ${file(...)} then .logLevel
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
            return self.resolve(node, depth + 1)
        if kind == "aws":
            return {"region": (self.data.get("provider") or {}).get("region") or "us-east-1",
                    "accountId": ACCOUNT_ID}.get(address.strip())
        if kind.startswith("file("):
            return self._file(source, depth)
        base = kind.split("(", 1)[0]
        if base in ("ssm", "cf", "s3"):
            key = address.strip().split("~", 1)[0]
            token = placeholders.placeholder(base, key)
            self.notes[token] = f"${{{source}}}"
            return token
        return None

    def _file(self, source: str, depth: int) -> Any:
        match = _FILE.match(source.strip())
        if match is None:
            return None
        relative, address = match[1].strip().strip("'\""), (match[2] or "").strip()
        path = (self.folder / relative).resolve()
        if path.suffix not in (".yml", ".yaml", ".json"):
            self.notes[f"file({relative})"] = f"${{file({relative})}}: only YAML and JSON files are read locally"
            return None
        try:
            node: Any = load(path).data
        except ConfigFileError as exc:
            self.notes[f"file({relative})"] = f"${{file({relative})}}: {exc.problem.message}"
            return None
        for part in [p for p in address.split(".") if p]:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return self.resolve(node, depth + 1)


def _closing(text: str, index: int) -> int:
    """Index of the ``}`` closing a ``${`` whose body starts at ``index`` (nested ``${}`` counted), or -1."""
    level = 1
    while index < len(text):
        if text.startswith("${", index):
            level += 1
            index += 2
            continue
        if text[index] == "}":
            level -= 1
            if level == 0:
                return index
        index += 1
    return -1


def _split_top(body: str) -> list[str]:
    """Split at commas outside quotes, parentheses and nested variables."""
    parts: list[str] = []
    current: list[str] = []
    level, quote = 0, ""
    index = 0
    while index < len(body):
        char = body[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif body.startswith("${", index) or char == "(":
            level += 1
        elif char in "})" and level:
            level -= 1
        elif char == "," and level == 0:
            parts.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _literal(text: str) -> Any:
    """A bare fallback (``${opt:x, 5}``) is a number or boolean when it reads as one, else text."""
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def cloudformation(doc: YamlDocument, options: Settings | None = None) -> tuple[dict[str, Any], str]:
    """The service's own CloudFormation ``resources.Resources`` (variables resolved) and its stack name.

    The stack is ``<service>-<stage>``, as the framework names it; ``resources``
    may also be a list of such sections (``- ${file(./queues.yml)}``), merged in order.
    """
    data = doc.data if isinstance(doc.data, dict) else {}
    resolver = _Resolver(data, doc.path.parent, options.stage if options else "")
    service = resolver.resolve(data.get("service"))
    if isinstance(service, dict):  # the framework's older form: service: {name: ...}
        service = service.get("name")
    sections = resolver.resolve(data.get("resources") or {})
    found: dict[str, Any] = {}
    for section in sections if isinstance(sections, list) else [sections]:
        if isinstance(section, dict) and isinstance(section.get("Resources"), dict):
            found.update(section["Resources"])
    return found, f"{service or 'service'}-{resolver.stage()}"
