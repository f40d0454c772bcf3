"""What a function opens with and what it is offered: explicit default, saved default, trigger events, project files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from event_samples import SavedEvents
from invokers.discovery import discover
from invokers.models import FunctionSpec, Trigger
from invokers.trigger_events import describe, offered, opening_event, project_events, summary, trigger_events
from tests.invokers.test_cli import svl

TEMPLATE = """
Resources:
  OrdersQueue: {Type: AWS::SQS::Queue}
  GetOrder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties: {Path: "/orders/{id}", Method: get}
        Fallback:
          Type: HttpApi
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt OrdersQueue.Arn}}
"""
HANDLER = "def handler(event, context):\n    return {'params': event.get('pathParameters'), 'n': len(event)}\n"


def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path


def spec_of(folder: Path, name: str) -> FunctionSpec:
    found = discover(folder)
    assert found.errors == []
    spec = found.get(name)
    assert spec is not None
    return spec


def test_a_function_with_an_api_trigger_opens_with_its_route(tmp_path: Path) -> None:
    spec = spec_of(project(tmp_path), "GetOrder")
    first = opening_event(spec, tmp_path)
    assert first.source == "trigger" and first.trigger == "Get" and first.kind == "apigw-rest"
    assert first.event["path"] == "/orders/123" and first.event["pathParameters"] == {"id": "123"}
    assert first.event["requestContext"]["stage"] == "Prod"
    worker = opening_event(spec_of(tmp_path, "Worker"), tmp_path)
    assert worker.kind == "sqs" and worker.event["Records"][0]["eventSourceARN"].endswith(":OrdersQueue")


def test_several_triggers_offer_one_event_each(tmp_path: Path) -> None:
    spec = spec_of(project(tmp_path), "GetOrder")
    assert [(c.trigger, c.kind) for c in trigger_events(spec)] == [("Get", "apigw-rest"), ("Fallback", "apigw-http")]
    choices = offered(spec, tmp_path)
    assert [(c.source, c.trigger) for c in choices] == [("trigger", "Get"), ("trigger", "Fallback")]


def test_explicit_and_saved_defaults_win_over_the_trigger(tmp_path: Path) -> None:
    spec = spec_of(project(tmp_path), "GetOrder")
    SavedEvents(tmp_path).save("GetOrder", "default", {"saved": True})
    assert opening_event(spec, tmp_path).event == {"saved": True}
    assert opening_event(spec, None).source == "trigger"  # no project: no saved events to look at
    spec.default_event = {"explicit": 1}
    assert opening_event(spec, tmp_path).event == {"explicit": 1}
    bare = FunctionSpec("bare", "svl.yaml", "python3.12", "app.handler")
    assert opening_event(bare, tmp_path).event == {} and opening_event(bare).source == "empty"


def test_a_broken_pattern_does_not_stop_the_function_opening() -> None:
    spec = FunctionSpec("f", "svl.yaml", "python3.12", "app.handler", triggers=[
        Trigger("eventbridge", "Bad", {"pattern": {"detail": {"n": [{"numeric": [">", 5, "<", 1]}]}}}),
        Trigger("sqs", "Q", {"queue": "q"})])
    assert opening_event(spec).trigger == "Q"


def test_project_events_are_offered_those_that_suit_first(tmp_path: Path) -> None:
    project(tmp_path)
    events = tmp_path / "events"
    (events / "Worker").mkdir(parents=True)
    api_event = json.loads(svl("events", "show", "apigw-rest").stdout)
    sqs_event = json.loads(svl("events", "show", "sqs").stdout)
    (events / "a-sqs.json").write_text(json.dumps(sqs_event))
    (events / "b-api.json").write_text(json.dumps(api_event))
    (events / "Worker" / "custom.json").write_text('{"anything": 1}')
    (events / "broken.json").write_text("{nope")
    (tmp_path / "src" / "events").mkdir()
    (tmp_path / "src" / "events" / "near-code.json").write_text(json.dumps(api_event))
    get_order = project_events(spec_of(tmp_path, "GetOrder"), tmp_path)
    assert [(c.path, c.suits) for c in get_order] == [
        ("events/b-api.json", True), ("src/events/near-code.json", True),
        ("events/Worker/custom.json", False), ("events/a-sqs.json", False)]
    worker = project_events(spec_of(tmp_path, "Worker"), tmp_path)
    assert [c.path for c in worker if c.suits] == ["events/Worker/custom.json", "events/a-sqs.json"]


def test_describe_and_summary() -> None:
    assert describe(Trigger("api", "Get", {"path": "/o/{id}", "method": "GET"})) == "API GET /o/{id}"
    assert describe(Trigger("http_api", "H", {"route_key": "$default"})) == "HTTP API $default"
    assert describe(Trigger("sqs", "Q", {"queue": "jobs"})) == "SQS jobs"
    assert describe(Trigger("msk", "M", {"topics": ["a", "b"]})) == "MSK a, b"
    assert describe(Trigger("azure_timer", "t", {"schedule": "0 */5 * * * *"})) == "Azure timer 0 */5 * * * *"
    spec = FunctionSpec("f", "svl.yaml", "python3.12", "a.b",
                        triggers=[Trigger("sqs", str(i), {"queue": f"queue-{i}"}) for i in range(9)])
    assert len(summary(spec)) == 60 and summary(spec).endswith("…")


def test_cli_invoke_without_an_event_sends_the_trigger_event(tmp_path: Path) -> None:
    done = svl("invoke", "GetOrder", cwd=project(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["params"] == {"id": "123"}


def test_cli_lists_triggers_and_the_events_offered(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "get.json").write_text(svl("events", "show", "apigw-rest").stdout)
    table = svl("list", cwd=tmp_path)
    assert "TRIGGERS" in table.stdout and "API GET /orders/{id}; HTTP API $default" in table.stdout
    as_json = json.loads(svl("list", "--json", cwd=tmp_path).stdout)
    assert as_json[1]["triggers"] == [{"kind": "sqs", "name": "Jobs", "params": {"queue": "OrdersQueue",
                                                                                 "fifo": False}}]
    listed = svl("events", "list", "--function", "GetOrder", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("opens with") and "API GET /orders/{id} (Prod)" in lines[0]
    assert lines[1].startswith("trigger") and "HTTP API $default" in lines[1]
    assert lines[2].startswith("project") and "events/get.json" in lines[2] and "apigw-rest" in lines[2]
    choices = json.loads(svl("events", "list", "-f", "Worker", "--json", cwd=tmp_path).stdout)
    assert choices[0]["kind"] == "sqs" and choices[-1]["path"] == "events/get.json" and not choices[-1]["suits"]


def test_cli_match_names_the_failing_field(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"source": "shop", "detail-type": "X", "detail": {"total": 5}}))
    good = svl("events", "match", str(event), "--pattern", '{"detail": {"total": [{"numeric": ["<", 10]}]}}')
    assert good.returncode == 0 and good.stdout.strip() == "--pattern: matches"
    pattern = tmp_path / "pattern.json"
    pattern.write_text('{"source": ["shop"], "detail": {"total": [{"numeric": [">", 10]}]}}')
    bad = svl("events", "match", str(event), "--pattern", str(pattern))
    assert bad.returncode == 1
    assert bad.stdout.strip() == ('--pattern: no match: detail.total: the pattern wants {"numeric": [">", 10]}, '
                                  'the event has 5')
    broken = svl("events", "match", str(event), "--pattern", '{"source": "shop"}')
    assert broken.returncode == 2 and "values in a pattern are lists" in broken.stderr


def test_cli_match_uses_the_function_rules(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""
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
                    Pattern: {source: [shop.orders]}
    """))
    opened = json.loads(svl("events", "list", "-f", "Fn", "--json", cwd=tmp_path).stdout)[0]["event"]
    (tmp_path / "opened.json").write_text(json.dumps(opened))
    assert svl("events", "match", "opened.json", "-f", "Fn", cwd=tmp_path).stdout.strip() == "Placed: matches"
    (tmp_path / "other.json").write_text(json.dumps({**opened, "source": "shop.returns"}))
    other = svl("events", "match", "other.json", "-f", "Fn", cwd=tmp_path)
    assert other.returncode == 1 and "source" in other.stdout


def test_without_triggers_the_configured_default_says_which_files_suit(tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "api.json").write_text(svl("events", "show", "apigw-rest").stdout)
    (tmp_path / "events" / "queue.json").write_text(svl("events", "show", "sqs").stdout)
    api_default = json.loads((tmp_path / "events" / "api.json").read_text())
    spec = FunctionSpec("f", "svl.yaml", "python3.12", "app.handler", default_event=api_default)
    assert [(c.path, c.suits) for c in project_events(spec, tmp_path)] == [("events/api.json", True),
                                                                            ("events/queue.json", False)]


def test_rule_checks_name_the_failing_field_and_a_malformed_pattern() -> None:
    from invokers.trigger_events import rule_checks

    spec = FunctionSpec("f", "svl.yaml", "python3.12", "app.handler", triggers=[
        Trigger("eventbridge", "A", {"rule": "orders", "pattern": {"source": ["shop"]}}),
        Trigger("eventbridge", "B", {"pattern": {"source": "shop"}}),
        Trigger("sqs", "Q", {"queue": "q"})])
    assert rule_checks(spec, {"source": "shop"}) == [
        ("orders", None), ("B", "the rule's pattern is malformed: source: values in a pattern are lists, "
                               'e.g. ["shop"]')]
    assert rule_checks(spec, {"source": "other"})[0] == (
        "orders", 'source: the pattern wants "shop", the event has "other"')
