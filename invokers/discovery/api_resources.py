"""Routes of APIs a SAM template declares beside function events: OpenAPI definitions and raw API Gateway resources.

- ``AWS::Serverless::Api``/``HttpApi`` with a ``DefinitionBody`` (inline, or
  ``Fn::Transform: AWS::Include`` of a local file) or a local ``DefinitionUri``;
  the API's own ``Auth`` default and CORS apply where the definition says nothing;
- ``AWS::ApiGateway::RestApi`` and ``AWS::ApiGatewayV2::Api`` with a ``Body``
  (an HTTP API's quick-create ``Target`` is its ``$default`` route);
- ``AWS::ApiGateway::Resource``/``Method`` (+ ``Authorizer``) trees, and
  ``AWS::ApiGatewayV2::Route``/``Integration`` (+ ``Authorizer``).

Each route whose integration is a Lambda function of the template becomes an
``api``/``http_api`` trigger of that function, in the same form as its events
give (``discovery/api_config.py``), so ``serve`` needs nothing new. A definition
on S3 cannot be read locally and is said so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..models import Trigger
from . import api_config, openapi
from .trigger_values import HTTP_API_DEFAULT_STAGE, Resolve, api_method, api_path, ref_id
from .yamlfile import ConfigFileError, Problem, YamlDocument, load

SAM_REST = "AWS::Serverless::Api"
SAM_HTTP = "AWS::Serverless::HttpApi"
REST = "AWS::ApiGateway::RestApi"
HTTP = "AWS::ApiGatewayV2::Api"


class ApiResources:
    """Reads a template's API resources into triggers, keyed by the function reference they name."""

    def __init__(self, doc: YamlDocument, resolve: Resolve) -> None:
        data = doc.data if isinstance(doc.data, dict) else {}
        self.doc = doc
        self.resources = api_config.mapping(data.get("Resources"))
        self.resolve = resolve
        self.sam = api_config.Sam(data, resolve)
        self.problems: list[Problem] = []
        self.found: dict[str, list[Trigger]] = {}

    def read(self) -> dict[str, list[Trigger]]:
        for api_id, kind, props in self._of_types(SAM_REST, SAM_HTTP, REST, HTTP):
            if kind == HTTP and str(self.resolve(props.get("ProtocolType")) or "HTTP").upper() != "HTTP":
                continue  # WebSocket APIs have no HTTP routes
            definition = self._definition(api_id, kind, props)
            http = kind in (SAM_HTTP, HTTP)
            stage = self._stage(api_id, kind, props)
            for route in openapi.routes(definition, "http_api" if http else "api", self.resolve):
                self._add(api_id, kind, route, stage)
            if kind == HTTP and props.get("Target") is not None:
                target = openapi.integration_target(props["Target"], self.resolve)
                if target:
                    self._add(api_id, kind, openapi.ApiRoute("ANY", "/{proxy+}", target, "2.0"), stage,
                              route_key="$default")
        self._rest_methods()
        self._http_routes()
        return self.found

    def _of_types(self, *types: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if isinstance(resource, dict) and resource.get("Type") in types:
                props = resource.get("Properties")
                yield str(logical_id), str(resource["Type"]), props if isinstance(props, dict) else {}

    def _definition(self, api_id: str, kind: str, props: dict[str, Any]) -> Any:
        """The OpenAPI document of an API: inline, included from a local file, or a local file."""
        keys = ("Resources", api_id, "Properties")
        body_key, uri_key = ("DefinitionBody", "DefinitionUri") if kind in (SAM_REST, SAM_HTTP) else \
            ("Body", "BodyS3Location")
        body = props.get(body_key)
        if isinstance(body, dict) and isinstance(body.get("Fn::Transform"), dict):
            transform = body["Fn::Transform"]
            parameters = transform.get("Parameters") if isinstance(transform.get("Parameters"), dict) else {}
            if transform.get("Name") == "AWS::Include":
                return self._file(self.resolve(parameters.get("Location")), (*keys, body_key))
        if isinstance(body, dict):
            return body
        uri = self.resolve(props.get(uri_key))
        if uri is not None:
            return self._file(uri, (*keys, uri_key))
        return None

    def _file(self, location: Any, keys: tuple[str, ...]) -> Any:
        if not isinstance(location, str) or location.startswith(("s3://", "http://", "https://")):
            self.problems.append(self.doc.problem(
                "the API's definition is on S3, not in the project: its routes are not served locally "
                "(point DefinitionUri/Location at a local file to serve them)", *keys, severity="warning"))
            return None
        path = (self.doc.path.parent / location).resolve()
        try:
            return load(path).data
        except ConfigFileError as exc:
            self.problems.append(self.doc.problem(f"the API definition {location} cannot be read: {exc.problem}",
                                                  *keys, severity="warning"))
            return None

    def _stage(self, api_id: str, kind: str, props: dict[str, Any]) -> str:
        own = self.resolve(props.get("StageName"))
        if isinstance(own, str) and own:
            return own
        stage_types = ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment") if kind == REST else \
            ("AWS::ApiGatewayV2::Stage",)
        api_key = "RestApiId" if kind == REST else "ApiId"
        for _, _, stage in self._of_types(*stage_types):
            name = self.resolve(stage.get("StageName"))
            if ref_id(stage.get(api_key)) == api_id and isinstance(name, str) and name:
                return name
        return HTTP_API_DEFAULT_STAGE if kind in (SAM_HTTP, HTTP) else "Prod"

    def _add(self, api_id: str, kind: str, route: openapi.ApiRoute, stage: str, route_key: str = "") -> None:
        http = kind in (SAM_HTTP, HTTP)
        params: dict[str, Any] = {"path": route.path, "method": route.method}
        if http:
            params["route_key"] = route_key or f"{route.method} {route.path}"
        params.update(stage=stage, api=api_id)
        if http:
            params["payload_format"] = route.payload_format or "2.0"
        defaults: dict[str, Any] = {}
        if kind == SAM_REST:
            defaults = self.sam.rest(api_id, {})
        elif kind == SAM_HTTP:
            defaults = self.sam.http(api_id, {})
        elif kind == HTTP:
            props = api_config.mapping(self.resources[api_id].get("Properties"))
            cors = api_config.http_cors(props.get("CorsConfiguration"), self.resolve)
            defaults = {"cors": cors} if cors is not None else {}
        cors = route.cors if route.cors is not None else defaults.get("cors")
        if cors is not None:
            params["cors"] = cors
        authorizer = None if route.open else route.authorizer or defaults.get("authorizer")
        if authorizer is not None:
            params["authorizer"] = authorizer
        name = f"{api_id} {route.method} {route.path}"
        self.found.setdefault(route.target, []).append(Trigger("http_api" if http else "api", name, params))

    def _rest_methods(self) -> None:
        """``AWS::ApiGateway::Method``s of the template's REST APIs, their paths from the ``Resource`` tree."""
        for _, _, props in self._of_types("AWS::ApiGateway::Method"):
            integration = api_config.mapping(props.get("Integration"))
            api_id = ref_id(props.get("RestApiId"))
            path = self._resource_path(props.get("ResourceId"))
            method = api_method(self.resolve(props.get("HttpMethod")))
            if api_id is None or path is None:
                continue
            if str(self.resolve(integration.get("Type")) or "").upper() == "MOCK" and method == "OPTIONS":
                continue  # a CORS preflight: read with the path's other methods
            target = openapi.integration_target(integration.get("Uri"), self.resolve)
            if not target:
                continue
            route = openapi.ApiRoute(method, path, target, cors=self._rest_preflight(api_id, props.get("ResourceId")))
            self._guard(route, props, "api")
            self._add(api_id, REST, route, self._stage(api_id, REST, {}))

    def _resource_path(self, value: Any) -> str | None:
        """``!GetAtt Api.RootResourceId`` -> ``/``; a ``Resource`` -> its parent's path + ``PathPart``."""
        parts: list[str] = []
        seen: set[str] = set()
        while True:
            if isinstance(value, dict) and "Fn::GetAtt" in value:
                return api_path("/".join(reversed(parts)))
            logical_id = ref_id(value)
            resource = self.resources.get(logical_id) if logical_id else None
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::ApiGateway::Resource" \
                    or logical_id in seen:
                return None
            seen.add(str(logical_id))
            props = api_config.mapping(resource.get("Properties"))
            parts.append(str(self.resolve(props.get("PathPart")) or ""))
            value = props.get("ParentId")

    def _rest_preflight(self, api_id: str, resource: Any) -> dict[str, Any] | None:
        """The CORS a path's ``OPTIONS`` mock method answers with, in ``api_config``'s form."""
        for _, _, props in self._of_types("AWS::ApiGateway::Method"):
            if ref_id(props.get("RestApiId")) != api_id or props.get("ResourceId") != resource \
                    or api_method(self.resolve(props.get("HttpMethod"))) != "OPTIONS":
                continue
            integration = api_config.mapping(props.get("Integration"))
            for response in integration.get("IntegrationResponses") or []:
                parameters = response.get("ResponseParameters") if isinstance(response, dict) else None
                if isinstance(parameters, dict):
                    return openapi.rest_cors_headers({str(key).rsplit(".", 1)[-1].lower(): self.resolve(value)
                                                      for key, value in parameters.items()})
        return None

    def _http_routes(self) -> None:
        """``AWS::ApiGatewayV2::Route``s whose target is a Lambda ``Integration``."""
        for _, _, props in self._of_types("AWS::ApiGatewayV2::Route"):
            api_id = ref_id(props.get("ApiId"))
            key = self.resolve(props.get("RouteKey"))
            integration_id = _integration_id(props.get("Target"))
            integration = self.resources.get(integration_id) if integration_id else None
            if api_id is None or not isinstance(key, str) or not isinstance(integration, dict):
                continue
            integration_props = api_config.mapping(integration.get("Properties"))
            target = openapi.integration_target(integration_props.get("IntegrationUri"), self.resolve)
            if not target:
                continue
            method, _, path = key.partition(" ")
            route = openapi.ApiRoute("ANY", "/{proxy+}", target) if key == "$default" else \
                openapi.ApiRoute(api_method(method), api_path(path), target)
            route.payload_format = str(self.resolve(integration_props.get("PayloadFormatVersion")) or "2.0")
            self._guard(route, props, "http_api")
            self._add(api_id, HTTP, route, self._stage(api_id, HTTP, {}), route_key=key if key == "$default" else "")

    def _guard(self, route: openapi.ApiRoute, props: dict[str, Any], kind: str) -> None:
        """A ``Method``'s or ``Route``'s ``AuthorizationType`` (``AuthorizerId``, ``AuthorizationScopes``) on
        ``route``: ``NONE`` (or an authorizer that cannot be read) leaves it open."""
        authorization = str(self.resolve(props.get("AuthorizationType")) or "NONE").upper()
        if authorization == "AWS_IAM":
            route.authorizer = api_config.iam_authorizer()
        elif authorization != "NONE":
            scopes = api_config.split(self.resolve(props.get("AuthorizationScopes")))
            route.authorizer = self._authorizer(ref_id(props.get("AuthorizerId")), kind, scopes)
        route.open = route.authorizer is None

    def _authorizer(self, authorizer_id: str | None, kind: str, scopes: list[str]) -> dict[str, Any] | None:
        """An ``AWS::ApiGateway::Authorizer``/``AWS::ApiGatewayV2::Authorizer`` as an OpenAPI scheme would give it."""
        resource = self.resources.get(authorizer_id) if authorizer_id else None
        props = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(props, dict) or authorizer_id is None:
            return None
        resolve = self.resolve
        source = resolve(props.get("IdentitySource"))
        sources = api_config.identity_sources(",".join(str(item) for item in source) if isinstance(source, list)
                                              else source)
        header = sources[0].partition(".")[2] if sources and sources[0].startswith("header.") else "Authorization"
        jwt = api_config.mapping(props.get("JwtConfiguration"))
        config = {"type": resolve(props.get("Type", props.get("AuthorizerType"))),
                  "authorizerUri": props.get("AuthorizerUri"), "identitySource": ",".join(sources),
                  "identityValidationExpression": props.get("IdentityValidationExpression"),
                  "authorizerResultTtlInSeconds": props.get("AuthorizerResultTtlInSeconds"),
                  "authorizerPayloadFormatVersion": props.get("AuthorizerPayloadFormatVersion"),
                  "enableSimpleResponses": props.get("EnableSimpleResponses"),
                  "providerARNs": props.get("ProviderARNs"),
                  "jwtConfiguration": {"issuer": jwt.get("Issuer"), "audience": jwt.get("Audience")}}
        name = str(resolve(props.get("Name")) or authorizer_id)
        return openapi.authorizer_of(name, {"name": header, "x-amazon-apigateway-authorizer": config}, scopes,
                                     kind, resolve)


def _integration_id(target: Any) -> str | None:
    """``integrations/${Integration}`` (``!Sub`` or ``!Join``) -> ``Integration``."""
    if isinstance(target, dict) and len(target) == 1:
        (name, arg), = target.items()
        if name == "Fn::Sub" and isinstance(arg, str):
            return arg.rsplit("${", 1)[-1].rstrip("}") if "${" in arg else None
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            ids = [ref_id(part) for part in arg[1] if isinstance(part, dict)]
            return next((found for found in ids if found), None)
    return None


def read(doc: YamlDocument, resolve: Resolve) -> tuple[dict[str, list[Trigger]], list[Problem]]:
    """Triggers from the template's API definitions and API Gateway resources, keyed by the function
    reference their integrations name (a logical id, or a ``FunctionName``), and the warnings."""
    reader = ApiResources(doc, resolve)
    return reader.read(), reader.problems
