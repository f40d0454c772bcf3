"""The API Gateway face over real HTTP: REST v1, HTTP API v2, function URLs, Azure, and API Gateway's errors."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import sys
import urllib.error
import urllib.request
from typing import Any

from invokers.models import FunctionSpec, Trigger
from tests.conftest import MakeFunction
from tests.invokers.serve.conftest import serving

ECHO_EVENT = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": __import__("json").dumps(event)}
"""


def http(url: str, *, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, message, content = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, message, content = error.code, error.headers, error.read()
    grouped: dict[str, list[str]] = {}
    for key, value in message.items():
        grouped.setdefault(key.lower(), []).append(value)
    return status, grouped, content


async def fetch(url: str, **kwargs: Any) -> tuple[int, dict[str, list[str]], bytes]:
    return await asyncio.to_thread(http, url, **kwargs)


def with_triggers(spec: FunctionSpec, *triggers: Trigger) -> FunctionSpec:
    spec.triggers = list(triggers)
    return spec


async def test_rest_v1_event_has_multi_value_headers_query_and_path_parameters(make_function: MakeFunction) -> None:
    spec = with_triggers(make_function(ECHO_EVENT, name="echo"),
                         Trigger("api", "Get", {"path": "/items/{id}", "method": "GET", "stage": "Prod"}))
    async with serving(spec) as (server, traffic):
        status, headers, body = await fetch(server.url + "/items/42?tag=a&tag=b&one=1",
                                            headers={"X-Trace": "t1", "Accept": "application/json"})
    assert status == 200 and headers["set-cookie"] == ["a=1", "b=2"]
    event = json.loads(body)
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42" and event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"tag": "b", "one": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "one": ["1"]}
    assert event["headers"]["X-Trace"] == "t1" and event["multiValueHeaders"]["X-Trace"] == ["t1"]
    context = event["requestContext"]
    assert context["stage"] == "Prod" and context["path"] == "/Prod/items/42"
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["requestId"]
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert traffic[0].face == "api" and traffic[0].route == "GET /items/{id}" and traffic[0].function == "echo"


async def test_http_api_v2_event_cookies_comma_joined_and_binary_body(make_function: MakeFunction) -> None:
    spec = with_triggers(make_function("""
        def handler(event, context):
            return event
    """, name="v2"), Trigger("http_api", "Post", {"path": "/upload", "method": "POST", "stage": "$default",
                                                   "payload_format": "2.0"}))
    async with serving(spec) as (server, _):
        status, headers, body = await fetch(server.url + "/upload?x=1&x=2", method="POST", body=b"\x00\xffdata",
                                            headers={"Content-Type": "application/octet-stream",
                                                     "Cookie": "s=1; t=2"})
    assert status == 200 and headers["content-type"] == ["application/json"]  # inferred: a plain object
    event = json.loads(body)
    assert event["version"] == "2.0" and event["routeKey"] == "POST /upload" and event["rawPath"] == "/upload"
    assert event["rawQueryString"] == "x=1&x=2" and event["queryStringParameters"] == {"x": "1,2"}
    assert event["cookies"] == ["s=1", "t=2"] and "cookie" not in event["headers"]
    assert event["isBase64Encoded"] and base64.b64decode(event["body"]) == b"\x00\xffdata"
    assert event["requestContext"]["http"]["method"] == "POST"


async def test_function_url_and_v2_cookies_and_base64_response(make_function: MakeFunction) -> None:
    spec = with_triggers(make_function("""
        import base64
        def handler(event, context):
            return {"statusCode": 201, "cookies": ["k=v; Path=/"], "headers": {"content-type": "image/png"},
                    "body": base64.b64encode(b"\\x89PNG").decode(), "isBase64Encoded": True}
    """, name="img"), Trigger("function_url", "FunctionUrl", {"auth_type": "NONE"}))
    async with serving(spec) as (server, traffic):
        status, headers, body = await fetch(server.url + "/_url/img/pic")
    assert status == 201 and body == b"\x89PNG" and headers["set-cookie"] == ["k=v; Path=/"]
    assert headers["content-type"] == ["image/png"] and traffic[0].face == "url"


async def test_api_gateways_own_answers(make_function: MakeFunction) -> None:
    rest = Trigger("api", "Api", {"path": "/bad", "method": "GET", "stage": "Prod"})
    malformed = with_triggers(make_function("def handler(e, c):\n    return {'body': {'not': 'a string'}}\n",
                                            name="malformed"), rest)
    failing = with_triggers(make_function("def handler(e, c):\n    raise ValueError('x')\n", name="failing"),
                            Trigger("api", "Api", {"path": "/fail", "method": "GET", "stage": "Prod"}),
                            Trigger("http_api", "Api", {"path": "/fail2", "method": "GET", "stage": "$default"}))
    async with serving(malformed, failing) as (server, traffic):
        status, _, body = await fetch(server.url + "/bad")
        assert (status, body) == (502, b'{"message":"Internal server error"}')
        status, _, body = await fetch(server.url + "/fail")
        assert (status, body) == (502, b'{"message":"Internal server error"}')
        status, _, body = await fetch(server.url + "/fail2")
        assert (status, body) == (500, b'{"message":"Internal Server Error"}')
        status, _, body = await fetch(server.url + "/missing")
        assert (status, body) == (403, b'{"message":"Missing Authentication Token"}')
    assert traffic[0].error_type == "MalformedProxyResponse" and traffic[2].error_type == "ValueError"


async def test_integration_timeout_answers_504_while_the_function_runs_on(make_function: MakeFunction) -> None:
    spec = with_triggers(make_function("import time\ndef handler(e, c):\n    time.sleep(1)\n    return {}\n",
                                       name="slow", timeout_s=5),
                         Trigger("api", "Api", {"path": "/slow", "method": "GET", "stage": "Prod"}))

    def short(server: Any) -> None:
        server.gateway.rest_timeout_s = 0.3

    async with serving(spec, configure=short) as (server, traffic):
        status, _, body = await fetch(server.url + "/slow")
    assert (status, body) == (504, b'{"message":"Endpoint request timed out"}')
    assert traffic[0].error_type == "IntegrationTimeout"


async def test_http_api_unknown_route_is_404(make_function: MakeFunction) -> None:
    spec = with_triggers(make_function("def handler(e, c):\n    return 'hi'\n", name="hi"),
                         Trigger("http_api", "Api", {"path": "/hi", "method": "GET", "stage": "$default"}))
    async with serving(spec) as (server, _):
        assert (await fetch(server.url + "/hi"))[2] == b'"hi"'
        status, _, body = await fetch(server.url + "/nope")
    assert (status, body) == (404, b'{"message":"Not Found"}')


async def test_azure_http_route_gets_the_azure_request_and_its_response_is_sent(make_function: MakeFunction) -> None:
    spec = make_function("""
        import azure.functions as func
        def main(req: func.HttpRequest) -> func.HttpResponse:
            name = req.params.get("name") or req.route_params.get("who")
            return func.HttpResponse(f"Hello, {name}. {req.method} {req.url}", status_code=202)
    """, name="greet", handler="main", style="azure")
    spec = with_triggers(spec, Trigger("azure_http", "req", {"route": "greet/{who}", "methods": ["get", "post"]}))
    async with serving(spec) as (server, traffic):
        status, _, body = await fetch(server.url + "/api/greet/ada")
    assert status == 202 and body.decode() == f"Hello, ada. GET {server.url}/api/greet/ada"
    assert traffic[0].face == "azure"


async def test_each_invocation_stream_is_read_to_its_end_not_left_to_the_finalizer(make_function: MakeFunction) -> None:
    """A stream left open at its Result is closed by asyncio's finalizer hook: a task and a loop wake-up per request."""
    spec = with_triggers(make_function("def handler(e, c):\n    return {'statusCode': 200, 'body': 'ok'}\n",
                                       name="quick"),
                         Trigger("http_api", "Api", {"path": "/quick", "method": "GET", "stage": "$default"}))
    finalized: list[str] = []
    hooks = sys.get_asyncgen_hooks()

    def finalizer(generator: Any) -> None:
        finalized.append(generator.ag_code.co_name)
        hooks.finalizer(generator)

    sys.set_asyncgen_hooks(firstiter=hooks.firstiter, finalizer=finalizer)
    try:
        async with serving(spec) as (server, traffic):
            for _ in range(3):
                assert (await fetch(server.url + "/quick"))[2] == b"ok"
            gc.collect()
            await asyncio.sleep(0)
    finally:
        sys.set_asyncgen_hooks(firstiter=hooks.firstiter, finalizer=hooks.finalizer)
    assert len(traffic) == 3 and not [name for name in finalized if name.startswith("invoke")]
