"""CORS and Lambda authorizer settings read onto HTTP triggers from SAM templates and serverless.yml."""

from __future__ import annotations

from pathlib import Path

from tests.files import write
from tests.invokers.test_triggers_sam import functions

SAM = """
    Globals:
      Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
      Api:
        Cors:
          AllowOrigin: "'https://shop.example'"
          AllowHeaders: "'Content-Type,Authorization'"
          MaxAge: "'600'"
          AllowCredentials: true
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: Prod
          Auth:
            DefaultAuthorizer: TokenAuth
            Authorizers:
              TokenAuth:
                FunctionArn: !GetAtt AuthFn.Arn
                Identity: {Header: X-Token, ValidationExpression: "Bearer .*", ReauthorizeEvery: 60}
              ReqAuth:
                FunctionPayloadType: REQUEST
                FunctionArn: !GetAtt AuthFn.Arn
                Identity: {Headers: [X-Key], QueryStrings: [user]}
              Users:
                UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/x
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          CorsConfiguration:
            AllowOrigins: [https://a.example]
            AllowMethods: [GET, POST]
            ExposeHeaders: [X-Total]
          Auth:
            Authorizers:
              Simple:
                FunctionArn: !GetAtt AuthFn.Arn
                AuthorizerPayloadFormatVersion: "2.0"
                EnableSimpleResponses: true
                Identity: {Headers: [Authorization], ReauthorizeEvery: 30}
      AuthFn:
        Type: AWS::Serverless::Function
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Guarded: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /orders, Method: get}}
            ByRequest:
              Type: Api
              Properties: {RestApiId: !Ref Api, Path: /req, Method: get, Auth: {Authorizer: ReqAuth}}
            Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /open, Method: get, Auth: {Authorizer: NONE}}}
            Cognito: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /me, Method: get, Auth: {Authorizer: Users}}}
            Implicit: {Type: Api, Properties: {Path: /implicit, Method: get}}
            HttpRoute:
              Type: HttpApi
              Properties: {ApiId: !Ref Http, Path: /h, Method: get, Auth: {Authorizer: Simple}}
"""


def test_sam_cors_and_lambda_authorizers_reach_the_triggers(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", SAM)
    triggers = {trigger.name: trigger.params for trigger in functions(tmp_path)["Orders"].triggers}
    rest_cors = {"origins": ["https://shop.example"], "methods": None, "headers": ["Content-Type", "Authorization"],
                 "expose": [], "max_age": 600, "credentials": True}
    assert triggers["Guarded"]["cors"] == rest_cors and triggers["Implicit"]["cors"] == rest_cors
    assert triggers["Guarded"]["authorizer"] == {
        "name": "TokenAuth", "function": "AuthFn", "type": "TOKEN", "identity": ["header.X-Token"],
        "validation": "Bearer .*", "ttl": 60, "payload_format": "1.0", "simple": False}
    request = triggers["ByRequest"]["authorizer"]
    assert request["type"] == "REQUEST" and request["identity"] == ["header.X-Key", "querystring.user"]
    assert request["ttl"] == 300  # API Gateway's default cache for REST authorizers
    assert "authorizer" not in triggers["Open"] and "authorizer" not in triggers["Implicit"]
    assert "authorizer" not in triggers["Cognito"]  # not a Lambda authorizer: not run locally
    http = triggers["HttpRoute"]
    assert http["cors"] == {"origins": ["https://a.example"], "methods": ["GET", "POST"], "headers": [],
                            "expose": ["X-Total"], "max_age": None, "credentials": False}
    assert http["authorizer"] == {"name": "Simple", "function": "AuthFn", "type": "REQUEST",
                                  "identity": ["header.Authorization"], "validation": "", "ttl": 30,
                                  "payload_format": "2.0", "simple": True}


def test_serverless_cors_true_and_authorizers(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: shop
        provider:
          name: aws
          runtime: python3.12
          httpApi:
            cors: true
            authorizers:
              custom: {type: request, functionName: auth, enableSimpleResponses: true, resultTtlInSeconds: 0}
              jwt: {type: jwt, identitySource: $request.header.Authorization, issuerUrl: https://x, audience: [a]}
        functions:
          auth: {handler: handler.hello}
          hello:
            handler: handler.hello
            events:
              - http: {path: rest, method: get, cors: true, authorizer: auth}
              - http:
                  path: req
                  method: post
                  cors: {origins: [https://a.example], allowCredentials: true}
                  authorizer:
                    name: auth
                    type: request
                    identitySource: "method.request.header.X-Key, method.request.querystring.k"
              - httpApi: {path: /h, method: get, authorizer: {name: custom}}
              - httpApi: {path: /j, method: get, authorizer: {name: jwt}}
    """)
    triggers = [trigger.params for trigger in functions(tmp_path)["hello"].triggers]
    assert triggers[0]["cors"]["origins"] == ["*"] and "Authorization" in triggers[0]["cors"]["headers"]
    assert triggers[0]["authorizer"]["function"] == "auth" and triggers[0]["authorizer"]["type"] == "TOKEN"
    assert triggers[0]["authorizer"]["identity"] == ["header.Authorization"]
    assert triggers[1]["cors"]["credentials"] is True and triggers[1]["cors"]["origins"] == ["https://a.example"]
    assert triggers[1]["authorizer"]["identity"] == ["header.X-Key", "querystring.k"]
    assert triggers[2]["authorizer"]["simple"] is True and triggers[2]["authorizer"]["ttl"] == 0
    assert triggers[2]["authorizer"]["identity"] == ["header.Authorization"] and triggers[2]["cors"]["origins"] == ["*"]
    assert "authorizer" not in triggers[3]  # a JWT authorizer is not run locally


def test_aliases_and_versions_from_sam_and_serverless(tmp_path: Path) -> None:
    sam = tmp_path / "sam"
    write(sam, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(sam, "template.yaml", """
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          Auto:
            Type: AWS::Serverless::Function
            Properties: {AutoPublishAlias: live}
          Manual:
            Type: AWS::Serverless::Function
          ManualVersion:
            Type: AWS::Lambda::Version
            Properties: {FunctionName: !Ref Manual}
          ManualAlias:
            Type: AWS::Lambda::Alias
            Properties: {FunctionName: !Ref Manual, Name: blue, FunctionVersion: !GetAtt ManualVersion.Version}
          Plain:
            Type: AWS::Serverless::Function
    """)
    found = functions(sam)
    assert (found["Auto"].aliases, found["Auto"].versioned) == (["live"], True)
    assert (found["Manual"].aliases, found["Manual"].versioned) == (["blue"], True)
    assert (found["Plain"].aliases, found["Plain"].versioned) == ([], False)
    sls = tmp_path / "sls"
    write(sls, "handler.py", "def hello(e, c):\n    return 1\n")
    write(sls, "serverless.yml", """
        service: a
        provider: {name: aws, runtime: python3.12}
        functions:
          hello: {handler: handler.hello}
    """)
    assert functions(sls)["hello"].versioned is True  # versionFunctions is on unless turned off
