"""CORS preflight and Lambda authorizers on the local API Gateway, over real HTTP."""

from __future__ import annotations

import json
from typing import Any

from invokers.models import FunctionSpec, Trigger
from tests.conftest import MakeFunction
from tests.invokers.serve.conftest import serving
from tests.invokers.serve.test_gateway import fetch, with_triggers

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "https://handler.example"},
            "body": json.dumps(event)}
"""

TOKEN_AUTHORIZER = """
def handler(event, context):
    print("authorizing", event["type"], event["methodArn"])
    token = event.get("authorizationToken") or event.get("headers", {}).get("X-Key", "")
    if token.endswith("bad"):
        raise Exception("Unauthorized")
    if token.endswith("broken"):
        return {"nonsense": True}
    effect = "Deny" if token.endswith("deny") else "Allow"
    resource = event["methodArn"] if not token.endswith("narrow") else event["methodArn"].rsplit("/", 1)[0] + "/one"
    return {"principalId": "user-1", "context": {"tenant": "acme", "tier": 2},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
"""

SIMPLE_AUTHORIZER = """
def handler(event, context):
    print("authorizing", event["routeArn"], event["identitySource"])
    return {"isAuthorized": event["headers"].get("authorization") == "letmein", "context": {"who": "alice"}}
"""


def rest_cors() -> dict[str, Any]:
    return {"origins": ["https://shop.example"], "methods": None, "headers": ["Content-Type", "Authorization"],
            "expose": [], "max_age": 600, "credentials": True}


async def test_rest_preflight_is_api_gateways_mock_with_the_paths_methods(make_function: MakeFunction) -> None:
    cors = rest_cors()
    spec = with_triggers(make_function(ECHO, name="echo"),
                         Trigger("api", "Get", {"path": "/items/{id}", "method": "GET", "stage": "Prod", "cors": cors}),
                         Trigger("api", "Put", {"path": "/items/{id}", "method": "PUT", "stage": "Prod", "cors": cors}))
    async with serving(spec) as (server, traffic):
        status, headers, body = await fetch(server.url + "/Prod/items/1", method="OPTIONS",
                                            headers={"Origin": "https://shop.example",
                                                     "Access-Control-Request-Method": "PUT"})
        get_status, get_headers, _ = await fetch(server.url + "/items/1", headers={"Origin": "https://shop.example"})
    assert status == 200 and body == b""
    assert headers["access-control-allow-origin"] == ["https://shop.example"]
    assert headers["access-control-allow-methods"] == ["GET,OPTIONS,PUT"]
    assert headers["access-control-allow-headers"] == ["Content-Type,Authorization"]
    assert headers["access-control-max-age"] == ["600"] and headers["access-control-allow-credentials"] == ["true"]
    assert traffic[0].function == "" and traffic[0].result is None  # no function ran for the preflight
    # a REST proxy integration adds nothing: the handler's own header is what the browser gets
    assert get_status == 200 and get_headers["access-control-allow-origin"] == ["https://handler.example"]


async def test_http_api_answers_preflight_and_puts_its_headers_on_answers(make_function: MakeFunction) -> None:
    cors = {"origins": ["https://a.example"], "methods": ["GET", "POST"], "headers": ["content-type"],
            "expose": ["X-Total"], "max_age": 300, "credentials": False}
    spec = with_triggers(make_function(ECHO, name="echo"),
                         Trigger("http_api", "Get", {"path": "/things", "method": "GET", "route_key": "GET /things",
                                                     "stage": "$default", "payload_format": "2.0", "cors": cors}))
    async with serving(spec) as (server, _traffic):
        # a preflight on a path without routes still gets API Gateway's answer
        status, headers, _ = await fetch(server.url + "/elsewhere", method="OPTIONS",
                                         headers={"Origin": "https://a.example",
                                                  "Access-Control-Request-Method": "GET"})
        denied_status, denied, _ = await fetch(server.url + "/things", method="OPTIONS",
                                               headers={"Origin": "https://evil.example",
                                                        "Access-Control-Request-Method": "GET"})
        ok_status, ok, _ = await fetch(server.url + "/things", headers={"Origin": "https://a.example"})
        _, foreign, _ = await fetch(server.url + "/things", headers={"Origin": "https://evil.example"})
        plain_status, _, _ = await fetch(server.url + "/things", method="OPTIONS")
    assert status == 204 and headers["access-control-allow-origin"] == ["https://a.example"]
    assert headers["access-control-allow-methods"] == ["GET,POST"] and headers["access-control-max-age"] == ["300"]
    assert headers["access-control-allow-headers"] == ["content-type"]
    assert denied_status == 204 and not any(key.startswith("access-control") for key in denied)
    # API Gateway replaces the handler's CORS headers with its own
    assert ok_status == 200 and ok["access-control-allow-origin"] == ["https://a.example"]
    assert ok["access-control-expose-headers"] == ["X-Total"]
    assert "access-control-allow-origin" not in foreign
    assert plain_status == 404  # not a preflight (no Origin): routed, and no OPTIONS route exists


def guarded(make_function: MakeFunction, authorizer: dict[str, Any], kind: str = "api") -> list[FunctionSpec]:
    auth = make_function(TOKEN_AUTHORIZER if authorizer.get("type") == "TOKEN" or not authorizer.get("simple")
                         else SIMPLE_AUTHORIZER, name="auth")
    params: dict[str, Any] = {"path": "/orders/{id}", "method": "GET", "stage": "Prod", "authorizer": authorizer}
    if kind == "http_api":
        params.update(stage="$default", route_key="GET /orders/{id}", payload_format="2.0")
    return [with_triggers(make_function(ECHO, name="orders"), Trigger(kind, "Get", params)), auth]


def token_authorizer(**extra: Any) -> dict[str, Any]:
    return {"name": "TokenAuth", "function": "auth", "type": "TOKEN", "identity": ["header.Authorization"],
            "validation": "", "ttl": 300, "payload_format": "1.0", "simple": False, **extra}


async def test_token_authorizer_allows_denies_and_passes_its_context(make_function: MakeFunction) -> None:
    async with serving(*guarded(make_function, token_authorizer(validation="Bearer .*"))) as (server, traffic):
        url = server.url + "/orders/7"
        missing = await fetch(url)
        invalid = await fetch(url, headers={"Authorization": "Basic xyz"})
        allowed = await fetch(url, headers={"Authorization": "Bearer good"})
        denied = await fetch(url, headers={"Authorization": "Bearer deny"})
        unauthorized = await fetch(url, headers={"Authorization": "Bearer bad"})
        narrow = await fetch(url, headers={"Authorization": "Bearer narrow"})
        broken = await fetch(url, headers={"Authorization": "Bearer broken"})
    assert missing[0] == 401 and json.loads(missing[2]) == {"message": "Unauthorized"}
    assert invalid[0] == 401  # fails the validation expression: the authorizer is not called
    assert not any("authorizing" in record.message for t in traffic[:2] for record in t.logs)
    assert allowed[0] == 200
    context = json.loads(allowed[2])["requestContext"]["authorizer"]
    assert context["principalId"] == "user-1" and context["tenant"] == "acme" and context["tier"] == 2
    assert any("authorizing TOKEN arn:aws:execute-api:" in record.message and "/Prod/GET/orders/7" in record.message
               for record in traffic[2].logs)
    assert denied[0] == 403 and json.loads(denied[2]) == {
        "Message": "User is not authorized to access this resource with an explicit deny"}
    assert unauthorized[0] == 401 and json.loads(unauthorized[2]) == {"message": "Unauthorized"}
    assert narrow[0] == 403 and json.loads(narrow[2]) == {"Message": "User is not authorized to access this resource"}
    assert broken[0] == 500 and broken[1]["x-amzn-errortype"] == ["AuthorizerConfigurationException"]
    assert traffic[3].error_type == "AccessDenied" and traffic[3].function == "orders"


async def test_authorizer_answers_are_cached_per_identity_for_the_ttl(make_function: MakeFunction) -> None:
    async with serving(*guarded(make_function, token_authorizer())) as (server, traffic):
        first = await fetch(server.url + "/orders/1", headers={"Authorization": "t1"})
        again = await fetch(server.url + "/orders/1", headers={"Authorization": "t1"})
        other_path = await fetch(server.url + "/orders/2", headers={"Authorization": "t1"})
        other_token = await fetch(server.url + "/orders/2", headers={"Authorization": "t2"})
    called = [any("authorizing" in record.message for record in t.logs) for t in traffic]
    assert called == [True, False, False, True]
    assert first[0] == again[0] == other_token[0] == 200
    assert json.loads(again[2])["requestContext"]["authorizer"]["tenant"] == "acme"  # context from the cache
    # as on API Gateway, the cached policy (it allowed .../GET/orders/1 only) is evaluated against the new
    # method ARN: the same token on another path is refused until the cache expires
    assert other_path[0] == 403


async def test_request_authorizer_without_ttl_is_called_every_time(make_function: MakeFunction) -> None:
    authorizer = token_authorizer(type="REQUEST", identity=["header.X-Key"], ttl=0)
    async with serving(*guarded(make_function, authorizer)) as (server, traffic):
        missing = await fetch(server.url + "/orders/1")
        first = await fetch(server.url + "/orders/1", headers={"X-Key": "k"})
        second = await fetch(server.url + "/orders/1", headers={"X-Key": "k"})
    assert missing[0] == 401 and first[0] == second[0] == 200
    assert [any("authorizing REQUEST" in r.message for r in t.logs) for t in traffic] == [False, True, True]


async def test_http_api_simple_response_authorizer(make_function: MakeFunction) -> None:
    authorizer = {"name": "Simple", "function": "auth", "type": "REQUEST", "identity": ["header.Authorization"],
                  "validation": "", "ttl": 0, "payload_format": "2.0", "simple": True}
    async with serving(*guarded(make_function, authorizer, kind="http_api")) as (server, traffic):
        missing = await fetch(server.url + "/orders/5")
        refused = await fetch(server.url + "/orders/5", headers={"Authorization": "nope"})
        allowed = await fetch(server.url + "/orders/5", headers={"Authorization": "letmein"})
    assert missing[0] == 401 and json.loads(missing[2]) == {"message": "Unauthorized"}
    assert refused[0] == 403 and json.loads(refused[2]) == {"message": "Forbidden"}
    assert allowed[0] == 200
    assert json.loads(allowed[2])["requestContext"]["authorizer"] == {"lambda": {"who": "alice"}}
    assert any("authorizing arn:aws:execute-api:" in r.message and "/$default/GET/orders/5" in r.message
               and "['letmein']" in r.message for r in traffic[2].logs)
