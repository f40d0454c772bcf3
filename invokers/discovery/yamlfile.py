"""YAML loading for config files: safe, CloudFormation-tag aware, with line numbers.

A config error is only useful if it says where: ``template.yaml:14:
Resources.Hello.Properties.Timeout: expected a number``. We keep the composed
node tree beside the data so any field's line can be looked up after loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_NODES = 100_000
"""Nodes a config may expand to once aliases are followed: real templates have a few thousand;
a "billion laughs" alias bomb has 10^9 and would take minutes and gigabytes to walk."""


@dataclass
class Problem:
    """One thing wrong in a config file: where, which field, what to do."""

    file: str
    line: int | None
    field: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class _Loader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation's short tags (``!Ref``, ``!GetAtt``, ``!Sub`` ...)."""


def _cfn_tag(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", _cfn_tag)


class YamlDocument:
    """Loaded data plus the node tree, for ``line_of(path)``."""

    def __init__(self, path: Path, data: Any, node: yaml.Node | None) -> None:
        self.path = path
        self.data = data
        self.node = node

    def line_of(self, *keys: str | int) -> int | None:
        """1-based line of the deepest node along ``keys`` that exists."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for key in keys:
            child = _child(node, key)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def problem(self, message: str, *keys: str | int, severity: str = "error") -> Problem:
        return Problem(self.path.name, self.line_of(*keys), ".".join(str(k) for k in keys), message, severity)


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def load(path: Path) -> YamlDocument:
    """Load one YAML file; raises ``ConfigFileError`` with the line of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(Problem(path.name, None, "", f"cannot read the file: {exc}")) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and expanded_size(node, MAX_NODES) > MAX_NODES:
            raise ConfigFileError(Problem(path.name, None, "", (
                f"refused: its aliases (*name) expand to more than {MAX_NODES:,} values, as an alias bomb "
                "('billion laughs') does. Repeat less through anchors, or write the values out.")))
        data = loader.construct_document(node) if node is not None else None
    except RecursionError as exc:
        raise ConfigFileError(Problem(path.name, None, "", "refused: nested too deeply to read")) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # At the end of the file the mark sits on the line after the last one: point at a line that exists.
        line = min(mark.line + 1, max(1, len(text.splitlines()))) if mark else None
        detail = exc.problem or exc.context or "invalid YAML"
        if "<stream end>" in detail:
            detail += " (the file ends in the middle of a value: an unclosed bracket or quote?)"
        raise ConfigFileError(Problem(path.name, line, "", f"invalid YAML: {detail}")) from exc
    except yaml.YAMLError as exc:
        raise ConfigFileError(Problem(path.name, None, "", f"invalid YAML: {exc}")) from exc
    finally:
        loader.dispose()
    return YamlDocument(path, data, node)


def expanded_size(root: yaml.Node, limit: int) -> int:
    """How many nodes ``root`` stands for with every alias followed, counted up to just past ``limit``.

    Aliases make the node tree a graph that shares subtrees, so the count is
    taken once per distinct node (memoised), in time linear in the file, not
    in the expansion. A value that contains itself (``&a [*a]``) never ends: past any limit.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = min(total, limit + 1)
            open_nodes.discard(id(node))
            continue
        if id(node) in open_nodes:
            return limit + 1  # reached again while its own children are being counted: a cycle
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class ConfigFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
