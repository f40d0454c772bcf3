"""AWS SAM templates (``template.yaml`` / ``template.yml``).

Reads ``AWS::Serverless::Function`` resources with ``Globals.Function``
defaults. Intrinsics that can be resolved locally are (``!Ref`` of a parameter
with a default or of a pseudo parameter, ``!Sub``, ``!Join`` and ``!Select`` over
those; with ``--mock-aws`` also ``!Ref``/``!GetAtt`` of the resources created in
the embedded AWS); the rest show as a readable placeholder such as
``<Fn::GetAtt Table.Arn>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..environment import ACCOUNT_ID, region
from ..models import FunctionSpec
from . import api_resources, code, fields, placeholders, triggers_sam
from .settings import ResourceLookup, Settings
from .yamlfile import Problem, YamlDocument

FILENAMES = ("template.yaml", "template.yml")
FUNCTION_TYPE = "AWS::Serverless::Function"
SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<"
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def read(doc: YamlDocument, project: Path, settings: Settings | None = None, *, prefix: str = "",
         parameters: dict[str, str] | None = None, depth: int = 0,
         built: bool = False) -> tuple[list[FunctionSpec], list[Problem]]:
    """Functions of one template; ``prefix``/``parameters`` are set for a nested application's template.

    ``built`` is True for ``.aws-sam/build/template.yaml``, whose code is already built.
    """
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return [], [doc.problem("a SAM template needs a 'Resources:' mapping", "Resources")]
    globals_ = (data.get("Globals") or {}).get("Function") or {} if isinstance(data.get("Globals"), dict) else {}
    overrides = parameters if parameters is not None else (settings.parameter_overrides if settings else {})
    scope = Scope(data["Parameters"] if isinstance(data.get("Parameters"), dict) else {}, overrides,
                  settings.resources if settings and not prefix else None)
    specs: list[FunctionSpec] = []
    problems: list[Problem] = []
    own: dict[str, FunctionSpec] = {}  # this template's functions by logical id and by FunctionName
    for logical_id, resource in data["Resources"].items():
        if isinstance(resource, dict) and resource.get("Type") == code.APPLICATION_TYPE:
            child_specs, child_problems = code.application(doc, str(logical_id), resource, data["Resources"],
                                                                scope.resolve, depth)
            for child_doc, child_parameters in child_specs:
                found, more = read(child_doc, child_doc.path.parent, settings, prefix=f"{prefix}{logical_id}/",
                                   parameters=child_parameters, depth=depth + 1, built=built)
                specs.extend(found)
                problems.extend(more)
            problems.extend(child_problems)
            continue
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
            spec.name = prefix + spec.name
            problems.extend(code.finish(doc, spec, resource, data["Resources"], globals_, scope.resolve,
                                        keys, built=built))
        except fields.Invalid as exc:
            problems.append(exc.problem)
            continue
        spec.triggers, trigger_problems = triggers_sam.read(doc, keys, props, globals_, data["Resources"],
                                                            scope.resolve)
        spec.aliases, spec.versioned = _qualifiers(str(logical_id), props, globals_, data["Resources"], scope)
        problems.extend(trigger_problems)
        specs.append(spec)
        own[str(logical_id)] = spec
        function_name = scope.resolve(props.get("FunctionName"))
        if isinstance(function_name, str) and function_name:
            own.setdefault(function_name, spec)
    problems.extend(_api_routes(doc, own, scope))
    problems.extend(scope.problems(doc))
    return specs, problems


def _api_routes(doc: YamlDocument, own: dict[str, FunctionSpec], scope: Scope) -> list[Problem]:
    """Routes of the template's OpenAPI definitions and API Gateway resources, added to the functions their
    integrations name (by logical id or ``FunctionName``). One that an event also declares replaces the
    event's: the API's definition (its stage, authorizers, CORS) is what API Gateway serves."""
    found, problems = api_resources.read(doc, scope.resolve)
    for target, triggers in found.items():
        spec = own.get(target)
        if spec is None:
            continue
        for trigger in triggers:
            authorizer = trigger.params.get("authorizer") or {}
            if authorizer.get("function") in own:  # an authorizer named by its FunctionName in an ARN
                authorizer["function"] = own[authorizer["function"]].name
            key = (trigger.kind, trigger.params.get("method"), trigger.params.get("path"))
            spec.triggers = [t for t in spec.triggers if (t.kind, t.params.get("method"), t.params.get("path")) != key]
            spec.triggers.append(trigger)
    return problems


def _qualifiers(logical_id: str, props: dict[str, Any], globals_: dict[str, Any], resources: dict[str, Any],
                scope: Scope) -> tuple[list[str], bool]:
    """Aliases of a function (``AutoPublishAlias``, ``AWS::Lambda::Alias`` resources) and whether it has versions."""
    aliases: list[str] = []
    auto = scope.resolve(props.get("AutoPublishAlias", globals_.get("AutoPublishAlias")))
    if isinstance(auto, str) and auto:
        aliases.append(auto)
    versioned = bool(aliases)
    for resource in resources.values():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        target = resource["Properties"].get("FunctionName")
        if target not in ({"Ref": logical_id}, logical_id):
            continue
        if resource.get("Type") == "AWS::Lambda::Version":
            versioned = True
        name = scope.resolve(resource["Properties"].get("Name"))
        if resource.get("Type") == "AWS::Lambda::Alias" and isinstance(name, str) and name not in aliases:
            aliases.append(name)
            versioned = True
    return aliases, versioned


def _spec(doc: YamlDocument, project: Path, name: str, globals_: dict[str, Any], props: dict[str, Any],
          scope: Scope, keys: tuple[str, ...]) -> FunctionSpec:
    def prop(key: str) -> Any:
        return scope.resolve(props.get(key, globals_.get(key)))

    handler = prop("Handler")
    code_root = code.code_root(doc, project, name, props, prop, keys)
    if str(prop("Runtime") or "").startswith("provided"):
        code_dir, handler = code_root, str(handler or "bootstrap")  # the bootstrap reads _HANDLER itself
    else:
        code_dir, handler = fields.rooted_handler(doc, code_root, handler, (*keys, "Handler"))
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


class Scope:
    """Resolves the intrinsics a local run can know: overrides, parameters' defaults and pseudo parameters.

    SSM-typed parameters and ``{{resolve:ssm:...}}`` become placeholders; a
    parameter with no value at all stays unresolved. Both are reported once
    each, as warnings, when a function uses them.
    """

    def __init__(self, parameters: dict[str, Any], overrides: dict[str, str] | None = None,
                 resources: ResourceLookup | None = None) -> None:
        overrides = overrides or {}
        self.resources = resources
        self.values: dict[str, Any] = {
            "AWS::Region": region(), "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws",
            "AWS::StackName": resources.stack if resources else "local", "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
        self.missing: set[str] = set()
        self.ssm: dict[str, str] = {}
        self.used: set[str] = set()
        self.dynamic: set[str] = set()
        for name, definition in parameters.items():
            name = str(name)
            if name in overrides:
                self.values[name] = overrides[name]
            elif isinstance(definition, dict) and "Default" in definition:
                value = definition["Default"]
                if str(definition.get("Type", "")).startswith(SSM_PARAMETER_TYPE):
                    value = self.ssm[name] = placeholders.placeholder("ssm", str(value))
                self.values[name] = value
            else:
                self.missing.add(name)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            (name, arg), = value.items()
            if name == "Ref" and isinstance(arg, str):
                self.used.add(arg)
                if arg in self.values:
                    return self.values[arg]
                known = self.resources.ref(arg) if self.resources else None
                if known is not None:
                    return known
            if name == "Fn::GetAtt" and self.resources is not None:
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                    known = self.resources.get_att(parts[0], parts[1])
                    if known is not None:
                        return known
            if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
                parts = [self.resolve(part) for part in arg[1]]
                if isinstance(arg[0], str) and all(isinstance(p, (str, int, float)) for p in parts):
                    return arg[0].join(str(p) for p in parts)
            if name == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
                index, items = self.resolve(arg[0]), self.resolve(arg[1])
                if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
                    return self.resolve(items[int(index)])
            if name == "Fn::Sub":
                template = arg[0] if isinstance(arg, list) and arg else arg
                extra = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else {}
                if isinstance(template, str):
                    return self.resolve(self._sub(template, {k: self.resolve(v) for k, v in extra.items()}))
        if isinstance(value, str) and "{{resolve:" in value:
            value, found = placeholders.dynamic_references(value)
            self.dynamic.update(found)
        return value

    def _sub(self, template: str, extra: dict[str, Any]) -> Any:
        def replace(match: re.Match[str]) -> str:
            key = match[1]
            if key in extra and not isinstance(extra[key], dict):
                return str(extra[key])
            self.used.add(key)
            if key in self.values and self.values[key] is not None:
                return str(self.values[key])
            if self.resources is not None:
                logical_id, _, attribute = key.partition(".")
                found = (self.resources.get_att(logical_id, attribute) if attribute
                         else self.resources.ref(logical_id))
                if found is not None:
                    return found
            return match[0]
        return _SUB_VAR.sub(replace, template)

    def problems(self, doc: YamlDocument) -> list[Problem]:
        """Warnings for the values a function uses that the local run cannot know."""
        found = []
        for name in sorted(self.used & self.missing):
            found.append(doc.problem(f"parameter {name} has no Default and no override, so functions see "
                                     f"'<Ref {name}>': pass --parameter-overrides {name}=VALUE "
                                     "(or set it in samconfig.toml)", "Parameters", name, severity="warning"))
        for name in sorted(self.used & set(self.ssm)):
            found.append(doc.problem(f"parameter {name} is an SSM parameter: functions see {self.ssm[name]} "
                                     f"until it is resolved; {placeholders.HINT}", "Parameters", name,
                                     severity="warning"))
        for token in sorted(self.dynamic):
            found.append(placeholders.warning(doc.path.name, "", token))
        return found
