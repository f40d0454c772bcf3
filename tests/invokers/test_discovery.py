"""Discovery from svl.yaml, SAM templates, serverless.yml and Azure function.json, broken files included."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from invokers.discovery import discover, discover_or_example, example_project


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_svl_yaml_full_settings(tmp_path: Path) -> None:
    write(tmp_path, "src/hello.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "events/hello.json", '{"name": "world"}')
    write(tmp_path, "svl.yaml", """
        defaults:
          timeout: 5
        functions:
          hello:
            handler: src/hello.handler
            memory_mb: 256
            environment: {GREETING: hi, DEBUG: true, RETRIES: 3}
            description: Says hello
            event: events/hello.json
            architecture: arm64
          inline:
            handler: src/hello.handler
            timeout: 10
            event: {source: warmup}
    """)
    found = discover(tmp_path)
    assert found.problems == []
    hello, inline = found.functions
    assert hello.name == "hello" and hello.source == "svl.yaml"
    assert hello.code_dir == str((tmp_path / "src").resolve()) and hello.handler == "hello.handler"
    assert hello.runtime == "python3.12" and hello.timeout_s == 5 and hello.memory_mb == 256
    assert hello.environment == {"GREETING": "hi", "DEBUG": "true", "RETRIES": "3"}
    assert hello.default_event == {"name": "world"} and hello.architecture == "arm64"
    assert inline.timeout_s == 10 and inline.default_event == {"source": "warmup"}


def test_runtime_inferred_from_handler_file(tmp_path: Path) -> None:
    write(tmp_path, "index.mjs", "export const handler = async () => 1;\n")
    write(tmp_path, "svl.yaml", "functions:\n  js:\n    handler: index.handler\n")
    assert discover(tmp_path).functions[0].runtime.startswith("nodejs")


def test_svl_yaml_bad_field_names_file_line_and_field_and_keeps_others(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def handler(e, c):\n    return 1\n")
    write(tmp_path, "svl.yaml", """
        functions:
          good:
            handler: app.handler
          bad:
            handler: app.handler
            timeout: soon
          worse:
            handler: nodot
          huge:
            handler: app.handler
            memory_mb: 20000
    """)
    found = discover(tmp_path)
    assert [f.name for f in found.functions] == ["good"]
    by_field = {p.field: p for p in found.errors}
    timeout = by_field["functions.bad.timeout"]
    assert timeout.file == "svl.yaml" and timeout.line == 7 and "expected a number" in timeout.message
    assert "svl.yaml:7: functions.bad.timeout:" in str(timeout)
    assert by_field["functions.worse.handler"].line == 9
    assert "module.function" in by_field["functions.worse.handler"].message
    assert "out of range" in by_field["functions.huge.memory_mb"].message


def test_svl_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", "functions:\n  a:\n    handler: [unclosed\n")
    found = discover(tmp_path)
    assert found.functions == []
    assert found.errors[0].file == "svl.yaml" and found.errors[0].line == 3  # the last line, not past it
    assert "invalid YAML" in found.errors[0].message


def test_svl_yaml_unknown_key_warns(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", "functions:\n  a:\n    handler: app.handler\n    memory: 256\n")
    found = discover(tmp_path)
    assert len(found.functions) == 1
    assert found.problems[0].severity == "warning" and "memory" in found.problems[0].message


SAM_TEMPLATE = """
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Stage:
        Type: String
        Default: dev
      Memory:
        Type: Number
        Default: 512
    Globals:
      Function:
        Runtime: python3.11
        Timeout: 10
        Environment:
          Variables:
            STAGE: !Ref Stage
    Resources:
      OrdersTable:
        Type: AWS::DynamoDB::Table
      HelloFunction:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: hello_world/
          Handler: app.lambda_handler
          MemorySize: !Ref Memory
          Architectures: [arm64]
          Environment:
            Variables:
              TABLE: !Ref OrdersTable
              TABLE_ARN: !GetAtt OrdersTable.Arn
              URL: !Sub "https://${AWS::Region}.example.com/${Stage}"
          Events:
            Api:
              Type: Api
              Properties: {Path: /hello, Method: get}
      NodeFunction:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: node_fn
          Handler: index.handler
          Runtime: nodejs20.x
          Timeout: 3
      ImageFunction:
        Type: AWS::Serverless::Function
        Properties:
          PackageType: Image
"""


def test_sam_template_with_globals_and_intrinsic_tags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    write(tmp_path, "template.yaml", SAM_TEMPLATE)
    found = discover(tmp_path)
    assert [p.severity for p in found.problems] == ["warning"]  # the image function is skipped, and says so
    hello, node = found.functions
    assert hello.name == "HelloFunction" and hello.source == "template.yaml"
    assert hello.code_dir == str((tmp_path / "hello_world").resolve()) and hello.handler == "app.lambda_handler"
    assert hello.runtime == "python3.11" and hello.timeout_s == 10 and hello.memory_mb == 512
    assert hello.architecture == "arm64"
    assert hello.environment["STAGE"] == "dev"
    assert hello.environment["TABLE"] == "<Ref OrdersTable>"
    assert hello.environment["TABLE_ARN"] == "<Fn::GetAtt OrdersTable.Arn>"
    assert hello.environment["URL"] == "https://eu-central-1.example.com/dev"
    assert node.runtime == "nodejs20.x" and node.timeout_s == 3


def test_sam_template_yml_and_broken_property(tmp_path: Path) -> None:
    write(tmp_path, "template.yml", """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: java21
    """)
    found = discover(tmp_path)
    assert found.functions == []
    problem = found.errors[0]
    assert (problem.file, problem.line, problem.field) == ("template.yml", 7, "Resources.Fn.Properties.Runtime")
    assert "unsupported runtime 'java21'" in problem.message


def test_sam_without_resources(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n")
    assert "Resources" in discover(tmp_path).errors[0].message


def test_serverless_yml_with_provider_defaults_and_variables(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVL_TEST_SECRET", "from-env")
    write(tmp_path, "serverless.yml", """
        service: orders
        provider:
          name: aws
          runtime: python3.12
          stage: ${opt:stage, 'dev'}
          region: eu-west-1
          timeout: 6
          memorySize: 1024
          environment:
            SERVICE: ${self:service}
            STAGE: ${sls:stage}
            SECRET: ${env:SVL_TEST_SECRET}
            MISSING: ${env:SVL_NOT_SET_ANYWHERE, 'fallback'}
        functions:
          create:
            handler: src/handlers/create.main
            timeout: 12
            environment:
              TABLE: orders-${sls:stage}
          list:
            handler: src/handlers/list.main
            runtime: nodejs20.x
            memorySize: 256
    """)
    found = discover(tmp_path)
    assert found.problems == []
    create, listing = found.functions
    # The service folder is the code root (/var/task) and the handler string stays whole, as deployed.
    assert create.source == "serverless.yml" and create.handler == "src/handlers/create.main"
    assert create.code_dir == str(tmp_path.resolve())
    assert create.timeout_s == 12 and create.memory_mb == 1024 and create.region == "eu-west-1"
    assert create.environment == {"SERVICE": "orders", "STAGE": "dev", "SECRET": "from-env",
                                  "MISSING": "fallback", "TABLE": "orders-dev"}
    assert listing.runtime == "nodejs20.x" and listing.memory_mb == 256 and listing.timeout_s == 6


def test_serverless_yml_bad_memory(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml", "functions:\n  f:\n    handler: a.b\n    memorySize: lots\n")
    problem = discover(tmp_path).errors[0]
    assert problem.line == 4 and problem.field == "functions.f.memorySize"


def test_order_and_duplicates_first_definition_wins(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", "functions:\n  shared:\n    handler: a.handler\n    timeout: 7\n")
    write(tmp_path, "serverless.yml", "functions:\n  shared:\n    handler: b.handler\n  other:\n    handler: c.h\n")
    found = discover(tmp_path)
    assert [(f.name, f.source) for f in found.functions] == [("shared", "svl.yaml"), ("other", "serverless.yml")]
    assert found.functions[0].timeout_s == 7
    assert any(p.severity == "warning" and "already defined" in p.message for p in found.problems)


def test_a_broken_file_does_not_hide_the_others(tmp_path: Path) -> None:
    write(tmp_path, "svl.yaml", "functions: [oops\n")
    write(tmp_path, "serverless.yml", "functions:\n  ok:\n    handler: app.handler\n")
    found = discover(tmp_path)
    assert [f.name for f in found.functions] == ["ok"]
    assert found.errors[0].file == "svl.yaml"


def test_azure_function_json_folders(tmp_path: Path) -> None:
    write(tmp_path, "host.json", json.dumps({"version": "2.0", "functionTimeout": "00:00:45"}))
    write(tmp_path, "local.settings.json", json.dumps({"Values": {"FUNCTIONS_WORKER_RUNTIME": "node", "K": "v"}}))
    write(tmp_path, "HttpHello/index.js", "module.exports = async function (context, req) {};\n")
    write(tmp_path, "HttpHello/function.json", json.dumps({"bindings": [
        {"authLevel": "anonymous", "type": "httpTrigger", "direction": "in", "name": "req", "methods": ["get", "post"]},
        {"type": "http", "direction": "out", "name": "res"}]}))
    write(tmp_path, "PyHello/__init__.py", "def main(req):\n    return 'hi'\n")
    write(tmp_path, "PyHello/function.json", json.dumps({"scriptFile": "__init__.py", "bindings": [
        {"type": "httpTrigger", "direction": "in", "name": "req"}]}))
    write(tmp_path, "Timer/function.json", json.dumps({"bindings": [
        {"type": "timerTrigger", "name": "t", "direction": "in", "schedule": "0 */5 * * * *"}]}))
    write(tmp_path, "Timer/index.js", "module.exports = async function (context, t) {};\n")
    write(tmp_path, "NoScript/function.json", json.dumps({"bindings": [{"type": "queueTrigger", "name": "m"}]}))
    write(tmp_path, "Broken/function.json", "{not json")
    found = discover(tmp_path)
    by_name = {f.name: f for f in found.functions}
    node, python = by_name["HttpHello"], by_name["PyHello"]
    assert node.style == "azure" and node.runtime.startswith("nodejs") and node.handler == "index.js"
    assert node.timeout_s == 45 and node.environment["K"] == "v"
    assert python.runtime.startswith("python") and python.handler == "PyHello.main"
    assert python.code_dir == str(tmp_path)
    timer = by_name["Timer"]
    assert timer.description == "Azure timer function (0 */5 * * * *)"
    assert timer.azure_bindings[0]["type"] == "timerTrigger"
    severities = {p.file.split("/")[0]: p.severity for p in found.problems}
    assert severities == {"NoScript": "error", "Broken": "error"}


def test_empty_folder_falls_back_to_the_example_only_when_no_project_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fallback = discover_or_example(None)
    assert fallback.example and fallback.project == example_project().resolve()
    assert len(fallback.functions) >= 9
    explicit = discover_or_example(tmp_path)
    assert not explicit.example and explicit.functions == []


def test_suggestions_for_a_mistyped_name() -> None:
    found = discover(example_project())
    assert found.suggestions("orders-apj")[0] == "orders-api"
    assert "sqs-consumer" in found.suggestions("SQS")


def test_bundled_example_project_loads_cleanly() -> None:
    found = discover(example_project())
    assert found.problems == []
    names = {f.name for f in found.functions}
    assert {"orders-api", "sqs-consumer", "kinesis-consumer", "sns-notifier", "cached-client", "warmup-aware",
            "structured-logs", "always-fails", "too-slow"} <= names
