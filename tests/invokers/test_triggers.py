"""Triggers read from SAM templates and serverless.yml: kinds, parameters, stages, warnings."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from invokers.discovery import discover
from invokers.models import FunctionSpec, Trigger


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def functions(folder: Path) -> dict[str, FunctionSpec]:
    found = discover(folder)
    assert found.errors == []
    return {spec.name: spec for spec in found.functions}


def test_sam_api_events_with_implicit_and_explicit_api_stages(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Parameters:
          Stage: {Type: String, Default: staging}
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          OrdersApi:
            Type: AWS::Serverless::Api
            Properties: {StageName: !Ref Stage}
          GetOrder:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Get:
                  Type: Api
                  Properties:
                    Path: /orders/{id}
                    Method: get
                    RestApiId: !Ref OrdersApi
                Any:
                  Type: Api
                  Properties: {Path: /any, Method: any}
    """)
    spec = functions(tmp_path)["GetOrder"]
    assert spec.triggers == [
        Trigger("api", "Get", {"path": "/orders/{id}", "method": "GET", "stage": "staging", "api": "OrdersApi"}),
        Trigger("api", "Any", {"path": "/any", "method": "ANY", "stage": "Prod", "api": "ServerlessRestApi"}),
    ]
    assert json.loads(json.dumps(spec.to_dict()))["triggers"][0]["params"]["path"] == "/orders/{id}"


def test_sam_http_api_routes_catch_all_and_function_url(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Resources:
          MyHttpApi:
            Type: AWS::Serverless::HttpApi
            Properties: {StageName: v1}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              FunctionUrlConfig: {AuthType: NONE}
              Events:
                Route:
                  Type: HttpApi
                  Properties: {Path: /items, Method: POST, ApiId: !Ref MyHttpApi, PayloadFormatVersion: "1.0"}
                CatchAll:
                  Type: HttpApi
    """)
    route, catch_all, url = functions(tmp_path)["Fn"].triggers
    assert route == Trigger("http_api", "Route", {"path": "/items", "method": "POST", "route_key": "POST /items",
                                                  "stage": "v1", "api": "MyHttpApi", "payload_format": "1.0"})
    assert catch_all.params == {"path": "/{proxy+}", "method": "ANY", "route_key": "$default", "stage": "$default",
                                "api": "ServerlessHttpApi", "payload_format": "2.0"}
    assert url == Trigger("function_url", "FunctionUrl", {"auth_type": "NONE", "invoke_mode": "BUFFERED"})


def test_sam_malformed_event_is_a_warning_and_the_function_still_loads(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Events:
                Broken: just-a-string
                Good: {Type: Api, Properties: {Path: /, Method: get}}
    """)
    found = discover(tmp_path)
    assert [t.name for t in found.functions[0].triggers] == ["Good"]
    warning, = found.problems
    assert warning.severity == "warning" and warning.line == 9
    assert warning.field == "Resources.Fn.Properties.Events.Broken"


def test_serverless_http_and_http_api_forms(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: demo
        provider: {name: aws, runtime: python3.12, stage: "${opt:stage, 'beta'}"}
        functions:
          hello:
            handler: handler.hello
            events:
              - http: GET orders/{id}
              - http: {path: /orders, method: post}
              - httpApi: 'PUT /items/{id}'
              - httpApi: '*'
              - httpApi:
                  method: delete
                  path: /items/{id}
              - sqs: arn:aws:sqs:us-east-1:123456789012:q
    """)
    triggers = functions(tmp_path)["hello"].triggers
    assert [(t.kind, t.name) for t in triggers[:5]] == [
        ("api", "http#1"), ("api", "http#2"), ("http_api", "httpApi#1"), ("http_api", "httpApi#2"),
        ("http_api", "httpApi#3")]
    assert triggers[0].params == {"path": "/orders/{id}", "method": "GET", "stage": "beta", "api": "ApiGatewayRestApi"}
    assert triggers[1].params["method"] == "POST" and triggers[1].params["path"] == "/orders"
    assert triggers[2].params["route_key"] == "PUT /items/{id}" and triggers[2].params["stage"] == "$default"
    assert triggers[3].params["route_key"] == "$default" and triggers[3].params["method"] == "ANY"
    assert triggers[4].params["route_key"] == "DELETE /items/{id}"


def test_serverless_stage_defaults_to_dev_and_bad_events_warn(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: demo
        provider: {name: aws, runtime: python3.12}
        functions:
          hello:
            handler: handler.hello
            events:
              - http: nonsense
              - http: {path: x, method: get}
    """)
    found = discover(tmp_path)
    trigger, = found.functions[0].triggers
    assert trigger.name == "http#2" and trigger.params["stage"] == "dev" and trigger.params["path"] == "/x"
    warning, = found.problems
    assert warning.severity == "warning" and warning.field == "functions.hello.events.0.http"
