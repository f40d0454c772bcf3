"""JWT (HTTP API), Cognito user-pool (REST) and AWS_IAM authorization on the local API Gateway, over real HTTP."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from invokers.models import FunctionSpec, Trigger
from tests.conftest import MakeFunction
from tests.invokers.serve.conftest import serving
from tests.invokers.serve.test_gateway import fetch, with_triggers

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local"


def jwt(claims: dict[str, Any], alg: str = "RS256", signature: str = "c2ln") -> str:
    """A token as an identity provider shapes it (the signature is not checked offline, so any will do)."""
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'alg': alg, 'typ': 'JWT', 'kid': 'k1'})}.{part(claims)}.{signature}"


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "user-1", "iss": ISSUER, "aud": "app-client", "exp": now + 600, "iat": now - 5,
            "email_verified": True, "cognito:groups": ["admins", "staff"], **extra}


def http_route(path: str, authorizer: dict[str, Any] | None, payload_format: str = "2.0") -> Trigger:
    params: dict[str, Any] = {"path": path, "method": "GET", "route_key": f"GET {path}", "stage": "$default",
                              "payload_format": payload_format}
    if authorizer is not None:
        params["authorizer"] = authorizer
    return Trigger("http_api", path, params)


def jwt_authorizer(*scopes: str) -> dict[str, Any]:
    return {"name": "Jwt", "type": "JWT", "identity": ["header.Authorization"], "issuer": ISSUER,
            "audience": ["app-client", "other"], "scopes": list(scopes)}


def echo(make_function: MakeFunction, *triggers: Trigger) -> FunctionSpec:
    return with_triggers(make_function(ECHO, name="echo"), *triggers)


async def get(url: str, token: str | None = None, **headers: str) -> tuple[int, dict[str, list[str]], Any]:
    if token is not None:
        headers["Authorization"] = token
    status, answer_headers, body = await fetch(url, headers=headers)
    return status, answer_headers, json.loads(body)


async def test_http_api_jwt_authorizer_checks_the_claims_and_passes_them(make_function: MakeFunction) -> None:
    spec = echo(make_function, http_route("/me", jwt_authorizer()), http_route("/admin", jwt_authorizer("admin")),
                http_route("/v1", jwt_authorizer(), payload_format="1.0"))
    now = int(time.time())
    async with serving(spec) as (server, traffic):
        me, admin, v1 = server.url + "/me", server.url + "/admin", server.url + "/v1"
        missing = await get(me)
        garbage = await get(me, "Bearer not-a-token")
        unsigned = await get(me, "Bearer " + jwt(claims(), alg="none", signature=""))
        issuer = await get(me, jwt(claims(iss="https://evil.example")))
        audience = await get(me, jwt(claims(aud="someone-else")))
        expired = await get(me, jwt(claims(exp=now - 1)))
        early = await get(me, jwt(claims(nbf=now + 600)))
        allowed = await get(me, "Bearer " + jwt(claims(exp=now + 600)))
        client_id_beside_aud = await get(me, jwt(claims(aud="someone-else", client_id="app-client")))
        no_scope = await get(admin, jwt(claims(scope="read write")))
        scoped = await get(admin, jwt(claims(scope="read admin")))
        scp_list = await get(admin, jwt(claims(scp=["admin"])))
        version_1 = await get(v1, jwt(claims()))
    for refused in (missing, garbage, unsigned, issuer, audience, expired, early):
        assert refused[0] == 401 and refused[2] == {"message": "Unauthorized"}
    assert "www-authenticate" not in missing[1]
    assert 'error="invalid_token"' in unsigned[1]["www-authenticate"][0] and "unsigned" in unsigned[1][
        "www-authenticate"][0]
    assert "valid issuer" in issuer[1]["www-authenticate"][0]
    assert "valid audience" in audience[1]["www-authenticate"][0]
    assert "expired" in expired[1]["www-authenticate"][0] and "not valid yet" in early[1]["www-authenticate"][0]
    assert traffic[0].error_type == "Unauthorized" and traffic[0].function == "echo" and traffic[0].result is None
    assert allowed[0] == 200
    jwt_context = allowed[2]["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["scopes"] is None  # the route asks for no scopes
    assert jwt_context["claims"]["sub"] == "user-1" and jwt_context["claims"]["exp"] == str(now + 600)
    assert jwt_context["claims"]["email_verified"] == "true"
    assert jwt_context["claims"]["cognito:groups"] == "[admins staff]"  # HTTP APIs flatten arrays so
    assert client_id_beside_aud[0] == 401  # with an aud claim, API Gateway does not look at client_id
    assert no_scope[0] == 403 and no_scope[2] == {"message": "Forbidden"}
    assert 'error="insufficient_scope"' in no_scope[1]["www-authenticate"][0]
    assert 'scope="admin"' in no_scope[1]["www-authenticate"][0]
    assert scoped[0] == 200 and scoped[2]["requestContext"]["authorizer"]["jwt"]["scopes"] == ["read", "admin"]
    assert scp_list[0] == 200
    assert version_1[0] == 200 and version_1[2]["requestContext"]["authorizer"]["claims"]["aud"] == "app-client"


async def test_jwt_client_id_stands_in_for_a_missing_aud(make_function: MakeFunction) -> None:
    token = claims(client_id="other")
    del token["aud"]
    async with serving(echo(make_function, http_route("/me", jwt_authorizer()))) as (server, _traffic):
        status, _headers, body = await get(server.url + "/me", jwt(token))
    assert status == 200 and body["requestContext"]["authorizer"]["jwt"]["claims"]["client_id"] == "other"


def cognito(*scopes: str, issuers: list[str] | None = None) -> dict[str, Any]:
    return {"name": "Users", "type": "COGNITO", "identity": ["header.Authorization"],
            "issuers": [ISSUER] if issuers is None else issuers, "validation": "", "scopes": list(scopes)}


async def test_rest_cognito_authorizer_wants_id_tokens_or_scoped_access_tokens(make_function: MakeFunction) -> None:
    spec = echo(make_function,
                Trigger("api", "Profile", {"path": "/profile", "method": "GET", "stage": "Prod",
                                           "authorizer": cognito()}),
                Trigger("api", "Orders", {"path": "/orders", "method": "GET", "stage": "Prod",
                                          "authorizer": cognito("orders/read")}))
    now = int(time.time())
    id_token = claims(token_use="id", exp=1_900_000_000)
    access = claims(token_use="access", scope="orders/read openid", client_id="app-client")
    async with serving(spec) as (server, _traffic):
        profile, orders = server.url + "/Prod/profile", server.url + "/Prod/orders"
        missing = await get(profile)
        allowed = await get(profile, jwt(id_token))
        access_on_profile = await get(profile, jwt(access))
        expired = await get(profile, jwt(claims(token_use="id", exp=now - 10)))
        foreign = await get(profile, jwt(claims(token_use="id", iss="https://cognito-idp.x/other")))
        scoped = await get(orders, jwt(access))
        id_on_orders = await get(orders, jwt(id_token))
        wrong_scope = await get(orders, jwt(claims(token_use="access", scope="openid")))
    assert missing[0] == 401 and missing[2] == {"message": "Unauthorized"}
    assert allowed[0] == 200
    rest_claims = allowed[2]["requestContext"]["authorizer"]["claims"]
    assert rest_claims["exp"] == time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(1_900_000_000))
    assert rest_claims["cognito:groups"] == "admins,staff" and rest_claims["email_verified"] == "true"
    assert access_on_profile[0] == 401  # no scopes on the method: API Gateway wants the ID token
    assert expired[0] == 401 and expired[2] == {"message": "The incoming token has expired"}
    assert foreign[0] == 401
    assert scoped[0] == 200 and scoped[2]["requestContext"]["authorizer"]["claims"]["scope"] == "orders/read openid"
    assert id_on_orders[0] == 401 and wrong_scope[0] == 401


def sigv4(service: str, access_key: str = "AKIDLOCALEXAMPLE", moment: float | None = None) -> dict[str, str]:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if moment is None else moment))
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{stamp[:8]}/us-east-1/{service}/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32,
            "X-Amz-Date": stamp}


async def test_aws_iam_routes_want_a_sigv4_signature_and_name_the_caller(make_function: MakeFunction) -> None:
    iam = {"name": "AWS_IAM", "type": "AWS_IAM"}
    spec = echo(make_function,
                Trigger("api", "Rest", {"path": "/rest", "method": "GET", "stage": "Prod", "authorizer": iam}),
                http_route("/http", iam),
                Trigger("function_url", "FunctionUrl", {"auth_type": "AWS_IAM"}))
    async with serving(spec) as (server, traffic):
        rest, http, url = server.url + "/rest", server.url + "/http", server.url + "/_url/echo/x"
        rest_unsigned = await get(rest)
        rest_basic = await get(rest, "Basic dXNlcjpwdw==")
        rest_partial = await get(rest, "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/execute-api/aws4_request")
        rest_service = await get(rest, **sigv4("s3"))
        rest_old = await get(rest, **sigv4("execute-api", moment=time.time() - 3600))
        rest_signed = await get(rest, **sigv4("execute-api"))
        http_unsigned = await get(http)
        http_signed = await get(http, **sigv4("execute-api"))
        url_unsigned = await get(url)
        url_wrong_service = await get(url, **sigv4("execute-api"))
        url_signed = await get(url, **sigv4("lambda", access_key="ASIATEMPORARY"))
    assert rest_unsigned[0] == rest_basic[0] == 403
    assert rest_unsigned[2] == {"message": "Missing Authentication Token"}
    assert rest_unsigned[1]["x-amzn-errortype"] == ["MissingAuthenticationTokenException"]
    assert rest_partial[0] == 403 and "requires 'Signature' parameter" in rest_partial[2]["message"]
    assert "requires existence of either a 'X-Amz-Date'" in rest_partial[2]["message"]
    assert rest_service[0] == 403 and "'execute-api'" in rest_service[2]["message"]
    assert rest_old[0] == 403 and rest_old[2]["message"].startswith("Signature expired:")
    assert rest_signed[0] == 200
    identity = rest_signed[2]["requestContext"]["identity"]
    assert identity["accessKey"] == "AKIDLOCALEXAMPLE" and identity["accountId"] == "123456789012"
    assert identity["userArn"].endswith(":user/AKIDLOCALEXAMPLE") and identity["sourceIp"] == "127.0.0.1"
    assert "authorizer" not in rest_signed[2]["requestContext"]
    assert http_unsigned[0] == 403 and http_unsigned[2] == {"message": "Forbidden"}
    assert http_signed[0] == 200
    assert http_signed[2]["requestContext"]["authorizer"]["iam"]["accessKey"] == "AKIDLOCALEXAMPLE"
    assert url_unsigned[0] == 403 and url_unsigned[2] == {"Message": "Forbidden"}
    assert url_wrong_service[0] == 403 and "'lambda'" in url_wrong_service[2]["Message"]
    assert url_signed[0] == 200 and url_signed[2]["requestContext"]["authorizer"]["iam"]["userId"] == "ASIATEMPORARY"
    assert traffic[0].error_type == "AccessDenied"


async def test_a_request_signed_by_botocore_passes_an_iam_route(make_function: MakeFunction) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    spec = echo(make_function, http_route("/signed", {"name": "AWS_IAM", "type": "AWS_IAM"}))
    async with serving(spec) as (server, _traffic):
        request = AWSRequest(method="GET", url=server.url + "/signed?x=1")
        SigV4Auth(Credentials("AKIDBOTO", "secret", "session-token"), "execute-api", "eu-west-1").add_auth(request)
        status, _headers, body = await get(server.url + "/signed?x=1", **dict(request.headers.items()))
    assert status == 200 and body["requestContext"]["authorizer"]["iam"]["accessKey"] == "AKIDBOTO"


async def test_an_issuer_and_audience_unknown_locally_are_not_checked_and_said_so(
        make_function: MakeFunction) -> None:
    authorizer = {**jwt_authorizer(), "issuer": "", "audience": []}
    async with serving(echo(make_function, http_route("/me", authorizer))) as (server, _traffic):
        status, _headers, _body = await get(server.url + "/me", jwt(claims(iss="https://any", aud="any")))
        expired, _, _ = await get(server.url + "/me", jwt(claims(exp=1)))
        banner = server.gateway.describe(server.url)
    assert status == 200 and expired == 401
    assert any("alg none is refused" in line for line in banner)
    assert any(line.startswith("authorizer Jwt: issuer and audience not known locally") for line in banner)
