"""AWS SAM templates (``template.yaml`` / ``template.yml``).

Reads ``AWS::Serverless::Function`` resources with ``Globals.Function``
defaults. Intrinsics that can be resolved locally are (``!Ref`` of a parameter
with a default or of a pseudo parameter, ``!Sub`` over those); the rest show
as a readable placeholder such as ``<Fn::GetAtt Table.Arn>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..environment import ACCOUNT_ID, region
from ..models import FunctionSpec
from . import fields, triggers
from .yamlfile import Problem, YamlDocument

FILENAMES = ("template.yaml", "template.yml")
FUNCTION_TYPE = "AWS::Serverless::Function"
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def read(doc: YamlDocument, project: Path) -> tuple[list[FunctionSpec], list[Problem]]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return [], [doc.problem("a SAM template needs a 'Resources:' mapping", "Resources")]
    globals_ = (data.get("Globals") or {}).get("Function") or {} if isinstance(data.get("Globals"), dict) else {}
    parameters: dict[str, Any] = data["Parameters"] if isinstance(data.get("Parameters"), dict) else {}
    scope = _Scope(parameters)
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    for logical_id, resource in data["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") != FUNCTION_TYPE:
            continue
        keys = ("Resources", str(logical_id), "Properties")
        props = resource.get("Properties") or {}
        if not isinstance(props, dict):
            problems.append(doc.problem("Properties must be a mapping", *keys))
            continue
        if props.get("PackageType") == "Image":
            problems.append(doc.problem("container image functions are not run locally; skipped",
                                        *keys, "PackageType", severity="warning"))
            continue
        try:
            spec = _spec(doc, project, str(logical_id), globals_, props, scope, keys)
        except fields.Invalid as exc:
            problems.append(exc.problem)
            continue
        spec.triggers, trigger_problems = triggers.sam(doc, keys, props, globals_, data["Resources"], scope.resolve)
        problems.extend(trigger_problems)
        specs.append(spec)
    return specs, problems


def _spec(doc: YamlDocument, project: Path, name: str, globals_: dict[str, Any], props: dict[str, Any],
          scope: _Scope, keys: tuple[str, ...]) -> FunctionSpec:
    def prop(key: str) -> Any:
        return scope.resolve(props.get(key, globals_.get(key)))

    code_uri = prop("CodeUri") or "."
    if not isinstance(code_uri, str):
        raise fields.Invalid(doc.problem("CodeUri must be a local folder to run the function locally",
                                         *keys, "CodeUri"))
    handler = prop("Handler")
    code_dir, handler = fields.rooted_handler(doc, project / code_uri, handler, (*keys, "Handler"))
    env_globals = ((globals_.get("Environment") or {}).get("Variables") or {})
    env_own = ((props.get("Environment") or {}).get("Variables") or {})
    environment = {key: scope.resolve(value) for key, value in {**env_globals, **env_own}.items()}
    return FunctionSpec(
        name=name, source="template.yaml", config_file=str(doc.path),
        runtime=fields.runtime(doc, prop("Runtime"), (*keys, "Runtime"), code_dir, handler),
        handler=handler, code_dir=str(code_dir),
        timeout_s=fields.timeout(doc, prop("Timeout"), (*keys, "Timeout")),
        memory_mb=fields.memory(doc, prop("MemorySize"), (*keys, "MemorySize")),
        environment=fields.environment(doc, environment, (*keys, "Environment", "Variables")),
        description=str(prop("Description") or ""),
        architecture=fields.architecture(doc, prop("Architectures"), (*keys, "Architectures")),
        reserved_concurrency=fields.concurrency(doc, prop("ReservedConcurrentExecutions"),
                                                (*keys, "ReservedConcurrentExecutions")),
        provisioned_concurrency=fields.concurrency(
            doc, (prop("ProvisionedConcurrencyConfig") or {}).get("ProvisionedConcurrentExecutions"),
            (*keys, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")) or 0,
    )


class _Scope:
    """Resolves the intrinsics a local run can know: parameters' defaults and pseudo parameters."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.values: dict[str, Any] = {
            "AWS::Region": region(), "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws",
            "AWS::StackName": "local", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None,
        }
        for name, definition in parameters.items():
            if isinstance(definition, dict) and "Default" in definition:
                self.values[str(name)] = definition["Default"]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            (name, arg), = value.items()
            if name == "Ref" and isinstance(arg, str) and arg in self.values:
                return self.values[arg]
            if name == "Fn::Sub":
                template = arg[0] if isinstance(arg, list) and arg else arg
                extra = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else {}
                if isinstance(template, str):
                    return self._sub(template, {k: self.resolve(v) for k, v in extra.items()})
        return value

    def _sub(self, template: str, extra: dict[str, Any]) -> Any:
        def replace(match: re.Match[str]) -> str:
            key = match[1]
            if key in extra and not isinstance(extra[key], dict):
                return str(extra[key])
            if key in self.values and self.values[key] is not None:
                return str(self.values[key])
            return match[0]
        return _SUB_VAR.sub(replace, template)
