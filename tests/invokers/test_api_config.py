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
    assert triggers["Cognito"]["authorizer"] == {
        "name": "Users", "type": "COGNITO", "identity": ["header.Authorization"],
        "issuers": ["https://cognito-idp.us-east-1.amazonaws.com/x"], "validation": "", "scopes": []}
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
    assert triggers[3]["authorizer"] == {"name": "jwt", "type": "JWT", "identity": ["header.Authorization"],
                                         "issuer": "https://x", "audience": ["a"], "scopes": []}


def test_sam_jwt_cognito_and_iam_authorizers_with_their_scopes(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "template.yaml", """
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Parameters:
          Issuer: {Type: String, Default: "https://issuer.example"}
        Resources:
          Pool: {Type: AWS::Cognito::UserPool}
          Http:
            Type: AWS::Serverless::HttpApi
            Properties:
              Auth:
                EnableIamAuthorizer: true
                DefaultAuthorizer: OAuth
                Authorizers:
                  OAuth:
                    AuthorizationScopes: [default.scope]
                    IdentitySource: $request.header.X-Token
                    JwtConfiguration: {issuer: !Ref Issuer, audience: [client-a, client-b]}
                  Nested:  # cognito-httpapi's layout: the pool lives in a nested stack
                    IdentitySource: "$request.header.Authorization"
                    JwtConfiguration:
                      issuer: !GetAtt AuthStack.Outputs.Issuer
                      audience: [!GetAtt AuthStack.Outputs.UserPoolClientId, !Ref Issuer]
          Rest:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              Auth:
                DefaultAuthorizer: Users
                Authorizers:
                  Users:
                    UserPoolArn: !GetAtt Pool.Arn
                    Identity: {Header: X-Id, ValidationExpression: "client-.*"}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Default: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /a, Method: get}}
                Scoped:
                  Type: HttpApi
                  Properties: {ApiId: !Ref Http, Path: /b, Method: get,
                               Auth: {AuthorizationScopes: [admin, !Sub "${Issuer}/write"]}}
                Iam: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /c, Method: get, Auth: {Authorizer: AWS_IAM}}}
                Pool: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /d, Method: get}}
                FromNested: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /g, Method: get,
                                                          Auth: {Authorizer: Nested}}}
                RestIam: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /e, Method: get,
                                                   Auth: {Authorizer: AWS_IAM}}}
                Open: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /f, Method: get, Auth: {Authorizer: NONE}}}
    """)
    triggers = {trigger.name: trigger.params.get("authorizer") for trigger in functions(tmp_path)["Fn"].triggers}
    assert triggers["Default"] == {"name": "OAuth", "type": "JWT", "identity": ["header.X-Token"],
                                   "issuer": "https://issuer.example", "audience": ["client-a", "client-b"],
                                   "scopes": ["default.scope"]}
    assert triggers["Scoped"] is not None
    assert triggers["Scoped"]["scopes"] == ["admin", "https://issuer.example/write"]  # sessions-with-aws-sam
    assert triggers["Iam"] == triggers["RestIam"] == {"name": "AWS_IAM", "type": "AWS_IAM"}
    # the pool's ARN is not known without --mock-aws: the issuer is not checked
    assert triggers["Pool"] == {"name": "Users", "type": "COGNITO", "identity": ["header.X-Id"], "issuers": [],
                                "validation": "client-.*", "scopes": []}
    assert triggers["Open"] is None
    nested = triggers["FromNested"]
    assert nested is not None and nested["issuer"] == "" and nested["audience"] == ["https://issuer.example"]


def test_serverless_http_api_payload_format_and_jwt_scopes(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: jwt  # serverless-offline's own jwt-authorizer fixture, in short
        provider:
          name: aws
          runtime: python3.12
          httpApi:
            payload: "1.0"
            authorizers:
              jwtAuth: {identitySource: $request.header.Authorization, issuerUrl: https://issuer, audience: [abc]}
        functions:
          user:
            handler: handler.hello
            events:
              - httpApi: {method: get, path: /user2, authorizer: {name: jwtAuth, scopes: [email]}}
    """)
    params = functions(tmp_path)["user"].triggers[0].params
    assert params["payload_format"] == "1.0"
    assert params["authorizer"] == {"name": "jwtAuth", "type": "JWT", "identity": ["header.Authorization"],
                                    "issuer": "https://issuer", "audience": ["abc"], "scopes": ["email"]}


def test_serverless_cognito_and_iam_authorizers(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def hello(e, c):\n    return 1\n")
    write(tmp_path, "serverless.yml", """
        service: shop
        provider: {name: aws, runtime: python3.12}
        functions:
          hello:
            handler: handler.hello
            events:
              - http: {path: a, method: get, authorizer: aws_iam}
              - http:
                  path: b
                  method: get
                  authorizer:
                    type: COGNITO_USER_POOLS
                    arn: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc
                    scopes: [orders/read]
              - http: {path: c, method: get, authorizer: {arn: "arn:aws:cognito-idp:us-east-1:1:userpool/p1"}}
              - httpApi: {path: /d, method: get, authorizer: {type: aws_iam}}
    """)
    triggers = [trigger.params.get("authorizer") for trigger in functions(tmp_path)["hello"].triggers]
    assert triggers[0] == triggers[3] == {"name": "AWS_IAM", "type": "AWS_IAM"}
    assert triggers[1] == {"name": "cognito", "type": "COGNITO", "identity": ["header.Authorization"],
                           "issuers": ["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc"],
                           "validation": "", "scopes": ["orders/read"]}
    assert triggers[2] is not None and triggers[2]["issuers"] == ["https://cognito-idp.us-east-1.amazonaws.com/p1"]


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
