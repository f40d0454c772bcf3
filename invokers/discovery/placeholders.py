"""Values that live in AWS (SSM parameters, stack outputs, secrets): visible placeholders until asked for.

A local run cannot know ``{{resolve:ssm:/db/url}}``, an SSM-typed template
parameter, ``${ssm:/db/url}`` or ``${cf:stack.Output}``. Passing the
parameter's *name* as its value (what ``sam local`` does) hides the problem
until the code misbehaves, so the value becomes ``<ssm:/db/url>`` with a
warning instead, and ``resolve`` fetches the real values when the user asks
and has credentials. Values read once are kept for the session
(``Settings.aws_values``) and put back after every re-read of the project, so
a save does not bring the placeholders back nor call AWS again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .yamlfile import Problem

if TYPE_CHECKING:
    from ..aws.session import Aws
    from ..models import FunctionSpec
    from . import Discovery

_DYNAMIC = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)\}\}")
PLACEHOLDER = re.compile(r"<(ssm|ssm-secure|secretsmanager|cf):([^<>\s]+)>")
HINT = "pass the value with --parameter-overrides / --env-vars, or resolve it from AWS (--resolve-aws)"


def placeholder(kind: str, key: str) -> str:
    return f"<{kind}:{key}>"


def dynamic_references(text: str) -> tuple[str, list[str]]:
    """CloudFormation ``{{resolve:...}}`` references replaced by placeholders; the placeholders used."""
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        found.append(placeholder(match[1], match[2]))
        return found[-1]

    return _DYNAMIC.sub(replace, text), found


def warning(file: str, where: str, value: str) -> Problem:
    return Problem(file, None, where, f"{value} is stored in AWS and not known locally; {HINT}", "warning")


def resolve(discovery: Discovery, aws: Aws) -> list[Problem]:
    """Replace placeholders in the functions' environments with values read from AWS.

    Returns one Problem per value that could not be read (and leaves it as a
    placeholder). Secrets are fetched but never printed: the list masks them.
    """
    from dataclasses import replace

    values, problems = fetch(pending(discovery.functions), aws)
    discovery.settings = replace(discovery.settings, aws_values={**discovery.settings.aws_values, **values})
    apply_values(discovery, values)  # kept in the settings: a re-read of the project (watch, reload) keeps them
    return problems


def pending(functions: Iterable[FunctionSpec]) -> list[str]:
    """The placeholders still in the functions' environments, each once, in order of appearance."""
    seen: dict[str, None] = {}
    for spec in functions:
        for value in spec.environment.values():
            for match in PLACEHOLDER.finditer(value):
                seen.setdefault(match[0], None)
    return list(seen)


def apply_values(discovery: Discovery, values: dict[str, str]) -> None:
    """Put values already read (placeholder -> value) in place, and drop the warnings they answer."""
    if not values:
        return
    for spec in discovery.functions:
        for name, value in spec.environment.items():
            if "<" in value:
                spec.environment[name] = PLACEHOLDER.sub(lambda m: values.get(m[0], m[0]), value)
    discovery.problems = [p for p in discovery.problems if not (
        p.severity == "warning" and HINT in p.message and any(token in p.message for token in values))]


def fetch(tokens: Iterable[str], aws: Aws) -> tuple[dict[str, str], list[Problem]]:
    """Read the values behind ``tokens`` from AWS: those read, and one Problem per token that could not be."""
    from ..aws.session import AwsError, explain

    values: dict[str, str] = {}
    problems: list[Problem] = []
    for token in tokens:
        match = PLACEHOLDER.fullmatch(token)
        if match is None:
            continue
        kind, key = match[1], match[2]
        try:
            if kind in ("ssm", "ssm-secure"):
                answer = aws.client("ssm").get_parameter(Name=key, WithDecryption=True)
                value = str(answer["Parameter"]["Value"])
            elif kind == "secretsmanager":
                secret_id = key.split(":", 1)[0] if not key.startswith("arn:") else key
                value = str(aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
            else:
                stack, _, output = key.partition(".")
                stacks = aws.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
                outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
                if output not in outputs:
                    raise AwsError("not-found", f"stack {stack} has no output {output!r}")
                value = str(outputs[output])
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable problem
            error = exc if isinstance(exc, AwsError) else explain(exc, f"read {token}")
            problems.append(Problem("AWS", None, token, str(error), "warning"))
            continue
        values[token] = value
    return values, problems
