"""How the user asked to read a project: parameter overrides, an env-vars file, a stage.

These mirror SAM's own options (``--parameter-overrides``, ``samconfig.toml``,
``--env-vars env.json``) and the Serverless Framework's ``--stage``, so a
project that runs with ``sam local invoke ...`` runs here with the same flags.
They live on the Discovery so that a re-discovery after a save keeps them.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..models import FunctionSpec
from .yamlfile import Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SAMCONFIG_FILES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
SAMCONFIG_SECTIONS = ("global", "deploy", "build", "local_invoke", "local_start_api")  # later wins, as SAM reads them
_OVERRIDE = re.compile(
    r"""(?:ParameterKey=(?P<long_key>[^,\s]+),ParameterValue=|(?P<key>[A-Za-z0-9]+)=)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")


class ResourceLookup(Protocol):
    """Resources that exist for this run (the embedded AWS's, with ``--mock-aws``): what ``!Ref``/``!GetAtt`` give.

    ``invokers.aws.provision.Provisioned`` is the one implementation; discovery
    only needs these three members, so it does not import the AWS side.
    """

    stack: str

    def ref(self, logical_id: str) -> str | None: ...

    def get_att(self, logical_id: str, attribute: str) -> str | None: ...


@dataclass(frozen=True)
class Settings:
    """Options that change what discovery reads (all optional)."""

    parameter_overrides: dict[str, str] = field(default_factory=dict)
    """Template parameters given on the command line; they win over samconfig and Defaults."""
    env_vars: str = ""
    """A SAM env-vars JSON file (``{"Function": {"VAR": "v"}, "Parameters": {"VAR": "v"}}``)."""
    stage: str = ""
    """Serverless Framework stage (``--stage``); empty means provider.stage or ``dev``."""
    resources: ResourceLookup | None = None
    """With ``--mock-aws``: the template's resources as created in the embedded AWS, so that
    ``!Ref``/``!GetAtt``/``!Sub``/``Fn::Join`` of them in environments give their real names and ARNs."""
    aws_values: dict[str, str] = field(default_factory=dict)
    """Values read from AWS this session (``<ssm:/db/url>`` -> value, see ``placeholders``): put back after
    every re-read, so a save neither shows the placeholder again nor calls AWS again. Never printed."""


def parse_overrides(text: str | list[str] | tuple[str, ...]) -> dict[str, str]:
    """SAM's override syntax: ``Key=Value Key2="a b"`` or ``ParameterKey=K,ParameterValue=V``.

    Raises ValueError naming the part it does not understand.
    """
    items = [text] if isinstance(text, str) else list(text)
    values: dict[str, str] = {}
    for item in items:
        rest = item.strip()
        while rest:
            match = _OVERRIDE.match(rest)
            if match is None:
                raise ValueError(f"parameter override {rest.split()[0]!r} is not Key=Value "
                                 "(or ParameterKey=Key,ParameterValue=Value)")
            raw = match["value"]
            value = shlex.split(raw)[0] if raw[:1] in "\"'" and len(raw) > 1 else raw
            values[match["long_key"] or match["key"]] = value
            rest = rest[match.end():].lstrip()
    return values


def samconfig_overrides(project: Path) -> tuple[dict[str, str], list[Problem]]:
    """``parameter_overrides`` from the project's samconfig (``default`` environment), as SAM reads them."""
    for name in SAMCONFIG_FILES:
        path = project / name
        if path.is_file():
            break
    else:
        return {}, []
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            from .yamlfile import ConfigFileError, load

            try:
                data = load(path).data
            except ConfigFileError as exc:
                return {}, [exc.problem]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [Problem(name, None, "", f"cannot read {name}: {exc}", "warning")]
    default = data.get("default") if isinstance(data, dict) else None
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for section in SAMCONFIG_SECTIONS:
        params = (default or {}).get(section, {}).get("parameters", {}) if isinstance(default, dict) else {}
        raw = params.get("parameter_overrides") if isinstance(params, dict) else None
        if raw is None:
            continue
        try:
            values.update(parse_overrides(raw if isinstance(raw, (str, list)) else str(raw)))
        except ValueError as exc:
            problems.append(Problem(name, None, f"default.{section}.parameters.parameter_overrides", str(exc)))
    return values, problems


def apply_env_vars(path_text: str, project: Path, specs: list[FunctionSpec]) -> list[Problem]:
    """Override functions' variables from a SAM env-vars file, the way ``sam local`` does.

    ``Parameters`` applies to every function, a function's own key (its logical
    id, or ``Child/Function`` for a nested application's) wins over it. As in
    SAM, only variables the function declares are overridden; others are
    reported, not silently dropped.
    """
    path = Path(path_text)
    path = path if path.is_absolute() else (Path.cwd() / path)
    shown = path_text
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [Problem(shown, None, "", f"cannot read the env-vars file: {exc.strerror or exc}")]
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        return [Problem(shown, line, "", f"invalid JSON: {getattr(exc, 'msg', exc)}")]
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        return [Problem(shown, None, "", 'expected {"FunctionName": {"VAR": "value"}, "Parameters": {...}}')]
    problems: list[Problem] = []
    known = {spec.name for spec in specs} | {spec.name.rsplit("/", 1)[-1] for spec in specs} | {"Parameters"}
    for key in data:
        if key not in known:
            problems.append(Problem(shown, None, key, f"no function named {key!r} in this project; ignored",
                                    "warning"))
    shared: dict[str, Any] = data.get("Parameters") or {}
    for spec in specs:
        own: dict[str, Any] = data.get(spec.name) or data.get(spec.name.rsplit("/", 1)[-1]) or {}
        for source in (shared, own):
            for name, value in source.items():
                if name in spec.environment:
                    spec.environment[name] = _text(value)
                elif source is own:
                    problems.append(Problem(shown, None, f"{spec.name}.{name}",
                                            f"{name} is not declared in {spec.name}'s Environment, so sam local "
                                            "ignores it and so does svl-tui: declare it in the template", "warning"))
    return problems


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)
