"""HTTP-shaped responses decoded as the trigger in front of the function would read them."""

from invokers.responses import http_view


def test_http_view_decodes_api_gateway_and_azure_responses() -> None:
    view = http_view({"statusCode": 201, "headers": {"A": "1"}, "multiValueHeaders": {"B": ["x", "y"]},
                      "body": "eyJvayI6IHRydWV9", "isBase64Encoded": True})
    assert view.status == 201 and view.headers == {"A": "1", "B": "x, y"} and view.body == {"ok": True}
    assert http_view({"status": 404, "headers": {}, "body": "nope"}).body == "nope"
    assert http_view({"statusCode": 200}) is None and http_view([1]) is None
    assert http_view({"statusCode": "200", "body": ""}) is None
