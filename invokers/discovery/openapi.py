"""Routes of an API declared as OpenAPI (Swagger 2 or OpenAPI 3), as API Gateway imports it.

Each path and method whose ``x-amazon-apigateway-integration`` points at a
Lambda function becomes a route (``x-amazon-apigateway-any-method`` is ``ANY``),
with the integration's ``payloadFormatVersion`` (HTTP APIs), its authorizer from
``security`` (the operation's, else the document's; ``[]`` is none) read from
the scheme's ``x-amazon-apigateway-authorizer`` (Lambda ``token``/``request``,
``cognito_user_pools``, ``jwt``) or ``x-amazon-apigateway-authtype: awsSigv4``
(IAM), and its CORS: ``x-amazon-apigateway-cors`` (HTTP APIs) or, on REST, the
path's ``options`` mock integration and the ``Access-Control-Allow-*`` headers it
answers with. Intrinsics are resolved through ``resolve`` where the template
can be (an inline ``DefinitionBody``, ``AWS::Include``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import api_config
from .trigger_values import Resolve, api_method, api_path

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")
_INTEGRATION = "x-amazon-apigateway-integration"
_AUTHORIZER = "x-amazon-apigateway-authorizer"
_URI_TARGET = re.compile(r"functions/(.+?)/invocations")
_SUB_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")


@dataclass
class ApiRoute:
    """One route of an API definition, before it becomes a function's trigger."""

    method: str
    path: str
    target: str
    """The function as the integration names it: a logical id, or a function name from an ARN."""
    payload_format: str = ""
    authorizer: dict[str, Any] | None = None
    """``api_config``'s form; None when the definition says nothing (the API's default may apply)."""
    open: bool = False
    """The definition says explicitly that no authorizer guards it (``security: []``)."""
    cors: dict[str, Any] | None = field(default=None)


def integration_target(value: Any, resolve: Resolve) -> str | None:
    """The function a Lambda integration URI (or an HTTP API integration's function ARN) names.

    ``!GetAtt Fn.Arn``, ``!Ref Fn``, ``!Sub ...functions/${Fn.Arn}/invocations``, ``!Join`` over those, or
    an ARN ending in ``:function:NAME`` (a ``FunctionName``); None when it names no Lambda function."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name in ("Fn::GetAtt", "Ref"):
            target = arg[0] if isinstance(arg, list) and arg else str(arg).split(".")[0]
            return str(target) if not str(target).startswith("AWS::") else None
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            for part in arg[1]:
                found = integration_target(part, resolve) if isinstance(part, dict) else None
                if found:
                    return found
            text = "".join(str(resolve(part)) for part in arg[1])
            return _target_in_text(text) if "lambda" in text else None
        if name == "Fn::Sub":
            template = arg[0] if isinstance(arg, list) and arg else arg
            variables = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else {}
            if isinstance(template, str):
                found = _target_in_text(template)
                if found in variables:  # !Sub [".../functions/${fn}/invocations", {fn: !GetAtt Fn.Arn}]
                    return integration_target(variables[found], resolve)
                return found or _target_in_text(str(resolve(value)))
        return None
    return _target_in_text(value) if isinstance(value, str) else None


def _target_in_text(text: str) -> str | None:
    if ":lambda:path/" not in text and ":function:" not in text and not _SUB_REF.fullmatch(text):
        return None
    found = _URI_TARGET.search(text)
    target = found.group(1) if found else text
    reference = _SUB_REF.search(target.split(":function:")[-1])
    if reference is not None:
        return reference.group(1)
    if ":function:" in target:
        return target.split(":function:", 1)[1].split(":")[0].split("/")[0] or None
    return None


def routes(definition: Any, kind: str, resolve: Resolve) -> list[ApiRoute]:
    """Every Lambda-integrated route of ``definition`` (``kind``: ``api`` for REST, ``http_api``)."""
    if not isinstance(definition, dict) or not isinstance(definition.get("paths"), dict):
        return []
    schemes = _schemes(definition)
    document_security = definition.get("security")
    http_cors = api_config.http_cors(definition.get("x-amazon-apigateway-cors"), resolve) \
        if kind == "http_api" else None
    found: list[ApiRoute] = []
    for raw_path, operations in definition["paths"].items():
        if not isinstance(operations, dict):
            continue
        path = api_path(raw_path)
        cors = http_cors if kind == "http_api" else _rest_cors(operations.get("options"), resolve)
        for method, operation in operations.items():
            if str(method).lower() not in METHODS or not isinstance(operation, dict):
                continue
            integration = resolve(operation.get(_INTEGRATION))
            if not isinstance(integration, dict):
                continue
            target = integration_target(integration.get("uri"), resolve)
            if not target:
                continue
            security = operation.get("security", document_security)
            route = ApiRoute(api_method(method), path, target, cors=cors,
                             payload_format=str(resolve(integration.get("payloadFormatVersion")) or ""))
            if isinstance(security, list) and not security:
                route.open = True
            elif isinstance(security, list):
                route.authorizer = _authorizer(security, schemes, kind, resolve)
            found.append(route)
    return found


def _schemes(definition: dict[str, Any]) -> dict[str, Any]:
    """Security schemes: OpenAPI 3's ``components.securitySchemes``, Swagger 2's ``securityDefinitions``."""
    components = definition.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        schemes = definition.get("securityDefinitions")
    return schemes if isinstance(schemes, dict) else {}


def _authorizer(security: list[Any], schemes: dict[str, Any], kind: str, resolve: Resolve) -> dict[str, Any] | None:
    """The first requirement API Gateway can enforce (API keys are not authorizers)."""
    for requirement in security:
        if not isinstance(requirement, dict):
            continue
        for name, scopes in requirement.items():
            scheme = schemes.get(name)
            if isinstance(scheme, dict):
                made = authorizer_of(str(name), scheme, api_config.split(scopes), kind, resolve)
                if made is not None:
                    return made
    return None


def authorizer_of(name: str, scheme: dict[str, Any], scopes: list[str], kind: str,
                  resolve: Resolve) -> dict[str, Any] | None:
    """A security scheme in ``api_config``'s form, or None when it is not an authorizer (an API key)."""
    if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
        return api_config.iam_authorizer()
    config = resolve(scheme.get(_AUTHORIZER))
    if not isinstance(config, dict):
        return None
    kind_of = str(resolve(config.get("type")) or "").lower()
    header = f"header.{scheme.get('name') or 'Authorization'}"
    if kind_of == "jwt":
        jwt = resolve(config.get("jwtConfiguration"))
        jwt = jwt if isinstance(jwt, dict) else {}
        audience = resolve(jwt.get("audience"))
        return api_config.jwt_authorizer(
            name, api_config.identity_sources(resolve(config.get("identitySource")) or api_config.DEFAULT_HTTP_SOURCE),
            api_config.known(resolve(jwt.get("issuer"))),
            [text for text in (api_config.known(resolve(item))
                               for item in (audience if isinstance(audience, list) else [audience])) if text],
            scopes)
    if kind_of == "cognito_user_pools":
        return api_config.cognito_authorizer(
            name, [header], api_config.cognito_issuers(config.get("providerARNs"), resolve),
            str(resolve(config.get("identityValidationExpression")) or ""), scopes)
    if kind_of in ("token", "request"):
        function = integration_target(config.get("authorizerUri"), resolve)
        if not function:
            return None
        identity = [header] if kind_of == "token" else \
            api_config.identity_sources(resolve(config.get("identitySource")))
        ttl = api_config.int_value(resolve(config.get("authorizerResultTtlInSeconds")))
        if kind == "http_api":
            return api_config.lambda_authorizer(
                name, function, "REQUEST", identity, ttl=ttl or 0,
                payload_format=str(resolve(config.get("authorizerPayloadFormatVersion")) or "2.0"),
                simple=resolve(config.get("enableSimpleResponses")) is True)
        return api_config.lambda_authorizer(
            name, function, kind_of.upper(), identity,
            validation=str(resolve(config.get("identityValidationExpression")) or ""), ttl=ttl)
    return None


def _rest_cors(options: Any, resolve: Resolve) -> dict[str, Any] | None:
    """A REST path's CORS from its ``options`` mock integration's ``Access-Control-Allow-*`` answer."""
    integration = resolve(options.get(_INTEGRATION)) if isinstance(options, dict) else None
    if not isinstance(integration, dict) or str(integration.get("type", "")).lower() != "mock":
        return None
    responses = integration.get("responses")
    default = responses.get("default") if isinstance(responses, dict) else None
    parameters = default.get("responseParameters") if isinstance(default, dict) else None
    if not isinstance(parameters, dict):
        return None
    return rest_cors_headers({str(key).rsplit(".", 1)[-1].lower(): resolve(value)
                              for key, value in parameters.items()})


def rest_cors_headers(headers: dict[str, Any]) -> dict[str, Any] | None:
    """CORS in ``api_config``'s form from a mock preflight's response headers (values quoted: ``'*'``)."""
    origin = api_config.unquote(headers.get("access-control-allow-origin"))
    if not origin:
        return None
    return api_config.cors_settings(
        [origin], api_config.split(api_config.unquote(headers.get("access-control-allow-methods"))) or None,
        api_config.split(api_config.unquote(headers.get("access-control-allow-headers"))),
        api_config.split(api_config.unquote(headers.get("access-control-expose-headers"))),
        api_config.int_value(api_config.unquote(headers.get("access-control-max-age"))),
        api_config.unquote(headers.get("access-control-allow-credentials")) == "true")
