"""The local endpoint started from the UI: served on the app's engine, each request in the traffic screen."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Log

from invokers.serve import session
from tui.screens.traffic import TrafficScreen

FILES = {
    "app.py": ("def handler(event, context):\n    print('served from the UI')\n"
               "    return {'statusCode': 200, 'body': 'hi'}\n"),
    "template.yaml": """
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties: {Path: /hello, Method: get}
""",
}


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


async def test_serve_from_the_ui_shows_traffic_and_publishes_the_session(
        project_app: Callable[[dict[str, str]], tuple[Any, Path]]) -> None:
    app, root = project_app(FILES)
    async with app.run_test() as pilot:
        url = await app.serve.start(port=0)
        assert session.find(root) is not None
        assert await asyncio.to_thread(get, url + "/hello") == b"hi"
        app.show_traffic()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrafficScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        row = table.get_row_at(0)
        assert row[1:4] == ["api", "GET /hello", "200"] and row[5] == "Hello" and row[6] == "cold"
        body = await asyncio.to_thread(
            lambda: urllib.request.urlopen(urllib.request.Request(
                url + "/2015-03-31/functions/Hello/invocations", data=b"{}", method="POST"), timeout=30).read())
        assert json.loads(body)["body"] == "hi"
        await pilot.pause()
        assert table.row_count == 2
        assert any("served from the UI" in line for line in screen.query_one(Log).lines)
        await app.serve.stop()
        assert session.find(root) is None


JWT_GUARDED = """
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt: {JwtConfiguration: {issuer: "https://issuer.example", audience: [app]}}
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /hello, Method: get}}
"""


@pytest.mark.parametrize(("files", "expected"), [
    (FILES, "1 API route: GET /hello"),
    ({"app.py": FILES["app.py"], "template.yaml": JWT_GUARDED}, "signatures cannot be checked offline"),
    ({"app.py": FILES["app.py"], "svl.yaml": "functions:\n  plain:\n    handler: app.handler\n"}, "no API routes")])
async def test_starting_serve_says_which_routes_there_are(
        project_app: Callable[[dict[str, str]], tuple[Any, Path]], files: dict[str, str], expected: str) -> None:
    """A newcomer who starts serve on a project without HTTP triggers must not hunt for routes that do not exist."""
    app, _root = project_app(files)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.serve.toggle()
        await pilot.pause()
        assert any(expected in n.message for n in app._notifications), [n.message for n in app._notifications]
        await app.serve.toggle()
