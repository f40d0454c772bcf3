"""Parameters and environment as SAM and the Serverless Framework take them (issue 10, point 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from invokers.cli import main
from invokers.discovery import discover
from invokers.discovery.settings import Settings, parse_overrides
from tests.files import write

TEMPLATE = """
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Stage: {Type: String, Default: dev}
      TableName: {Type: String}
      DbUrl:
        Type: AWS::SSM::Parameter::Value<String>
        Default: /app/db-url
    Resources:
      Hello:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: python3.12
          Environment:
            Variables:
              STAGE: !Ref Stage
              TABLE: !Ref TableName
              DB_URL: !Ref DbUrl
              API_KEY: '{{resolve:ssm:/app/api-key:3}}'
              GREETING: !Sub 'hello-${Stage}'
"""


def sam_project(tmp_path: Path) -> Path:
    write(tmp_path, "src/app.py", "import os\ndef handler(e, c):\n    return dict(os.environ)\n")
    write(tmp_path, "template.yaml", TEMPLATE)
    return tmp_path


def test_parse_overrides_takes_both_sam_syntaxes_and_quotes() -> None:
    assert parse_overrides('Stage=prod Name="a b" ParameterKey=Table,ParameterValue=t1') == {
        "Stage": "prod", "Name": "a b", "Table": "t1"}
    assert parse_overrides(["A=1", "B=two"]) == {"A": "1", "B": "two"}
    with pytest.raises(ValueError, match="'oops' is not Key=Value"):
        parse_overrides("A=1 oops")


def test_defaults_placeholders_and_warnings_never_the_parameter_name(tmp_path: Path) -> None:
    found = discover(sam_project(tmp_path))
    env = found.functions[0].environment
    assert env["STAGE"] == "dev" and env["GREETING"] == "hello-dev"
    assert env["DB_URL"] == "<ssm:/app/db-url>"  # not "/app/db-url" passed off as the URL
    assert env["API_KEY"] == "<ssm:/app/api-key:3>"
    assert env["TABLE"] == "<Ref TableName>"
    messages = [str(p) for p in found.problems]
    assert any("TableName has no Default and no override" in m and "--parameter-overrides TableName=" in m
               for m in messages)
    assert any("DbUrl is an SSM parameter" in m for m in messages)
    assert any("<ssm:/app/api-key:3> is stored in AWS" in m for m in messages)
    assert all(p.severity == "warning" for p in found.problems)


def test_samconfig_then_command_line_overrides(tmp_path: Path) -> None:
    sam_project(tmp_path)
    write(tmp_path, "samconfig.toml", """
        version = 0.1
        [default.deploy.parameters]
        parameter_overrides = "Stage=\\"staging\\" TableName=orders"
    """)
    env = discover(tmp_path).functions[0].environment
    assert (env["STAGE"], env["TABLE"], env["GREETING"]) == ("staging", "orders", "hello-staging")
    found = discover(tmp_path, Settings(parameter_overrides={"Stage": "prod", "DbUrl": "postgres://x"}))
    env = found.functions[0].environment
    assert (env["STAGE"], env["TABLE"], env["DB_URL"]) == ("prod", "orders", "postgres://x")
    assert not any("TableName" in str(p) or "DbUrl" in str(p) for p in found.problems)


def test_env_vars_file_in_sams_format(tmp_path: Path) -> None:
    sam_project(tmp_path)
    env_file = write(tmp_path, "env.json", json.dumps({
        "Parameters": {"STAGE": "from-parameters", "TABLE": "shared"},
        "Hello": {"TABLE": "own", "UNDECLARED": "x"},
        "Nobody": {"A": "b"},
    }))
    found = discover(tmp_path, Settings(env_vars=str(env_file)))
    env = found.functions[0].environment
    assert env["STAGE"] == "from-parameters" and env["TABLE"] == "own"  # the function's own key wins
    assert "UNDECLARED" not in env
    messages = [str(p) for p in found.problems]
    assert any("UNDECLARED is not declared in Hello's Environment" in m for m in messages)
    assert any("no function named 'Nobody'" in m for m in messages)


def test_env_vars_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    sam_project(tmp_path)
    bad = write(tmp_path, "env.json", '{"Hello": {"A": 1,}}')
    problem = next(p for p in discover(tmp_path, Settings(env_vars=str(bad))).problems if p.severity == "error")
    assert problem.file == str(bad) and problem.line == 1 and "invalid JSON" in problem.message
    missing = discover(tmp_path, Settings(env_vars=str(tmp_path / "nope.json"))).errors
    assert "cannot read the env-vars file" in missing[0].message


def test_cli_flags_reach_the_function(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sam_project(tmp_path)
    env_file = write(tmp_path, "env.json", json.dumps({"Hello": {"GREETING": "from-file"}}))
    code = main(["invoke", "Hello", "--project", str(tmp_path), "--no-aws", "--quiet",
                 "--parameter-overrides", "TableName=cli-table", "--env-vars", str(env_file)])
    assert code == 0
    env = json.loads(capsys.readouterr().out)
    assert env["TABLE"] == "cli-table" and env["GREETING"] == "from-file"


SERVERLESS = """
    service: shop
    custom:
      tableName: ${self:service}-${sls:stage}-items
      retries: ${self:custom.missing, 3}
      shared: ${file(./config/${opt:stage, self:provider.stage}.yml)}
    provider:
      name: aws
      runtime: python3.12
      stage: ${opt:stage, 'qa'}
      environment:
        STAGE: ${opt:stage, self:provider.stage}
        TABLE: ${self:custom.tableName}
        RETRIES: ${self:custom.retries}
        COLOUR: ${self:custom.colour, 'blue'}
        REGION: ${opt:region, self:provider.region, 'eu-west-1'}
        DB: ${ssm:/shop/db}
        BUCKET: ${cf:storage-${sls:stage}.BucketName}
        FROM_FILE: ${file(./config/${sls:stage}.yml):endpoint}
    functions:
      list:
        handler: handler.list
      slow:
        handler: handler.list
        timeout: 20
        memorySize: 512
"""


def test_serverless_defaults_fallbacks_files_and_placeholders(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def list(e, c):\n    return []\n")
    write(tmp_path, "config/qa.yml", "endpoint: https://qa.example\n")
    write(tmp_path, "config/prod.yml", "endpoint: https://prod.example\n")
    write(tmp_path, "serverless.yml", SERVERLESS)
    found = discover(tmp_path)
    listed, slow = found.functions
    assert (listed.timeout_s, listed.memory_mb) == (6, 1024)  # the framework's defaults
    assert (slow.timeout_s, slow.memory_mb) == (20, 512)
    assert listed.environment == {
        "STAGE": "qa", "TABLE": "shop-qa-items", "RETRIES": "3", "COLOUR": "blue", "REGION": "eu-west-1",
        "DB": "<ssm:/shop/db>", "BUCKET": "<cf:storage-qa.BucketName>", "FROM_FILE": "https://qa.example"}
    messages = [str(p) for p in found.problems]
    assert any("<ssm:/shop/db>" in m and "stored in AWS" in m for m in messages)
    assert any("<cf:storage-qa.BucketName>" in m for m in messages)
    prod = discover(tmp_path, Settings(stage="prod")).functions[0].environment
    assert (prod["STAGE"], prod["TABLE"], prod["FROM_FILE"]) == ("prod", "shop-prod-items", "https://prod.example")


def test_serverless_stage_defaults_to_dev_and_unknown_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def list(e, c):\n    return []\n")
    write(tmp_path, "serverless.yml", """
        service: s
        provider: {name: aws, runtime: python3.12}
        functions:
          f:
            handler: handler.list
            environment:
              STAGE: ${opt:stage, self:provider.stage}
              CONF: ${file(./missing.yml):x, 'fallback'}
    """)
    found = discover(tmp_path)
    assert found.functions[0].environment == {"STAGE": "dev", "CONF": "fallback"}
    assert any("missing.yml" in str(p) for p in found.problems)


def test_serverless_stage_that_refers_to_itself_is_dev(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "def list(e, c):\n    return []\n")
    write(tmp_path, "serverless.yml", """
        service: s
        provider: {name: aws, runtime: python3.12, stage: '${opt:stage}'}
        functions:
          f:
            handler: handler.list
            environment: {STAGE: '${opt:stage}', ALSO: '${self:provider.stage}-x'}
    """)
    assert discover(tmp_path).functions[0].environment == {"STAGE": "dev", "ALSO": "dev-x"}
    assert discover(tmp_path, Settings(stage="prod")).functions[0].environment == {"STAGE": "prod", "ALSO": "prod-x"}


def test_resolve_from_aws_with_moto(tmp_path: Path, fake_aws_env: None) -> None:
    from moto import mock_aws

    from invokers.aws.session import Aws
    from invokers.discovery.placeholders import resolve

    sam_project(tmp_path)
    with mock_aws():
        import boto3

        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="/app/db-url", Value="postgres://db", Type="String")
        found = discover(tmp_path, Settings(parameter_overrides={"TableName": "t"}))
        problems = resolve(found, Aws())
    env = found.functions[0].environment
    assert env["DB_URL"] == "postgres://db"
    assert env["API_KEY"] == "<ssm:/app/api-key:3>"  # not in AWS: stays visible, and says why
    assert len(problems) == 1 and problems[0].field == "<ssm:/app/api-key:3>"


def test_values_read_from_aws_survive_a_re_read_without_asking_aws_again(tmp_path: Path, fake_aws_env: None) -> None:
    from moto import mock_aws

    from invokers.aws.session import Aws
    from invokers.discovery.placeholders import resolve

    sam_project(tmp_path)
    with mock_aws():
        import boto3

        boto3.client("ssm", region_name="us-east-1").put_parameter(Name="/app/db-url", Value="postgres://db",
                                                                  Type="String")
        found = discover(tmp_path, Settings(parameter_overrides={"TableName": "t"}))
        resolve(found, Aws())
    assert found.settings.aws_values == {"<ssm:/app/db-url>": "postgres://db"}
    again = discover(tmp_path, found.settings)  # a save: read again, AWS out of reach (fake credentials)
    env = again.functions[0].environment
    assert env["DB_URL"] == "postgres://db" and env["API_KEY"] == "<ssm:/app/api-key:3>"
    messages = [str(p) for p in again.problems]
    assert not any("DbUrl is an SSM parameter" in m for m in messages)  # answered: no longer warned about
    assert any("<ssm:/app/api-key:3> is stored in AWS" in m for m in messages)
