"""API-level settings of HTTP triggers: CORS and Lambda authorizers, read from SAM and serverless.yml.

They live on the API (SAM ``AWS::Serverless::Api``/``HttpApi`` and ``Globals``,
serverless ``provider.httpApi``) or on the event (serverless ``cors``/``authorizer``,
SAM ``Auth.Authorizer``), and ``serve`` needs them per route, so each HTTP trigger
gets them in its params in one plain form, whatever the format:

- ``cors``: ``origins`` (list), ``methods`` (list, or None: the route's own methods),
  ``headers``, ``expose`` (lists), ``max_age`` (int or None), ``credentials`` (bool).
- ``authorizer``, by ``type``:
  - ``TOKEN`` | ``REQUEST`` (Lambda): ``name``, ``function`` (the local function's name, or the
    ARN's), ``identity`` (sources such as ``header.Authorization``, ``querystring.token``),
    ``validation`` (a regex for TOKEN), ``ttl`` (seconds), ``payload_format`` (``1.0`` | ``2.0``,
    HTTP APIs), ``simple`` (HTTP API simple responses);
  - ``JWT`` (HTTP API): ``name``, ``identity``, ``issuer``, ``audience`` (list), ``scopes`` (the
    route's, any one of which the token must hold); an issuer or audience a local run cannot
    know (``!GetAtt`` of a nested stack's output) is left out ("" / dropped): it is not checked;
  - ``COGNITO`` (REST user pools): ``name``, ``identity``, ``issuers`` (the pools' issuer URLs when
    their ARNs are known locally, else empty: not checked), ``validation`` (a regex on ``aud``),
    ``scopes`` (the method's);
  - ``AWS_IAM``: ``name``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Resolve = Callable[[Any], Any]

DEFAULT_HTTP_SOURCE = "$request.header.Authorization"
REST_TTL_S = 300  # API Gateway's default authorizer cache for REST APIs
SERVERLESS_HEADERS = ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
                      "X-Amz-User-Agent", "X-Amzn-Trace-Id"]
"""The Serverless Framework's allowed headers for ``cors: true``."""


def unquote(value: Any) -> str | None:
    """SAM REST ``Cors`` values are quoted for API Gateway's mapping: ``"'*'"`` -> ``*``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return text


def split(value: Any) -> list[str]:
    """A list, or a comma separated string, as a list of trimmed items."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list):
        return [str(item).strip() for item in value if isinstance(item, (str, int))]
    return []


def int_value(value: Any) -> int | None:
    try:
        return int(str(value).strip("'")) if value is not None and not isinstance(value, (dict, list)) else None
    except ValueError:
        return None


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def function_name(value: Any) -> str:
    """``!GetAtt Fn.Arn`` / ``{Ref: Fn}`` -> ``Fn``; an ARN -> its function name; a name as it is."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Fn::GetAtt":
            target = arg[0] if isinstance(arg, list) and arg else str(arg).split(".")[0]
            return str(target)
        if name == "Ref":
            return str(arg)
        if name == "Fn::Sub" and isinstance(arg, str):
            value = arg
    text = str(value or "")
    if ":function:" in text:
        text = text.split(":function:", 1)[1].split(":")[0].split("/")[0]
    return text.removeprefix("${").split(".")[0].removesuffix("}") if text.startswith("${") else text


class Sam:
    """API settings of a SAM template: its explicit APIs, and ``Globals.Api``/``Globals.HttpApi`` for all."""

    def __init__(self, template: Any, resolve: Resolve) -> None:
        data = template if isinstance(template, dict) else {}
        globals_ = mapping(data.get("Globals"))
        self.resources = mapping(data.get("Resources"))
        self.globals = {kind: mapping(globals_.get(kind))
                        for kind in ("Api", "HttpApi")}
        self.resolve = resolve

    def _props(self, api_id: str, kind: str) -> dict[str, Any]:
        """The API's properties over ``Globals`` (an implicit API has only the globals)."""
        own = mapping(mapping(self.resources.get(api_id)).get("Properties"))
        return {**self.globals[kind], **own}

    def rest(self, api_id: str, event_props: dict[str, Any]) -> dict[str, Any]:
        """``cors`` and ``authorizer`` params of an ``Api`` event on ``api_id``."""
        props = self._props(api_id, "Api")
        params: dict[str, Any] = {}
        cors = self.resolve(props.get("Cors"))
        if isinstance(cors, str):
            params["cors"] = cors_settings([unquote(cors) or "*"], None, [], [], None, False)
        elif isinstance(cors, dict):
            params["cors"] = cors_settings([unquote(self.resolve(cors.get("AllowOrigin"))) or "*"],
                                   split(unquote(self.resolve(cors.get("AllowMethods")))) or None,
                                   split(unquote(self.resolve(cors.get("AllowHeaders")))), [],
                                   int_value(unquote(self.resolve(cors.get("MaxAge")))),
                                   self.resolve(cors.get("AllowCredentials")) is True)
        auth = self._authorizer(props, event_props)
        if auth is not None:
            name, config = auth
            identity = mapping(config.get("Identity"))
            ttl = int_value(self.resolve(identity.get("ReauthorizeEvery")))
            if "UserPoolArn" in config:
                params["authorizer"] = cognito_authorizer(
                    name, [f"header.{self.resolve(identity.get('Header')) or 'Authorization'}"],
                    cognito_issuers(self.resolve(config.get("UserPoolArn")), self.resolve),
                    self.resolve(identity.get("ValidationExpression")) or "", self._scopes(props, config, event_props))
            elif "FunctionArn" in config:
                kind = str(self.resolve(config.get("FunctionPayloadType")) or "TOKEN").upper()
                sources = ([f"header.{self.resolve(identity.get('Header')) or 'Authorization'}"] if kind == "TOKEN"
                           else [f"header.{h}" for h in split(self.resolve(identity.get("Headers")))]
                           + [f"querystring.{q}" for q in split(self.resolve(identity.get("QueryStrings")))])
                params["authorizer"] = lambda_authorizer(
                    name, function_name(self.resolve(config.get("FunctionArn"))), kind, sources,
                    validation=self.resolve(identity.get("ValidationExpression")) or "", ttl=ttl)
            else:
                params["authorizer"] = iam_authorizer()
        return params

    def http(self, api_id: str, event_props: dict[str, Any]) -> dict[str, Any]:
        """``cors`` and ``authorizer`` params of an ``HttpApi`` event on ``api_id``."""
        props = self._props(api_id, "HttpApi")
        params: dict[str, Any] = {}
        cors = http_cors(props.get("CorsConfiguration"), self.resolve)
        if cors is not None:
            params["cors"] = cors
        auth = self._authorizer(props, event_props)
        if auth is not None:
            name, config = auth
            identity = mapping(config.get("Identity"))
            jwt = mapping(self.resolve(config.get("JwtConfiguration")))
            if jwt:
                params["authorizer"] = jwt_authorizer(
                    name, identity_sources(self.resolve(config.get("IdentitySource")) or DEFAULT_HTTP_SOURCE),
                    known(self.resolve(jwt.get("issuer"))), self._known_list(jwt.get("audience")),
                    self._scopes(props, config, event_props))
            elif "FunctionArn" in config:
                sources = ([f"header.{h}" for h in split(self.resolve(identity.get("Headers")))]
                           + [f"querystring.{q}" for q in split(self.resolve(identity.get("QueryStrings")))])
                version = str(self.resolve(config.get("AuthorizerPayloadFormatVersion")) or "2.0")
                params["authorizer"] = lambda_authorizer(
                    name, function_name(self.resolve(config.get("FunctionArn"))), "REQUEST", sources,
                    ttl=int_value(self.resolve(identity.get("ReauthorizeEvery"))) or 0, payload_format=version,
                    simple=self.resolve(config.get("EnableSimpleResponses")) is True)
            else:
                params["authorizer"] = iam_authorizer()
        return params

    def _authorizer(self, props: dict[str, Any], event_props: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The authorizer an event uses (its own ``Auth.Authorizer``, else the API's default) and its settings;
        ``AWS_IAM`` has none. None for ``NONE`` or a name the API does not declare."""
        auth = mapping(props.get("Auth"))
        authorizers = mapping(auth.get("Authorizers"))
        event_auth = mapping(event_props.get("Auth"))
        name = self.resolve(event_auth.get("Authorizer", auth.get("DefaultAuthorizer")))
        if name == "AWS_IAM":
            return name, {}
        config = authorizers.get(name) if isinstance(name, str) else None
        if not isinstance(config, dict) or not {"FunctionArn", "UserPoolArn", "JwtConfiguration"} & set(config):
            return None
        return str(name), config

    def _known_list(self, value: Any) -> list[str]:
        """Each item of a list (or the one value) resolved, keeping those known locally."""
        items = value if isinstance(value, list) else split(self.resolve(value))
        return [text for text in (known(self.resolve(item)) for item in items) if text]

    def _scopes(self, props: dict[str, Any], config: dict[str, Any], event_props: dict[str, Any]) -> list[str]:
        """A route's OAuth scopes: the event's ``Auth.AuthorizationScopes``, else the authorizer's
        (``DefaultAuthorizationScopes`` on a REST API's ``Auth``)."""
        own = mapping(event_props.get("Auth")).get("AuthorizationScopes")
        if own is None:
            own = config.get("AuthorizationScopes", mapping(props.get("Auth")).get("DefaultAuthorizationScopes"))
        items = own if isinstance(own, list) else split(self.resolve(own))
        return [text for text in (self.resolve(item) for item in items) if isinstance(text, str) and text]


class Serverless:
    """API settings of a serverless.yml: the ``http`` event's own, ``provider.httpApi`` for ``httpApi`` events."""

    def __init__(self, provider: dict[str, Any]) -> None:
        http_api = mapping(provider.get("httpApi"))
        self.http_cors = http_api.get("cors")
        payload = http_api.get("payload")
        self.http_payload = str(payload) if payload in ("1.0", "2.0", 1.0, 2.0) else "2.0"
        """``provider.httpApi.payload``: the payload format of every ``httpApi`` event (default 2.0)."""
        authorizers = http_api.get("authorizers")
        self.http_authorizers = mapping(authorizers)

    @staticmethod
    def rest(value: Any) -> dict[str, Any]:
        """``cors`` and ``authorizer`` params of an ``http`` event (its own ``cors:``/``authorizer:``)."""
        settings = mapping(value)
        params: dict[str, Any] = {}
        cors = settings.get("cors")
        if cors is True:
            params["cors"] = cors_settings(["*"], None, list(SERVERLESS_HEADERS), [], None, False)
        elif isinstance(cors, dict):
            origins = split(cors.get("origins")) or split(cors.get("origin")) or ["*"]
            params["cors"] = cors_settings(origins, split(cors.get("methods")) or None,
                                   split(cors.get("headers")) or list(SERVERLESS_HEADERS), [],
                                   int_value(cors.get("maxAge")), cors.get("allowCredentials") is True)
        auth = settings.get("authorizer")
        if isinstance(auth, str):
            auth = {"type": "aws_iam"} if auth.lower() == "aws_iam" else {"name": auth} if ":" not in auth \
                else {"arn": auth}
        kind = str(auth.get("type") or "").lower() if isinstance(auth, dict) else ""
        if isinstance(auth, dict) and kind == "aws_iam":
            params["authorizer"] = iam_authorizer()
        elif isinstance(auth, dict) and (kind == "cognito_user_pools" or "cognito-idp" in str(auth.get("arn", ""))):
            params["authorizer"] = cognito_authorizer(
                str(auth.get("name") or "cognito"),
                identity_sources(auth.get("identitySource") or "method.request.header.Authorization"),
                cognito_issuers(auth.get("arn"), lambda value: value),
                str(auth.get("identityValidationExpression") or ""), split(auth.get("scopes")))
        elif isinstance(auth, dict) and (auth.get("name") or auth.get("arn")):
            function = function_name(auth.get("arn") or auth.get("name"))
            kind = kind.upper() or "TOKEN"
            source = auth.get("identitySource") or ("method.request.header.Authorization" if kind == "TOKEN" else "")
            ttl = int_value(auth.get("resultTtlInSeconds"))
            params["authorizer"] = lambda_authorizer(
                str(auth.get("name") or function), function, "REQUEST" if kind == "REQUEST" else "TOKEN",
                identity_sources(source), validation=str(auth.get("identityValidationExpression") or ""), ttl=ttl)
        return params

    def http(self, value: Any) -> dict[str, Any]:
        """``payload_format``, ``cors`` from ``provider.httpApi.cors``, ``authorizer`` from
        ``provider.httpApi.authorizers``."""
        params: dict[str, Any] = {"payload_format": self.http_payload}
        cors = self.http_cors
        if cors is True:
            params["cors"] = cors_settings(["*"], None, list(SERVERLESS_HEADERS), [], None, False)
        elif isinstance(cors, dict):
            params["cors"] = cors_settings(split(cors.get("allowedOrigins")) or ["*"],
                                   split(cors.get("allowedMethods")) or None,
                                   split(cors.get("allowedHeaders")) or list(SERVERLESS_HEADERS),
                                   split(cors.get("exposedResponseHeaders")), int_value(cors.get("maxAge")),
                                   cors.get("allowCredentials") is True)
        settings = mapping(value)
        auth = settings.get("authorizer")
        name = auth.get("name") if isinstance(auth, dict) else auth
        if (auth.get("type") if isinstance(auth, dict) else auth) in ("aws_iam", "AWS_IAM"):
            params["authorizer"] = iam_authorizer()
            return params
        config = self.http_authorizers.get(name) if isinstance(name, str) else None
        kind = str(config.get("type") or "jwt").lower() if isinstance(config, dict) else ""
        if isinstance(config, dict) and kind == "request":
            function = function_name(config.get("functionArn") or config.get("functionName"))
            ttl = int_value(config.get("resultTtlInSeconds"))
            params["authorizer"] = lambda_authorizer(
                str(name), function, "REQUEST",
                identity_sources(config.get("identitySource") or DEFAULT_HTTP_SOURCE), ttl=ttl,
                payload_format=str(config.get("payloadVersion") or "2.0"),
                simple=config.get("enableSimpleResponses") is True)
        elif isinstance(config, dict) and kind == "jwt":
            params["authorizer"] = jwt_authorizer(
                str(name), identity_sources(config.get("identitySource") or DEFAULT_HTTP_SOURCE),
                known(config.get("issuerUrl")), [item for item in split(config.get("audience")) if known(item)],
                split(auth.get("scopes") if isinstance(auth, dict) else None))
        return params


def lambda_authorizer(name: str, function: str, kind: str, identity: list[str], *, validation: str = "",
                      ttl: int | None = None, payload_format: str = "1.0", simple: bool = False) -> dict[str, Any]:
    """A Lambda ``TOKEN``/``REQUEST`` authorizer; ``ttl`` None is API Gateway's default cache (300 s)."""
    return {"name": name, "function": function, "type": kind, "identity": identity, "validation": validation,
            "ttl": REST_TTL_S if ttl is None else ttl, "payload_format": payload_format, "simple": simple}


def jwt_authorizer(name: str, identity: list[str], issuer: str, audience: list[str],
                   scopes: list[str]) -> dict[str, Any]:
    return {"name": name, "type": "JWT", "identity": identity, "issuer": issuer, "audience": audience,
            "scopes": scopes}


def cognito_authorizer(name: str, identity: list[str], issuers: list[str], validation: str,
                       scopes: list[str]) -> dict[str, Any]:
    return {"name": name, "type": "COGNITO", "identity": identity, "issuers": issuers, "validation": validation,
            "scopes": scopes}


def iam_authorizer() -> dict[str, Any]:
    return {"name": "AWS_IAM", "type": "AWS_IAM"}


def http_cors(value: Any, resolve: Resolve) -> dict[str, Any] | None:
    """An HTTP API's CORS: SAM/CloudFormation ``CorsConfiguration`` (``AllowOrigins``...) or OpenAPI's
    ``x-amazon-apigateway-cors`` (``allowOrigins``...); ``true`` allows everything."""
    cors = resolve(value)
    if cors is True:
        return cors_settings(["*"], ["*"], ["*"], [], None, False)
    if not isinstance(cors, dict):
        return None

    def setting(key: str) -> Any:
        return resolve(cors.get(key, cors.get(key[0].lower() + key[1:])))
    return cors_settings(split(setting("AllowOrigins")), split(setting("AllowMethods")), split(setting("AllowHeaders")),
                 split(setting("ExposeHeaders")), int_value(setting("MaxAge")), setting("AllowCredentials") is True)


def known(value: Any) -> str:
    """A setting known locally (a plain string), else "": what a local run cannot know is not checked."""
    return value if isinstance(value, str) and not value.startswith("<") else ""


def cognito_issuers(value: Any, resolve: Resolve) -> list[str]:
    """``https://cognito-idp.{region}.amazonaws.com/{pool id}`` for each user pool ARN known locally."""
    issuers = []
    for item in value if isinstance(value, list) else [value]:
        arn = resolve(item)
        if isinstance(arn, str) and ":userpool/" in arn and arn.startswith("arn:"):
            region = arn.split(":")[3]
            issuers.append(f"https://cognito-idp.{region}.amazonaws.com/{arn.rsplit('/', 1)[1]}")
    return issuers


def identity_sources(source: Any) -> list[str]:
    """``method.request.header.Authorization`` / ``$request.querystring.token`` -> ``header.Authorization`` ..."""
    found: list[str] = []
    for item in split(source):
        text = item.removeprefix("$").removeprefix("method.").removeprefix("request.")
        where, _, name = text.partition(".")
        if where in ("header", "querystring") and name:
            found.append(f"{where}.{name}")
    return found


def cors_settings(origins: list[str], methods: list[str] | None, headers: list[str], expose: list[str],
                  max_age: int | None, credentials: bool) -> dict[str, Any]:
    return {"origins": origins, "methods": methods, "headers": headers, "expose": expose, "max_age": max_age,
            "credentials": credentials}
