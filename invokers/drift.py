"""Configuration drift: what the template says a function is, against what is deployed.

Pure comparison of plain data (a local ``FunctionSpec`` and the deployed
function's ``GetFunctionConfiguration`` answer), so the CLI (``svl-tui drift``),
``svl-tui compare`` and the UI's function details all show the same list.
The deployed configuration must be the raw one: a secret that changed is only
seen by comparing real values, and every value leaves here masked by
``environment.mask_value`` (the one masking rule).

Layers: a template's layer ARN must be deployed as is; a layer the template
builds from a local folder is deployed as a version of the stack's own layer,
whose ARN no local file knows, so those are counted against the deployed
layers that no template ARN accounts for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .environment import MASK, mask_value
from .models import FunctionSpec

FIELDS = ("runtime", "handler", "memory", "timeout", "architecture", "environment", "layers")


@dataclass
class DriftItem:
    """One setting on both sides, as svl-tui may show it (secrets masked); ``same`` compares the real values."""

    setting: str
    local: str
    deployed: str
    same: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"setting": self.setting, "local": self.local, "deployed": self.deployed, "same": self.same,
                **({"note": self.note} if self.note else {})}


@dataclass
class Drift:
    function: str
    deployed_name: str
    items: list[DriftItem] = field(default_factory=list)

    @property
    def drifted(self) -> list[DriftItem]:
        return [item for item in self.items if not item.same]

    def to_dict(self) -> dict[str, Any]:
        return {"function": self.function, "deployed": self.deployed_name, "drift": bool(self.drifted),
                "items": [item.to_dict() for item in self.items]}


def compare_configuration(local: FunctionSpec, configuration: dict[str, Any]) -> Drift:
    """Every setting of ``FIELDS`` (environment variable by variable) on both sides."""
    drift = Drift(local.name, str(configuration.get("FunctionName", "")))
    deployed_runtime = str(configuration.get("Runtime") or
                           ("image" if configuration.get("PackageType") == "Image" else ""))
    architectures = configuration.get("Architectures") or ["x86_64"]
    simple = (("runtime", local.runtime, deployed_runtime),
              ("handler", local.handler, str(configuration.get("Handler", ""))),
              ("memory", f"{local.memory_mb} MB", f"{int(configuration.get('MemorySize', 128))} MB"),
              ("timeout", f"{local.timeout_s:g} s", f"{float(configuration.get('Timeout', 3)):g} s"),
              ("architecture", local.architecture, str(architectures[0])))
    for setting, mine, theirs in simple:
        drift.items.append(DriftItem(setting, mine, theirs, mine == theirs))
    variables = (configuration.get("Environment") or {}).get("Variables") or {}
    deployed_env = {str(key): str(value) for key, value in variables.items()}
    drift.items.extend(_environment(local.environment, deployed_env))
    drift.items.append(_layers(local.layers, [str((layer or {}).get("Arn", "")) for layer in
                                              configuration.get("Layers") or []]))
    return drift


def _environment(local: dict[str, str], deployed: dict[str, str]) -> list[DriftItem]:
    items = []
    for name in sorted(set(local) | set(deployed), key=str.lower):
        mine, theirs = local.get(name), deployed.get(name)
        same = mine is not None and theirs is not None and str(mine) == theirs
        shown_mine = "(not set)" if mine is None else mask_value(name, str(mine))
        shown_theirs = "(not set)" if theirs is None else mask_value(name, theirs)
        note = ""
        if not same and shown_mine == shown_theirs == MASK:
            note = "secret values differ (both masked)"
        elif not same and shown_mine == shown_theirs:
            note = "they differ in a masked part (a URL's password)"
        elif not same and mine is not None and _unresolved(str(mine)):
            note = "the template leaves this to deploy time"
        items.append(DriftItem(f"env {name}", shown_mine, shown_theirs, same, note))
    return items


def _unresolved(value: str) -> bool:
    """A placeholder discovery kept for a value only a deploy resolves (``<Fn::GetAtt Table.Arn>``, ``${ssm:..}``)."""
    return value.startswith("<") and value.endswith(">") or "${" in value


def _layers(local_folders: list[str], deployed_arns: list[str]) -> DriftItem:
    from .build import recipe_for

    local_arns, built = [], 0
    for folder in local_folders:
        recipe = recipe_for(folder)
        if recipe is not None and recipe.kind == "layer":
            local_arns.append(recipe.source)
        else:
            built += 1
    unaccounted = [arn for arn in deployed_arns if arn not in local_arns]
    missing = [arn for arn in local_arns if arn not in deployed_arns]
    same = not missing and len(unaccounted) == built
    shown_local = ", ".join([*map(_short, local_arns), *([f"{built} from local folders"] if built else [])])
    note = ""
    if missing:
        note = f"not deployed: {', '.join(map(_short, missing))}"
    elif len(unaccounted) != built:
        note = f"{len(unaccounted)} deployed layer(s) not in the template, {built} built from local folders"
    return DriftItem("layers", shown_local or "(none)", ", ".join(map(_short, deployed_arns)) or "(none)", same, note)


def _short(arn: str) -> str:
    """``arn:aws:lambda:REGION:ACCOUNT:layer:shared:3`` -> ``shared:3`` (the part that tells versions apart)."""
    head, found, tail = arn.partition(":layer:")
    return tail if found else arn
