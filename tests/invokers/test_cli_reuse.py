"""The console script's own reading of a plain ``svl-tui invoke`` agrees with the CLI's parser, or declines."""

from __future__ import annotations

import argparse

import pytest

from invokers import cli
from invokers.cli_reuse import FLAGS, VALUED, plain_invoke

FIELDS = ("function", "project", "event", "data", "saved", "json", "quiet")


@pytest.mark.parametrize("argv", [
    ["invoke", "fn"],
    ["invoke", "fn", "-q"],
    ["invoke", "--json", "fn"],
    ["invoke", "fn", "--data", '{"a": 1}'],
    ["invoke", "fn", '--data={"a": 1}'],
    ["invoke", "fn", "-e", "event.json", "--quiet"],
    ["invoke", "fn", "--event", "-"],
    ["invoke", "fn", "--saved", "mine", "--project", "/some/where"],
    ["invoke", "--project=/p", "fn", "-d", "[]", "--json", "-q"],
    ["invoke", "fn", "-s", "mine"],
    ["invoke", "fn", "--data", "-1"],
])
def test_what_it_reads_is_what_argparse_reads(argv: list[str]) -> None:
    asked = plain_invoke(argv)
    args = cli.parse(argv)
    assert asked == {name: getattr(args, name) for name in FIELDS}


@pytest.mark.parametrize("argv", [
    [], ["invoke"], ["list"], ["invoke", "-h"], ["--project", "p", "invoke", "fn"],
    ["invoke", "fn", "--remote"], ["invoke", "fn", "--repeat", "3"], ["invoke", "fn", "--mock-aws"],
    ["invoke", "fn", "--stage", "prod"], ["invoke", "fn", "-qd", "{}"], ["invoke", "fn", "other"],
    ["invoke", "fn", "--data", "{}", "--event", "e.json"], ["invoke", "fn", "--data"], ["invoke", "fn", "--json=1"],
    ["invoke", "fn", "--data", "--json"], ["invoke", "fn", "-q", "-q", "--saved", "a", "--saved", "b"],
    ["invoke", "fn", "--proj", "p"],
])
def test_anything_else_goes_the_ordinary_way(argv: list[str]) -> None:
    assert plain_invoke(argv) is None


def test_every_option_it_reads_is_the_cli_invoke_option_of_that_name() -> None:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    invoke = commands.choices["invoke"]
    options = {option: action for action in invoke._actions for option in action.option_strings}
    for option, field in {**VALUED, **FLAGS}.items():
        assert options[option].dest == field, option
        assert (options[option].nargs == 0) == (option in FLAGS), option
