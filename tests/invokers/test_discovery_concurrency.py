"""Reserved and provisioned concurrency read from SAM templates and serverless.yml."""

from __future__ import annotations

import textwrap
from pathlib import Path

from invokers.discovery import discover


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text))


def test_sam_reserved_and_provisioned_concurrency_with_globals(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", """
        Globals:
          Function:
            ReservedConcurrentExecutions: 5
        Resources:
          Limited:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              AutoPublishAlias: live
              ProvisionedConcurrencyConfig:
                ProvisionedConcurrentExecutions: 2
          Open:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              ReservedConcurrentExecutions: 0
    """)
    found = discover(tmp_path)
    assert found.problems == []
    limited, open_ = found.functions
    assert (limited.reserved_concurrency, limited.provisioned_concurrency) == (5, 2)
    assert (open_.reserved_concurrency, open_.provisioned_concurrency) == (0, 0)


def test_serverless_reserved_and_provisioned_concurrency(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml", """
        provider: {name: aws, runtime: nodejs20.x}
        functions:
          hello:
            handler: handler.hello
            reservedConcurrency: 3
            provisionedConcurrency: 1
          plain:
            handler: handler.plain
    """)
    hello, plain = discover(tmp_path).functions
    assert (hello.reserved_concurrency, hello.provisioned_concurrency) == (3, 1)
    assert (plain.reserved_concurrency, plain.provisioned_concurrency) == (None, 0)


def test_a_bad_concurrency_names_the_field(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml", "functions:\n  f:\n    handler: a.b\n    reservedConcurrency: many\n")
    problem = discover(tmp_path).errors[0]
    assert (problem.line, problem.field) == (4, "functions.f.reservedConcurrency")
