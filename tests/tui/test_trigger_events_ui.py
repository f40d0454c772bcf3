"""The UI opens a function with its trigger's event in the first frame and offers one event per trigger."""

from __future__ import annotations

import json

from tests.invokers.test_trigger_events import HANDLER, TEMPLATE
from tests.tui.test_main_screen import wait_for
from tui.widgets.event_editor import EventEditor
from tui.widgets.function_list import FunctionList


async def test_first_frame_shows_the_trigger_event_and_the_picker_offers_each_trigger(project_app) -> None:
    app, root = project_app({"src/app.py": HANDLER, "template.yaml": TEMPLATE,
                             "events/list-orders.json": json.dumps({"httpMethod": "GET", "path": "/orders",
                                                                    "headers": {}, "requestContext": {}})})
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.main_screen
        screen.query_one(FunctionList).select("GetOrder")
        await pilot.pause()
        editor = screen.query_one(EventEditor)
        opened = json.loads(editor.text)
        assert opened["path"] == "/orders/123" and opened["pathParameters"] == {"id": "123"}
        assert editor.border_title == "Event · GetOrder · API GET /orders/{id} (Prod)"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"http", "enter")  # the HttpApi catch-all trigger's event
        await pilot.pause()
        assert json.loads(editor.text)["routeKey"] == "$default"
        assert editor.border_title == "Event · GetOrder · HTTP API $default"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"list-orders", "enter")  # the project's own event file, no import step
        await pilot.pause()
        assert json.loads(editor.text)["path"] == "/orders"
        assert editor.border_title == "Event · GetOrder · events/list-orders.json"
        screen.query_one(FunctionList).select("Worker")
        await pilot.pause()
        assert json.loads(editor.text)["Records"][0]["eventSourceARN"].endswith(":OrdersQueue")


RULE_TEMPLATE = """
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Placed:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [shop.orders]
              detail:
                total: [{numeric: [">", 100]}]
"""


async def test_editor_says_whether_the_event_matches_the_rule_and_which_field_fails(project_app) -> None:
    app, _root = project_app({"app.py": HANDLER, "template.yaml": RULE_TEMPLATE})
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.main_screen
        screen.query_one(FunctionList).select("Fn")
        editor = screen.query_one(EventEditor)
        status = editor.query_one("#event-status")
        # the status is validated after a short delay: wait for it, not a fixed pause (that failed under load)
        await wait_for(pilot, lambda: "matches rule Placed" in str(status.render()))
        event = json.loads(editor.text)
        event["detail"]["total"] = 50
        editor.text_area.load_text(json.dumps(event))
        await wait_for(pilot, lambda: "rule Placed: detail.total" in str(status.render()))
        text = str(status.render())
        assert "rule Placed: detail.total: the pattern wants" in text and "the event has 50" in text
