"""A local function's deployed twin: which deployed function it is, and its raw configuration.

A template names functions by logical id (``HelloWorldFunction``); a deploy
names them ``<stack>-HelloWorldFunction-<random>`` (CloudFormation) or
``<service>-<stage>-<name>`` (Serverless Framework), unless the template set a
``FunctionName``. So the twin is the deployed function of the same name, else
the one whose name holds the local name as a ``-``-separated part. More than
one candidate is an error that lists them (``--deployed-name`` picks one).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from ..models import FunctionSpec
from .session import Aws, AwsError, explain


def twin_name(local: str, deployed: list[str]) -> str:
    """The deployed name of ``local`` among ``deployed``; AwsError when there is none or several."""
    if local in deployed:
        return local
    part = re.compile(rf"(^|-){re.escape(local)}(-[A-Za-z0-9]+)?$")
    found = [name for name in deployed if part.search(name)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise AwsError("not-found", f"no deployed function looks like {local} (same name, <stack>-{local}-<id> "
                                    f"or <service>-<stage>-{local}): pass --deployed-name NAME")
    raise AwsError("ambiguous", f"several deployed functions may be {local}: {', '.join(sorted(found))}; "
                                "pass --deployed-name NAME")


async def configuration(aws: Aws, local: FunctionSpec, deployed_name: str | None = None) -> dict[str, Any]:
    """The raw (unmasked) ``GetFunctionConfiguration`` of ``local``'s twin: for comparing, never for showing."""
    return await asyncio.to_thread(_configuration, aws, local.name, deployed_name)


def _configuration(aws: Aws, local: str, deployed_name: str | None) -> dict[str, Any]:
    client = aws.client("lambda")
    name = deployed_name or local
    try:
        config = client.get_function_configuration(FunctionName=name)
    except Exception as exc:
        error = explain(exc, f"read the configuration of {name}")
        if deployed_name or error.kind != "not-found":
            raise error from exc
        twin = twin_name(local, _names(aws))
        try:
            config = client.get_function_configuration(FunctionName=twin)
        except Exception as again:
            raise explain(again, f"read the configuration of {twin}") from again
    config.pop("ResponseMetadata", None)
    return dict(config)


def _names(aws: Aws) -> list[str]:
    names: list[str] = []
    try:
        for page in aws.client("lambda").get_paginator("list_functions").paginate():
            names.extend(str(f["FunctionName"]) for f in page.get("Functions", []))
    except Exception as exc:
        raise explain(exc, "list Lambda functions") from exc
    return names


def deployed_spec(config: dict[str, Any], region: str) -> FunctionSpec:
    """The twin as an invocable deployed spec (its environment masked: the spec may be shown)."""
    from ..environment import mask_environment
    from .deployed import to_spec

    spec = to_spec(config, region)
    spec.environment = mask_environment(spec.environment)
    return spec
