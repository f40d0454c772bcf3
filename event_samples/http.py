"""HTTP-shaped events: API Gateway REST (v1), HTTP API (v2), authorizers and WebSocket APIs, Function URLs, ALB,
GraphQL, Azure."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from .common import Env, as_json_or_text, as_json_value, as_mapping, b64, hex_id, new_id, template


def _request_parts(method: str, path: str, query: Any, headers: Any, body: Any,
                   binary: bool) -> tuple[str, str, dict[str, str], dict[str, str], str | None, bool]:
    method = str(method or "GET").upper()
    path = "/" + str(path or "/").lstrip("/")
    query_map = as_mapping(query, "query")
    header_map = as_mapping(headers, "headers")
    text, is_json = as_json_or_text(body)
    if is_json and not any(k.lower() == "content-type" for k in header_map):
        header_map["Content-Type"] = "application/json"
    if text is not None and binary:
        text = b64(text)
    return method, path, query_map, header_map, text, bool(binary and text is not None)


def apigw_rest(method: str = "GET", path: str = "/", query: Any = None, headers: Any = None, body: Any = None,
               resource: str | None = None, path_params: Any = None, stage: str = "prod",
               binary: bool = False, env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    method, path, query_map, header_map, text, encoded = _request_parts(method, path, query, headers, body, binary)
    event = template("apigw-rest")
    host = f"{event['requestContext']['apiId']}.execute-api.{env.region}.amazonaws.com"
    trace = f"Root=1-{int(env.now):08x}-{hex_id(24)}"
    merged = {**event["headers"], "Host": host, "X-Amzn-Trace-Id": trace, **header_map}
    event.update({
        "resource": resource or path, "path": path, "httpMethod": method, "headers": merged,
        "multiValueHeaders": {k: [v] for k, v in merged.items()},
        "queryStringParameters": query_map or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query_map.items()} or None,
        "pathParameters": as_mapping(path_params, "path_params") or None,
        "body": text, "isBase64Encoded": encoded,
    })
    ctx = event["requestContext"]
    ctx.update({"accountId": env.account, "domainName": host, "httpMethod": method, "path": f"/{stage}{path}",
                "requestId": new_id(), "extendedRequestId": hex_id(16), "requestTime": env.clf,
                "requestTimeEpoch": env.epoch_ms, "resourcePath": resource or path, "stage": stage})
    return event


def _http_v2(kind: str, method: str, path: str, query: Any, headers: Any, body: Any, cookies: Any,
             route_key: str | None, binary: bool, env: Env, path_params: Any = None,
             stage: str = "$default") -> dict[str, Any]:
    method, path, query_map, header_map, text, encoded = _request_parts(method, path, query, headers, body, binary)
    event = template(kind)
    ctx = event["requestContext"]
    host = ctx["domainName"].replace("us-east-1", env.region)
    lowered = {k.lower(): v for k, v in header_map.items()}
    event.update({
        "rawPath": path, "rawQueryString": urlencode(query_map),
        "headers": {**event["headers"], "host": host, "x-amzn-trace-id": f"Root=1-{int(env.now):08x}-{hex_id(24)}",
                    **lowered},
        "queryStringParameters": query_map or None, "body": text, "isBase64Encoded": encoded,
    })
    if text is not None:
        event["headers"]["content-length"] = str(len(text.encode()))
    cookie_list = [str(c) for c in (cookies if isinstance(cookies, list) else json.loads(cookies) if cookies else [])]
    if cookie_list or kind == "apigw-http":
        event["cookies"] = cookie_list
    if kind == "apigw-http":
        event["routeKey"] = route_key or "$default"
        ctx["routeKey"] = event["routeKey"]
        ctx["accountId"] = env.account
        ctx["stage"] = stage or "$default"
        params = as_mapping(path_params, "path_params")
        if params:
            event["pathParameters"] = params
        else:
            event.pop("pathParameters", None)
    ctx.update({"domainName": host, "requestId": new_id(), "time": env.clf, "timeEpoch": env.epoch_ms})
    ctx["http"].update({"method": method, "path": path})
    return event


def apigw_http(method: str = "GET", path: str = "/", query: Any = None, headers: Any = None, body: Any = None,
               cookies: Any = None, route_key: str | None = None, binary: bool = False,
               path_params: Any = None, stage: str = "$default", env: Env | None = None) -> dict[str, Any]:
    return _http_v2("apigw-http", method, path, query, headers, body, cookies, route_key, binary, env or Env(),
                    path_params, stage)


def function_url(method: str = "GET", path: str = "/", query: Any = None, headers: Any = None, body: Any = None,
                 cookies: Any = None, binary: bool = False, env: Env | None = None) -> dict[str, Any]:
    return _http_v2("function-url", method, path, query, headers, body, cookies, None, binary, env or Env())


def alb(method: str = "GET", path: str = "/", query: Any = None, headers: Any = None, body: Any = None,
        binary: bool = False, env: Env | None = None) -> dict[str, Any]:
    env = env or Env()
    method, path, query_map, header_map, text, encoded = _request_parts(method, path, query, headers, body, binary)
    event = template("alb")
    group = event["requestContext"]["elb"]["targetGroupArn"].split(":", 5)[5]
    event["requestContext"]["elb"]["targetGroupArn"] = env.arn("elasticloadbalancing", group)
    event.update({"httpMethod": method, "path": path, "queryStringParameters": query_map,
                  "headers": {**event["headers"], **{k.lower(): v for k, v in header_map.items()}},
                  "body": text or "", "isBase64Encoded": encoded})
    return event


def graphql(query: str = "query { orders { id } }", variables: Any = None, operation_name: str | None = None,
            path: str = "/graphql", env: Env | None = None) -> dict[str, Any]:
    """A GraphQL request as API Gateway delivers it: POST with a ``{query, variables}`` JSON body."""
    payload: dict[str, Any] = {"query": query, "variables": as_json_value(variables, "variables") or {}}
    if operation_name:
        payload["operationName"] = operation_name
    return apigw_rest("POST", path, body=payload, headers={"Accept": "application/json"}, env=env)


def azure_http(method: str = "GET", path: str = "/api/HttpTrigger", query: Any = None, headers: Any = None,
               body: Any = None, params: Any = None, env: Env | None = None) -> dict[str, Any]:
    """An Azure Functions HTTP trigger request (programming model v3 ``req``)."""
    method, path, query_map, header_map, text, _ = _request_parts(method, path, query, headers, body, False)
    event = template("azure-http")
    url = f"http://localhost:7071{path}" + (f"?{urlencode(query_map)}" if query_map else "")
    parsed = json.loads(text) if text and header_map.get("Content-Type") == "application/json" else text
    event.update({"method": method, "url": url, "originalUrl": url,
                  "headers": {**event["headers"], **{k.lower(): v for k, v in header_map.items()}},
                  "query": query_map, "params": as_mapping(params, "params"), "body": parsed, "rawBody": text})
    return event


def _method_arn(env: Env, api: str, stage: str, method: str, path: str) -> str:
    return env.arn("execute-api", f"{api}/{stage}/{method.upper()}/{path.lstrip('/')}")


def apigw_authorizer_token(token: str = "allow", method: str = "GET", path: str = "/orders", stage: str = "prod",
                           env: Env | None = None) -> dict[str, Any]:
    """A TOKEN authorizer's input: the caller's token and the method ARN being called."""
    env = env or Env()
    event = template("apigw-authorizer-token")
    event.update({"authorizationToken": token, "methodArn": _method_arn(env, "abc123", stage, method, path)})
    return event


def apigw_authorizer_request(method: str = "GET", path: str = "/orders", headers: Any = None, query: Any = None,
                             stage: str = "prod", env: Env | None = None) -> dict[str, Any]:
    """A REQUEST authorizer's input: the request's headers, query string and context."""
    env = env or Env()
    event = template("apigw-authorizer-request")
    header_map = {**event["headers"], **as_mapping(headers, "headers")}
    query_map = as_mapping(query, "query")
    path = "/" + path.lstrip("/")
    event.update({"methodArn": _method_arn(env, "abc123", stage, method, path), "path": path, "resource": path,
                  "httpMethod": method.upper(), "headers": header_map,
                  "multiValueHeaders": {k: [v] for k, v in header_map.items()},
                  "queryStringParameters": query_map, "multiValueQueryStringParameters": {
                      k: [v] for k, v in query_map.items()}})
    event["requestContext"].update({"accountId": env.account, "httpMethod": method.upper(), "stage": stage,
                                    "path": f"/{stage}{path}", "resourcePath": path, "requestId": new_id()})
    return event


WEBSOCKET_EVENT_TYPES = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}


def apigw_websocket(route: str = "$default", body: Any = None, stage: str = "prod",
                    env: Env | None = None) -> dict[str, Any]:
    """A WebSocket API event: ``$connect`` / ``$disconnect`` carry no body, other routes a message."""
    env = env or Env()
    event = template("apigw-websocket")
    ctx = event["requestContext"]
    event_type = WEBSOCKET_EVENT_TYPES.get(route, "MESSAGE")
    host = f"{ctx['apiId']}.execute-api.{env.region}.amazonaws.com"
    ctx.update({"routeKey": route, "eventType": event_type, "stage": stage, "domainName": host,
                "requestId": new_id(), "connectionId": b64(hex_id(8))[:12] + "=", "requestTimeEpoch": env.epoch_ms,
                "requestTime": env.clf, "connectedAt": env.epoch_ms})
    event["headers"]["Host"] = host
    event["multiValueHeaders"]["Host"] = [host]
    if event_type == "MESSAGE":
        text, _ = as_json_or_text(body if body is not None else {"action": route.strip("$"), "data": "hello"})
        event["body"] = text
    else:
        event.pop("body")
        ctx.pop("messageId")
        if event_type == "DISCONNECT":
            ctx["disconnectStatusCode"] = 1000
            ctx["disconnectReason"] = "Client-side close frame status code"
    return event
