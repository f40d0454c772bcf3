"""Route authorizers as API Gateway runs them: Lambda (TOKEN, REQUEST), JWT, Cognito user pools, AWS_IAM.

JWT and Cognito authorizers are checked by ``jwt_auth``, ``AWS_IAM`` by
``iam_auth`` (neither runs a function); the rest of this module is Lambda authorizers.

Before a guarded route's function runs, its authorizer function is invoked
locally with API Gateway's authorizer event (REST ``TOKEN``: the token and
``methodArn``; REST ``REQUEST``: the request with ``methodArn``; HTTP API: the
2.0 request with ``routeArn`` and ``identitySource``, or 1.0). Its answer decides:

- an IAM policy (``principalId``, ``policyDocument``, ``context``): an ``Allow``
  statement whose resource matches the method ARN (``*`` and ``?`` wildcards) lets
  the request through, an explicit ``Deny`` wins, no match is a 403;
- an HTTP API simple response (``{"isAuthorized": bool, "context": {...}}``);
- an ``Unauthorized`` error is a 401; any other failure is API Gateway's 500.

A missing identity source (or a token failing the validation expression) is a
401 without calling the authorizer. Answers are cached per identity for the
authorizer's TTL, and a cached policy is evaluated against each new method ARN,
as API Gateway does (a policy naming one resource denies the others). The
context reaches the handler as ``requestContext.authorizer`` (REST: flat, with
``principalId``; HTTP API: under ``lambda``).
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ..environment import ACCOUNT_ID, region
from ..models import FunctionSpec, LogRecord, Result
from . import iam_auth, jwt_auth, payloads
from .payloads import HttpAnswer, Request
from .routes import Match, Route

Run = Callable[[FunctionSpec, Any, str], Awaitable[tuple[list[LogRecord], Result]]]

_UNAUTHORIZED = {"message": "Unauthorized"}
_REST_DENIED = {"Message": "User is not authorized to access this resource with an explicit deny"}
_REST_NOT_ALLOWED = {"Message": "User is not authorized to access this resource"}
_HTTP_FORBIDDEN = {"message": "Forbidden"}


@dataclass
class Decision:
    """What the authorizer decided: let through (with the context for the handler), or API Gateway's answer."""

    context: dict[str, Any] | None = None
    """``requestContext.authorizer`` for the handler's event, when allowed."""
    answer: HttpAnswer | None = None
    """The refusal (401/403/500), when not allowed."""
    error_type: str = ""
    logs: list[LogRecord] = field(default_factory=list)
    """The authorizer's own log records (empty when the answer came from the cache)."""
    identity: dict[str, Any] | None = None
    """Fields for ``requestContext.identity`` (an IAM-signed REST request's caller)."""


@dataclass
class _Cached:
    expires: float
    output: Any


class Authorizers:
    """Runs routes' Lambda authorizers through ``run`` and keeps their answers for their TTL."""

    def __init__(self, functions: Callable[[], dict[str, FunctionSpec]], run: Run) -> None:
        self._functions = functions
        self._run = run
        self._cache: dict[tuple[str, str, tuple[str, ...]], _Cached] = {}

    def clear(self) -> None:
        """Forget cached answers (the authorizer's code or configuration changed)."""
        self._cache.clear()

    async def check(self, match: Match, request: Request) -> Decision:
        route = match.route
        config = route.authorizer or {}
        if config.get("type") in ("JWT", "COGNITO"):
            source = (config.get("identity") or ["header.Authorization"])[0]
            checked = jwt_auth.check(config, _identity_value(request, str(source)), route.payload_format)
            return _refused(checked) if isinstance(checked, HttpAnswer) else Decision(context=checked)
        if config.get("type") == "AWS_IAM":
            signed = iam_auth.check(request, route.kind, route.payload_format)
            if isinstance(signed, HttpAnswer):
                return _refused(signed)
            where, caller = signed
            return Decision(context=caller) if where == "authorizer" else Decision(identity=caller)
        http_api = route.kind == "http_api"
        identity = [_identity_value(request, source) for source in config.get("identity") or []]
        if any(not value for value in identity):
            return _refuse(401, _UNAUTHORIZED, "Unauthorized")
        if config.get("type") == "TOKEN" and config.get("validation") and identity \
                and re.fullmatch(str(config["validation"]), identity[0]) is None:
            return _refuse(401, _UNAUTHORIZED, "Unauthorized")
        arn = _method_arn(match, request)
        key = (str(config.get("name")), route.kind, tuple(identity))
        cached = self._cache.get(key) if identity and config.get("ttl") else None
        logs: list[LogRecord] = []
        if cached is not None and cached.expires > time.monotonic():
            output = cached.output
        else:
            spec = self._functions().get(str(config.get("function")))
            if spec is None:
                return _configuration_error(http_api)
            event = _event(config, match, request, arn, identity)
            logs, result = await self._run(spec, event, str(uuid.uuid4()))
            if not result.ok:
                message = (result.error or {}).get("errorMessage")
                if message == "Unauthorized":
                    return _refuse(401, _UNAUTHORIZED, "Unauthorized", logs)
                decision = _configuration_error(http_api)
                decision.logs = logs
                return decision
            output = result.response
            if identity and config.get("ttl"):
                self._cache[key] = _Cached(time.monotonic() + float(config["ttl"]), output)
        decision = _decide(config, output, arn, http_api)
        decision.logs = logs
        return decision


def authorizer_notes(routes: list[Route]) -> list[str]:
    """What a local run cannot check of the routes' authorizers, said once when serving starts."""
    kinds = {(route.authorizer or {}).get("type") for route in routes}
    notes = []
    if kinds & {"JWT", "COGNITO"}:
        notes.append("JWT/Cognito authorizers: iss, aud/client_id, exp, nbf and scopes are checked; signatures "
                     "cannot be checked offline (no JWKS), so signed tokens are trusted; alg none is refused")
    unknown: dict[str, list[str]] = {}
    for route in routes:
        config = route.authorizer or {}
        if config.get("type") == "JWT":
            unknown[str(config.get("name"))] = [what for what in ("issuer", "audience") if not config.get(what)]
        elif config.get("type") == "COGNITO":
            unknown[str(config.get("name"))] = [] if config.get("issuers") else ["user pool issuer"]
    for name, missing in sorted(unknown.items()):
        if missing:
            notes.append(f"authorizer {name}: {' and '.join(missing)} not known locally (a value from "
                         "another stack or resource): not checked")
    if "AWS_IAM" in kinds:
        notes.append("AWS_IAM routes: a SigV4 Authorization (service scope, X-Amz-Date within 5 min) is required; "
                     "the signature itself is not recomputed")
    return notes


def _decide(config: dict[str, Any], output: Any, arn: str, http_api: bool) -> Decision:
    """The authorizer's answer read as API Gateway reads it."""
    if not isinstance(output, dict):
        return _configuration_error(http_api)
    context: dict[str, Any] = output["context"] if isinstance(output.get("context"), dict) else {}
    if http_api and config.get("simple"):
        if output.get("isAuthorized") is True:
            return Decision(context={"lambda": context})
        if output.get("isAuthorized") is False:
            return _refuse(403, _HTTP_FORBIDDEN, "AccessDenied")
        return _configuration_error(http_api)
    policy = output.get("policyDocument")
    if not isinstance(policy, dict) or "principalId" not in output:
        return _configuration_error(http_api)
    effect = evaluate(policy, arn)
    if effect == "Allow":
        if http_api:
            return Decision(context={"lambda": context, "principalId": output["principalId"]})
        return Decision(context={**context, "principalId": output["principalId"], "integrationLatency": 0})
    if http_api:
        return _refuse(403, _HTTP_FORBIDDEN, "AccessDenied")
    return _refuse(403, _REST_DENIED if effect == "Deny" else _REST_NOT_ALLOWED, "AccessDenied")


def evaluate(policy: dict[str, Any], arn: str) -> str:
    """``Deny`` if a statement denies ``arn``, else ``Allow`` if one allows it, else ``""`` (implicitly denied)."""
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    effects = set()
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or not _action_matches(statement.get("Action")):
            continue
        resources = statement.get("Resource")
        resources = resources if isinstance(resources, list) else [resources]
        if any(isinstance(resource, str) and fnmatch.fnmatchcase(arn, resource) for resource in resources):
            effects.add(str(statement.get("Effect")))
    return "Deny" if "Deny" in effects else "Allow" if "Allow" in effects else ""


def _action_matches(action: Any) -> bool:
    actions = action if isinstance(action, list) else [action]
    return any(isinstance(item, str) and fnmatch.fnmatchcase("execute-api:Invoke", item) for item in actions)


def _identity_value(request: Request, source: str) -> str:
    where, _, name = source.partition(".")
    if where == "header":
        return request.header(name) or ""
    if where == "querystring":
        values = [value for key, value in parse_qsl(request.query_string, keep_blank_values=True) if key == name]
        return values[-1] if values else ""
    return ""


def _method_arn(match: Match, request: Request) -> str:
    """``arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}``, as the authorizer receives it."""
    stage = match.route.stage or "$default"
    return (f"arn:aws:execute-api:{region()}:{ACCOUNT_ID}:{payloads.API_ID}/{stage}/{request.method}"
            f"/{match.path.lstrip('/')}")


def _event(config: dict[str, Any], match: Match, request: Request, arn: str, identity: list[str]) -> dict[str, Any]:
    """API Gateway's authorizer event for this kind of authorizer and payload format."""
    if match.route.kind == "http_api":
        if config.get("payload_format") == "1.0":
            event = payloads.rest_event(request, match, version="1.0")
            return {**event, "type": "REQUEST", "methodArn": arn, "identitySource": ",".join(identity)}
        event = payloads.http_event(request, match)
        event.pop("body", None)
        event.pop("isBase64Encoded", None)
        return {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": identity,
                **{key: value for key, value in event.items() if key != "version"}}
    if config.get("type") == "TOKEN":
        return {"type": "TOKEN", "methodArn": arn, "authorizationToken": identity[0] if identity else ""}
    event = payloads.rest_event(request, match)
    event.pop("body", None)
    event.pop("isBase64Encoded", None)
    return {"type": "REQUEST", "methodArn": arn, **event}


def _refuse(status: int, body: dict[str, Any], error_type: str, logs: list[LogRecord] | None = None) -> Decision:
    answer = payloads.json_answer(status, body)
    answer.headers.append(("x-amzn-ErrorType", "UnauthorizedException" if status == 401 else "AccessDeniedException"))
    return Decision(answer=answer, error_type=error_type, logs=logs or [])


def _refused(answer: HttpAnswer) -> Decision:
    """A JWT, Cognito or IAM refusal (those never run a function, so there are no logs)."""
    if not any(key == "x-amzn-ErrorType" for key, _ in answer.headers):
        answer.headers.append(("x-amzn-ErrorType",
                               "UnauthorizedException" if answer.status == 401 else "AccessDeniedException"))
    return Decision(answer=answer, error_type="Unauthorized" if answer.status == 401 else "AccessDenied")


def _configuration_error(http_api: bool) -> Decision:
    """API Gateway's answer when the authorizer fails or answers nonsense."""
    body = {"message": "Internal Server Error"} if http_api else {"message": None}
    answer = HttpAnswer(500, [("Content-Type", "application/json"),
                              ("x-amzn-ErrorType", "AuthorizerConfigurationException")],
                        json.dumps(body).encode())
    return Decision(answer=answer, error_type="AuthorizerConfigurationException")
