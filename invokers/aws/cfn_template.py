"""Reading the project's CloudFormation for provisioning: the declared resources of template.yaml and
serverless.yml's ``resources``, the stack name, the order they must be created in, and their intrinsics.

Kept apart from the per-service creators (``creators.py``): this part only reads and orders the templates
and resolves ``!Ref``/``!GetAtt``/``!Sub`` through a ``sam.Scope``; it calls no AWS API.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..discovery import sam, serverless
from ..discovery.settings import samconfig_overrides
from ..discovery.yamlfile import ConfigFileError, YamlDocument, load
from .resources import FAILED, Provisioned, Resource

if TYPE_CHECKING:
    from ..discovery import Discovery


@dataclass
class Declared:
    """One resource as a template declares it, before it is created: its file and section (for the problem's
    line) and what it depends on (for the order)."""

    logical_id: str
    type: str
    properties: Any
    depends_on: list[str]
    doc: YamlDocument
    section: tuple[str, ...] = ("Resources",)  # where the file declares it, for the problem's line


def fail_resource(result: Provisioned, item: Declared, reason: str) -> None:
    result.resources[item.logical_id] = Resource(item.logical_id, item.type, "", status=FAILED, reason=reason,
                                                 file=item.doc.path.name)
    result.problems.append(item.doc.problem(f"{item.type} {item.logical_id} was not created in the embedded AWS: "
                                            f"{reason}", *item.section, item.logical_id, severity="warning"))


def declared_resources(discovery: Discovery, result: Provisioned) -> tuple[list[Declared], str, Callable[[YamlDocument],
                                                                                                   sam.Scope]]:
    """The declared resources of the project's SAM template and serverless.yml, with a scope per file."""
    root = Path(discovery.project)
    declared: list[Declared] = []
    scopes: dict[Path, sam.Scope] = {}
    stack = ""
    for filename in sam.FILENAMES:
        path = root / filename
        if path.is_file():
            doc = _load(path, result)
            data = doc.data if doc is not None and isinstance(doc.data, dict) else None
            if doc is None or data is None or not isinstance(data.get("Resources"), dict):
                break
            overrides, _ = samconfig_overrides(root)
            stack = result.stack = _samconfig_stack(root) or _stack_name(root.name)  # before the scope reads it
            parameters: dict[str, Any] = data["Parameters"] if isinstance(data.get("Parameters"), dict) else {}
            scopes[doc.path] = sam.Scope(parameters, {**overrides, **discovery.settings.parameter_overrides},
                                         result)
            declared += _items(data["Resources"], doc)
            break
    for filename in serverless.FILENAMES:
        path = root / filename
        if path.is_file():
            doc = _load(path, result)
            if doc is None:
                break
            resources, service_stack = serverless.cloudformation(doc, discovery.settings)
            stack = result.stack = stack or service_stack
            scopes[doc.path] = sam.Scope({}, {}, result)
            declared += _items(resources, doc, ("resources", "Resources"))
            break
    result.stack = stack or "local"

    def scope_of(doc: YamlDocument) -> sam.Scope:
        return scopes[doc.path]

    return declared, result.stack, scope_of


def _load(path: Path, result: Provisioned) -> YamlDocument | None:
    try:
        return load(path)
    except ConfigFileError as exc:
        result.problems.append(exc.problem)  # discovery reports it too; here it explains why nothing was created
        return None


def _items(resources: dict[str, Any], doc: YamlDocument,
           section: tuple[str, ...] = ("Resources",)) -> list[Declared]:
    items = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            items.append(Declared(str(logical_id), "?", None, [], doc, section))
            continue
        depends = resource.get("DependsOn") or []
        items.append(Declared(str(logical_id), str(resource.get("Type") or "?"), resource.get("Properties"),
                               [str(d) for d in (depends if isinstance(depends, list) else [depends])], doc,
                               section))
    return items


def _samconfig_stack(root: Path) -> str:
    """``stack_name`` from samconfig.toml's default environment, as ``sam deploy`` would use it."""
    from ..discovery.settings import SAMCONFIG_FILES, tomllib

    path = root / SAMCONFIG_FILES[0]
    if not path.is_file():
        return ""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    default = data.get("default") if isinstance(data.get("default"), dict) else {}
    for section in ("deploy", "global"):
        params = (default.get(section) or {}).get("parameters") or {}
        if isinstance(params, dict) and isinstance(params.get("stack_name"), str):
            return _stack_name(params["stack_name"])
    return ""


def _stack_name(text: str) -> str:
    """A valid CloudFormation stack name from a folder name: letters, digits and hyphens, starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")
    return name if name[:1].isalpha() else f"stack-{name}".rstrip("-")


def _references(value: Any) -> set[str]:
    """Logical ids a value refers to (``Ref``, ``Fn::GetAtt``, ``${Id}`` / ``${Id.Attr}`` in ``Fn::Sub``)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and parts and isinstance(parts[0], str):
                    found.add(parts[0])
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text)}
                found |= _references(arg[1:] if isinstance(arg, list) else [])
            else:
                found |= _references(arg)
    return found


def in_dependency_order(declared: list[Declared], result: Provisioned) -> list[Declared]:
    """Declared resources with each one after those it refers to; a cycle is reported, not looped on."""
    by_id = {item.logical_id: item for item in declared}
    needs = {item.logical_id: ((_references(item.properties) | set(item.depends_on)) & set(by_id)) - {item.logical_id}
             for item in declared}
    ordered: list[Declared] = []
    done: set[str] = set()
    while len(done) < len(declared):
        ready = [item for item in declared if item.logical_id not in done and needs[item.logical_id] <= done]
        if not ready:
            for item in declared:
                if item.logical_id not in done:
                    waits = ", ".join(sorted(needs[item.logical_id] - done))
                    fail_resource(result, item, f"circular reference: it needs {waits}, which need it")
            break
        ordered += ready
        done |= {item.logical_id for item in ready}
    return ordered


def resolve_deep(scope: sam.Scope, value: Any) -> Any:
    """``value`` with every intrinsic the scope can answer replaced by its value (arguments first)."""
    if isinstance(value, list):
        return [resolve_deep(scope, item) for item in value]
    if not isinstance(value, dict):
        return scope.resolve(value) if isinstance(value, str) else value
    if len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref" or name == "Fn::GetAtt":
            return scope.resolve(value)
        if name == "Fn::Sub":
            if isinstance(arg, list) and len(arg) > 1:
                return scope.resolve({name: [arg[0], resolve_deep(scope, arg[1])]})
            return scope.resolve(value)
        if name.startswith("Fn::"):
            return scope.resolve({name: resolve_deep(scope, arg)})
    return {key: resolve_deep(scope, item) for key, item in value.items()}


def unresolved(value: Any) -> str | None:
    """The first intrinsic left in a resolved value, as written (``!GetAtt Fn.Arn``), or None."""
    if isinstance(value, list):
        return next((found for item in value if (found := unresolved(item))), None)
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            (name, arg), = value.items()
            return f"!{name.removeprefix('Fn::')} {'.'.join(arg) if isinstance(arg, list) else arg}"
        return next((found for item in value.values() if (found := unresolved(item))), None)
    return None


def generated_name(stack: str, logical_id: str, *, limit: int, lower: bool = False, suffix: str = "") -> str:
    """CloudFormation's name for a resource that sets none: ``<stack>-<LogicalId>-<SUFFIX>``.

    The suffix is 12 characters of a hash of the stack and the id, so a run
    gives the same names every time; parts are cut as CloudFormation does to
    keep within the service's length ``limit``.
    """
    digest = hashlib.sha256(f"{stack}/{logical_id}".encode()).hexdigest().upper()
    tail = digest[:12]
    room = limit - len(tail) - len(suffix) - 2
    head_stack = stack[: max(1, room // 2)] if len(stack) + len(logical_id) > room else stack
    head_id = logical_id[: max(1, room - len(head_stack))]
    name = f"{head_stack}-{head_id}-{tail}{suffix}"
    return name.lower() if lower else name
