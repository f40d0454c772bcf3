"""Hostile configuration: YAML alias bombs and self-referencing values are refused quickly, in little memory."""

from __future__ import annotations

import textwrap
import tracemalloc
from pathlib import Path

import pytest

from invokers.discovery import discover
from tui.bindings import load_keymap

LEVELS = 9  # 10^9 values once expanded: minutes and gigabytes for anything that walks them


def bomb(key: str = "a") -> str:
    """A 'billion laughs': each level lists the previous one ten times."""
    lines = ['l0: &l0 "lol"']
    for level in range(1, LEVELS + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    lines.append(f"{key}: *l{LEVELS}")
    return "\n".join(lines) + "\n"


CASES = {
    "svl.yaml": bomb("x") + "functions:\n  f:\n    handler: app.handler\n    environment: {A: 1}\n    event: *l9\n",
    "template.yaml": bomb("Mappings") + textwrap.dedent("""\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.handler, Runtime: python3.12, Tags: *l9}
    """),
    "serverless.yml": bomb("custom") + textwrap.dedent("""\
        service: s
        provider: {name: aws, runtime: python3.12}
        functions:
          f: {handler: app.handler, environment: *l9}
    """),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_alias_bomb_is_refused_with_a_clear_message_in_little_memory(tmp_path: Path, name: str) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return 1\n")
    (tmp_path / name).write_text(CASES[name])
    tracemalloc.start()
    try:
        found = discover(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found.functions == []
    [problem] = found.errors
    assert problem.file == name and "alias bomb" in problem.message and "100,000" in problem.message
    assert peak < 50 * 1024 * 1024


def test_a_value_that_contains_itself_is_refused(tmp_path: Path) -> None:
    (tmp_path / "svl.yaml").write_text("functions:\n  f:\n    handler: app.handler\n    event: &me {again: *me}\n")
    [problem] = discover(tmp_path).errors
    assert "alias bomb" in problem.message


def test_ordinary_anchors_still_work(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return 1\n")
    (tmp_path / "svl.yaml").write_text(textwrap.dedent("""\
        common: &common {handler: app.handler, timeout: 7, environment: {STAGE: dev}}
        functions:
          one: *common
          two: {<<: *common, timeout: 9}
    """))
    found = discover(tmp_path)
    assert found.problems == []
    assert [(f.name, f.timeout_s, f.environment) for f in found.functions] == [
        ("one", 7, {"STAGE": "dev"}), ("two", 9, {"STAGE": "dev"})]


def test_the_ui_key_config_refuses_a_bomb_too(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(bomb("keys"))
    keys, problems = load_keymap(config)
    assert keys == {} and len(problems) == 1 and "alias bomb" in problems[0]
