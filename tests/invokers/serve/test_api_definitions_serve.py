"""APIs declared as raw API Gateway resources or OpenAPI, served unchanged over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from invokers.discovery import discover
from tests.files import write
from tests.invokers.serve.conftest import serving
from tests.invokers.serve.test_gateway import fetch
from tests.invokers.serve.test_token_auth import sigv4
from tests.invokers.test_api_definitions import RAW_HTTP, RAW_REST

APP = """
import json
def handler(event, context):
    if event.get("type") == "TOKEN":
        effect = "Allow" if event["authorizationToken"] == "allow" else "Deny"
        return {"principalId": "u1", "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
    return {"statusCode": 200, "body": json.dumps(event)}
"""


async def test_raw_rest_resources_are_served_with_their_authorizers_stage_and_cors(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", APP)
    write(tmp_path, "template.yaml", RAW_REST)
    async with serving(*discover(tmp_path).functions) as (server, _traffic):
        base = server.url
        no_token = await fetch(base + "/dev/")
        allowed = await fetch(base + "/dev/", headers={"authorizationToken": "allow"})
        denied = await fetch(base + "/dev/", headers={"authorizationToken": "nope"})
        preflight = await fetch(base + "/dev/orders/7", method="OPTIONS",
                                headers={"Origin": "https://x.example", "Access-Control-Request-Method": "DELETE"})
        unsigned = await fetch(base + "/dev/orders/7", method="DELETE")
        signed = await fetch(base + "/dev/orders/7", method="DELETE", headers=sigv4("execute-api"))
    assert no_token[0] == 401 and denied[0] == 403
    assert allowed[0] == 200
    event = json.loads(allowed[2])
    assert event["requestContext"]["stage"] == "dev" and event["requestContext"]["authorizer"]["principalId"] == "u1"
    assert preflight[0] == 200 and preflight[1]["access-control-allow-methods"] == ["GET,DELETE,OPTIONS"]
    assert unsigned[0] == 403 and json.loads(unsigned[2]) == {"message": "Missing Authentication Token"}
    assert signed[0] == 200 and json.loads(signed[2])["pathParameters"] == {"id": "7"}


async def test_raw_http_api_routes_are_served(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", APP)
    write(tmp_path, "template.yaml", RAW_HTTP)
    async with serving(*discover(tmp_path).functions) as (server, _traffic):
        things = await fetch(server.url + "/things/3")
        posted = await fetch(server.url + "/things", method="POST", body=b"{}")
        quick = await fetch(server.url + "/anything/else")
    assert things[0] == 401  # the JWT authorizer wants a token
    assert posted[0] == 200 and json.loads(posted[2])["version"] == "1.0"  # the integration's payload format
    assert quick[0] == 200 and json.loads(quick[2])["routeKey"] == "$default"
