"""Routes from APIs declared as OpenAPI (DefinitionBody, DefinitionUri, AWS::Include) or as raw API Gateway
resources (RestApi/Resource/Method/Authorizer, ApiGatewayV2 Api/Route/Integration/Authorizer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from invokers.discovery import discover
from tests.files import write
from tests.invokers.test_triggers_sam import functions

HANDLER = "def handler(e, c):\n    return 1\n"
GATEWAY = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions"
"""How integration URIs begin (``@GW`` in the fixtures below, to keep their lines short)."""


def gateway_uris(text: str) -> str:
    return text.replace("@GW", GATEWAY)


def routes(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    """A function's HTTP triggers by ``METHOD /path``."""
    return {f"{t.params['method']} {t.params['path']}": t.params for t in functions(folder)[name].triggers
            if t.kind in ("api", "http_api")}


# api-lambda-ses / apigw-mappingtemplate-lambda layout: an AWS::Include'd OpenAPI file naming the function
# by its FunctionName in a literal ARN; Swagger 2 security definitions beside it
INCLUDED = gateway_uris("""
    openapi: "3.0.1"
    paths:
      /orders/{id}:
        get:
          security: [{Users: [orders/read]}]
          x-amazon-apigateway-integration:
            type: aws_proxy
            httpMethod: POST
            uri: "@GW/arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders-fn/invocations"
        options:
          x-amazon-apigateway-integration:
            type: mock
            responses:
              default:
                statusCode: "200"
                responseParameters:
                  method.response.header.Access-Control-Allow-Origin: "'https://shop.example'"
                  method.response.header.Access-Control-Allow-Methods: "'GET,OPTIONS'"
                  method.response.header.Access-Control-Allow-Headers: "'Content-Type,Authorization'"
      /health:
        x-amazon-apigateway-any-method:
          security: []
          x-amazon-apigateway-integration:
            type: aws_proxy
            uri: "@GW/arn:aws:lambda:us-east-1:123456789012:function:orders-fn/invocations"
      /default:
        post:
          x-amazon-apigateway-integration:
            type: aws_proxy
            uri: "@GW/arn:aws:lambda:us-east-1:123456789012:function:orders-fn:live/invocations"
      /s3:
        get:
          x-amazon-apigateway-integration: {type: aws, uri: "arn:aws:apigateway:us-east-1:s3:path/bucket/key"}
    security: [{Token: []}]
    components:
      securitySchemes:
        Users:
          type: apiKey
          name: Authorization
          in: header
          x-amazon-apigateway-authtype: cognito_user_pools
          x-amazon-apigateway-authorizer:
            type: cognito_user_pools
            providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool"]
        Token:
          type: apiKey
          name: X-Token
          in: header
          x-amazon-apigateway-authorizer:
            type: token
            authorizerUri: "@GW/arn:aws:lambda:us-east-1:123456789012:function:auth-fn/invocations"
            authorizerResultTtlInSeconds: 0
""")


def test_an_openapi_file_included_by_aws_include_gives_routes_authorizers_and_cors(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "api/openapi.yaml", INCLUDED)
    write(tmp_path, "template.yaml", """
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: s1
              DefinitionBody:
                Fn::Transform: {Name: AWS::Include, Parameters: {Location: api/openapi.yaml}}
          Orders:
            Type: AWS::Serverless::Function
            Properties: {FunctionName: orders-fn}
          Auth:
            Type: AWS::Serverless::Function
            Properties: {FunctionName: auth-fn}
    """)
    found = routes(tmp_path, "Orders")
    assert set(found) == {"GET /orders/{id}", "ANY /health", "POST /default"}  # S3 is not a function
    get = found["GET /orders/{id}"]
    assert get["stage"] == "s1" and get["api"] == "Api"
    assert get["authorizer"] == {"name": "Users", "type": "COGNITO", "identity": ["header.Authorization"],
                                 "issuers": ["https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool"],
                                 "validation": "", "scopes": ["orders/read"]}
    assert get["cors"] == {"origins": ["https://shop.example"], "methods": ["GET", "OPTIONS"],
                           "headers": ["Content-Type", "Authorization"], "expose": [], "max_age": None,
                           "credentials": False}
    assert "authorizer" not in found["ANY /health"]  # security: [] overrides the document's default
    default = found["POST /default"]["authorizer"]
    assert default["name"] == "Token" and default["function"] == "Auth"  # its FunctionName, auth-fn
    assert default["identity"] == ["header.X-Token"] and default["ttl"] == 0
    assert routes(tmp_path, "Auth") == {}


def test_a_document_wide_security_default_and_a_local_definition_uri(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "spec.json", gateway_uris("""
        {"swagger": "2.0",
         "security": [{"Token": []}],
         "securityDefinitions": {"Token": {"type": "apiKey", "name": "X-Token", "in": "header",
            "x-amazon-apigateway-authorizer": {"type": "token", "authorizerResultTtlInSeconds": 0,
              "authorizerUri": {"Fn::Sub": "@GW/${Auth.Arn}/invocations"}}}},
         "paths": {"/items": {"post": {"x-amazon-apigateway-integration": {"type": "aws_proxy",
            "uri": {"Fn::Sub": "@GW/${Items.Arn}/invocations"}}}}}}
    """))
    write(tmp_path, "template.yaml", """
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties: {StageName: dev, DefinitionUri: spec.json, Cors: "'*'"}
          Items: {Type: AWS::Serverless::Function}
          Auth: {Type: AWS::Serverless::Function}
    """)
    post = routes(tmp_path, "Items")["POST /items"]
    assert post["authorizer"]["type"] == "TOKEN" and post["authorizer"]["function"] == "Auth"
    assert post["authorizer"]["identity"] == ["header.X-Token"] and post["authorizer"]["ttl"] == 0
    assert post["cors"]["origins"] == ["*"]  # the API's own Cors, as SAM adds it to the definition
    assert post["stage"] == "dev"


def test_inline_http_api_definition_with_jwt_and_iam_and_its_cors(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "template.yaml", gateway_uris("""
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          Http:
            Type: AWS::Serverless::HttpApi
            Properties:
              DefinitionBody:
                openapi: "3.0.1"
                x-amazon-apigateway-cors: {allowOrigins: ["https://a.example"], allowMethods: [GET], maxAge: 60}
                components:
                  securitySchemes:
                    Jwt:
                      type: oauth2
                      x-amazon-apigateway-authorizer:
                        type: jwt
                        identitySource: $request.header.Authorization
                        jwtConfiguration: {issuer: "https://issuer.example", audience: [client-a]}
                    Sig: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
                paths:
                  /me:
                    get:
                      security: [{Jwt: [profile]}]
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        payloadFormatVersion: "1.0"
                        uri: !GetAtt Me.Arn
                  /admin/{proxy+}:
                    x-amazon-apigateway-any-method:
                      security: [{Sig: []}]
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        uri: !Sub "@GW/${Me.Arn}/invocations"
          Me: {Type: AWS::Serverless::Function}
    """))
    found = routes(tmp_path, "Me")
    me, admin = found["GET /me"], found["ANY /admin/{proxy+}"]
    assert me["route_key"] == "GET /me" and me["stage"] == "$default" and me["payload_format"] == "1.0"
    assert me["authorizer"] == {"name": "Jwt", "type": "JWT", "identity": ["header.Authorization"],
                                "issuer": "https://issuer.example", "audience": ["client-a"], "scopes": ["profile"]}
    assert me["cors"]["origins"] == ["https://a.example"] and me["cors"]["max_age"] == 60
    assert admin["authorizer"] == {"name": "AWS_IAM", "type": "AWS_IAM"} and admin["payload_format"] == "2.0"


# apigw-lambda-authorizer / cognito-restapi / apigw-lambda-tenant-isolation layout
RAW_REST = gateway_uris("""
    Parameters:
      Environment: {Type: String, Default: dev}
    Globals:
      Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
    Resources:
      AppApi: {Type: AWS::ApiGateway::RestApi, Properties: {Name: raw}}
      Orders: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref AppApi, PathPart: orders,
                                                            ParentId: !GetAtt AppApi.RootResourceId}}
      Order: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref AppApi, PathPart: "{id}",
                                                           ParentId: !Ref Orders}}
      RootGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref AppApi
          ResourceId: !GetAtt AppApi.RootResourceId
          HttpMethod: GET
          AuthorizationType: CUSTOM
          AuthorizerId: !Ref TokenAuth
          Integration:
            Type: AWS_PROXY
            IntegrationHttpMethod: POST
            Uri: !Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':lambda:path/2015-03-31/functions/',
                             !GetAtt AppFunction.Arn, '/invocations']]
      OrderGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref AppApi
          ResourceId: !Ref Order
          HttpMethod: GET
          AuthorizationType: COGNITO_USER_POOLS
          AuthorizerId: !Ref Pool
          AuthorizationScopes: [orders/read]
          Integration:
            Type: AWS_PROXY
            Uri: !Sub
              - arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${fn}/invocations
              - fn: !GetAtt AppFunction.Arn
      OrderDelete:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref AppApi
          ResourceId: !Ref Order
          HttpMethod: DELETE
          AuthorizationType: AWS_IAM
          Integration:
            Type: AWS_PROXY
            Uri: !Sub "@GW/${AppFunction.Arn}/invocations"
      OrderOptions:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref AppApi
          ResourceId: !Ref Order
          HttpMethod: OPTIONS
          AuthorizationType: NONE
          Integration:
            Type: MOCK
            IntegrationResponses:
              - StatusCode: 200
                ResponseParameters:
                  method.response.header.Access-Control-Allow-Origin: "'*'"
                  method.response.header.Access-Control-Allow-Methods: "'GET,DELETE,OPTIONS'"
      TokenAuth:
        Type: AWS::ApiGateway::Authorizer
        Properties:
          Name: LambdaToken
          Type: TOKEN
          RestApiId: !Ref AppApi
          IdentitySource: method.request.header.authorizationToken
          AuthorizerUri: !Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':lambda:path/2015-03-31/functions/',
                                     !GetAtt TokenAuthorizer.Arn, '/invocations']]
      Pool:
        Type: AWS::ApiGateway::Authorizer
        Properties:
          Name: CognitoAuthorizer
          Type: COGNITO_USER_POOLS
          RestApiId: !Ref AppApi
          IdentitySource: method.request.header.Authorization
          ProviderARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc]
      Deployment: {Type: AWS::ApiGateway::Deployment, Properties: {RestApiId: !Ref AppApi}}
      Stage: {Type: AWS::ApiGateway::Stage, Properties: {RestApiId: !Ref AppApi, StageName: !Ref Environment,
                                                         DeploymentId: !Ref Deployment}}
      AppFunction:
        Type: AWS::Serverless::Function
        Properties:
          Events:  # an event on the same route: the API's own method (its stage, its CORS) is what is served
            Get: {Type: Api, Properties: {RestApiId: !Ref AppApi, Path: "/orders/{id}", Method: get}}
      TokenAuthorizer: {Type: AWS::Serverless::Function}
""")


def test_raw_rest_api_resources_methods_and_authorizers(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "template.yaml", RAW_REST)
    found = routes(tmp_path, "AppFunction")
    assert set(found) == {"GET /", "GET /orders/{id}", "DELETE /orders/{id}"}
    assert all(params["stage"] == "dev" for params in found.values())
    assert found["GET /"]["authorizer"] == {
        "name": "LambdaToken", "function": "TokenAuthorizer", "type": "TOKEN",
        "identity": ["header.authorizationToken"],
        "validation": "", "ttl": 300, "payload_format": "1.0", "simple": False}
    order = found["GET /orders/{id}"]
    assert order["authorizer"]["type"] == "COGNITO" and order["authorizer"]["scopes"] == ["orders/read"]
    assert order["authorizer"]["issuers"] == ["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc"]
    assert order["cors"]["origins"] == ["*"] and order["cors"]["methods"] == ["GET", "DELETE", "OPTIONS"]
    assert found["DELETE /orders/{id}"]["authorizer"] == {"name": "AWS_IAM", "type": "AWS_IAM"}
    assert "cors" not in found["GET /"]
    assert len([t for t in functions(tmp_path)["AppFunction"].triggers if t.params.get("path") == "/orders/{id}"
                and t.params.get("method") == "GET"]) == 1


# apigw-http-api-lambda layout (quick create) and an explicit route/integration/JWT authorizer
RAW_HTTP = gateway_uris("""
    Globals:
      Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
    Resources:
      Quick:
        Type: AWS::ApiGatewayV2::Api
        Properties:
          ProtocolType: HTTP
          CorsConfiguration: {AllowOrigins: ["*"], AllowMethods: [GET, POST]}
          Target: !Sub "@GW/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${LambdaFunction}/invocations"
      Socket: {Type: AWS::ApiGatewayV2::Api, Properties: {ProtocolType: WEBSOCKET, Target: !GetAtt LambdaFunction.Arn}}
      Explicit: {Type: AWS::ApiGatewayV2::Api, Properties: {ProtocolType: HTTP, Name: explicit}}
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties: {ApiId: !Ref Explicit, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Other.Arn,
                     PayloadFormatVersion: "1.0"}
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: !Ref Explicit
          RouteKey: GET /things/{id}
          Target: !Join [/, [integrations, !Ref Integration]]
          AuthorizationType: JWT
          AuthorizerId: !Ref Jwt
          AuthorizationScopes: [things/read]
      Open:
        Type: AWS::ApiGatewayV2::Route
        Properties: {ApiId: !Ref Explicit, RouteKey: POST /things, Target: !Sub "integrations/${Integration}"}
      Jwt:
        Type: AWS::ApiGatewayV2::Authorizer
        Properties:
          ApiId: !Ref Explicit
          AuthorizerType: JWT
          Name: Jwt
          IdentitySource: [$request.header.Authorization]
          JwtConfiguration: {Issuer: "https://issuer.example", Audience: [client-a]}
      ExplicitStage: {Type: AWS::ApiGatewayV2::Stage, Properties: {ApiId: !Ref Explicit, StageName: v1}}
      LambdaFunction: {Type: AWS::Serverless::Function}
      Other: {Type: AWS::Serverless::Function}
""")


def test_raw_http_api_quick_create_and_routes_with_a_jwt_authorizer(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "template.yaml", RAW_HTTP)
    quick = routes(tmp_path, "LambdaFunction")
    assert list(quick) == ["ANY /{proxy+}"]  # the WebSocket API has no HTTP routes
    assert quick["ANY /{proxy+}"]["route_key"] == "$default" and quick["ANY /{proxy+}"]["cors"]["origins"] == ["*"]
    other = routes(tmp_path, "Other")
    things = other["GET /things/{id}"]
    assert things["stage"] == "v1" and things["payload_format"] == "1.0" and things["route_key"] == "GET /things/{id}"
    assert things["authorizer"] == {"name": "Jwt", "type": "JWT", "identity": ["header.Authorization"],
                                    "issuer": "https://issuer.example", "audience": ["client-a"],
                                    "scopes": ["things/read"]}
    assert "authorizer" not in other["POST /things"]


def test_a_definition_on_s3_is_said_to_be_not_served(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "template.yaml", """
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          Api: {Type: AWS::Serverless::Api, Properties: {StageName: p, DefinitionUri: "s3://bucket/api.yaml"}}
          Missing:
            Type: AWS::Serverless::Api
            Properties:
              StageName: p
              DefinitionBody: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: nowhere.yaml}}}
          Fn: {Type: AWS::Serverless::Function}
    """)
    found = discover(tmp_path)
    messages = [str(problem) for problem in found.problems]
    assert any("Resources.Api.Properties.DefinitionUri" in text and "on S3" in text for text in messages)
    assert any("nowhere.yaml cannot be read" in text for text in messages)
    assert found.errors == [] and [spec.name for spec in found.functions] == ["Fn"]


def test_a_rest_api_body_is_served_under_its_deployments_stage(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", HANDLER)
    write(tmp_path, "template.yaml", gateway_uris("""
        Globals:
          Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
        Resources:
          Api:
            Type: AWS::ApiGateway::RestApi
            Properties:
              Body:
                swagger: "2.0"
                paths:
                  /pets/{id}:
                    get:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        uri: !Sub "@GW/${Pets.Arn}/invocations"
          Deployment: {Type: AWS::ApiGateway::Deployment, Properties: {RestApiId: !Ref Api, StageName: v2}}
          Pets: {Type: AWS::Serverless::Function}
    """))
    assert routes(tmp_path, "Pets")["GET /pets/{id}"]["stage"] == "v2"
