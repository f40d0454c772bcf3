"""An import-linter contract type: what a module costs at *import time*.

import-linter's own contracts see every ``import`` statement, including the
ones inside functions, so they cannot tell "``invokers.aws.session`` imports
boto3 when a deployed function is first used" (fine: the headless path stays
lean) from "importing ``invokers.cli`` pulls in boto3" (a slower ``svl-tui
invoke`` for everybody). This contract follows only the imports that run when a
module is imported — module-level statements and class bodies, not function
bodies and not ``if TYPE_CHECKING:`` blocks — from each source module through
our own packages, and fails on any chain that reaches a forbidden package.

Configured in pyproject.toml (``[[tool.importlinter.contracts]]`` with
``type = "import_time"``) and run by ``lint-imports`` in ``.ci/run``.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _eager_imports(tree: ast.Module, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """(imported module, line) for the imports that run when ``module`` is imported."""
    package = module if is_package else module.rpartition(".")[0]

    def walk(body: list[ast.stmt]) -> Iterator[tuple[str, int]]:
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parent = ".".join(parts[:len(parts) - node.level + 1])
                    base = f"{parent}.{base}" if base else parent
                yield base, node.lineno
                for alias in node.names:  # ``from . import engine`` imports a submodule
                    yield f"{base}.{alias.name}", node.lineno
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                    yield from walk(node.body)
                yield from walk(node.orelse)
            elif isinstance(node, ast.Try):
                for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                    yield from walk(part)
            elif isinstance(node, (ast.With, ast.ClassDef)):
                yield from walk(node.body)

    yield from walk(tree.body)


class ImportTimeContract(Contract):
    """Source modules must not load any forbidden package while they are being imported."""

    source_modules = fields.ListField(subfield=fields.ModuleField())
    forbidden_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        ours = set(graph.modules)
        forbidden = tuple(str(m) for m in self.forbidden_modules)
        broken: list[list[str]] = []
        for source in (str(m.name) for m in self.source_modules):
            came_from: dict[str, tuple[str, int] | None] = {source: None}
            queue = deque([source])
            while queue:
                module = queue.popleft()
                path = self._path(module)
                if path is None:
                    continue
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
                for imported, line in _eager_imports(tree, module, path.name == "__init__.py"):
                    if imported.split(".")[0] in forbidden or imported in forbidden:
                        broken.append(self._chain(came_from, module) + [f"{module} -> {imported} (l. {line})"])
                    elif imported in ours and imported not in came_from:
                        came_from[imported] = (module, line)
                        queue.append(imported)
        return ContractCheck(kept=not broken, metadata={"chains": broken})

    @staticmethod
    def _path(module: str) -> Path | None:
        base = Path.cwd().joinpath(*module.split("."))
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None

    @staticmethod
    def _chain(came_from: dict[str, tuple[str, int] | None], module: str) -> list[str]:
        steps: list[str] = []
        step = came_from[module]
        while step is not None:
            importer, line = step
            steps.append(f"{importer} -> {module} (l. {line})")
            module, step = importer, came_from[importer]
        return steps[::-1]

    def render_broken_contract(self, check: ContractCheck) -> None:
        for chain in check.metadata["chains"]:
            output.print_error("Loaded at import time:")
            output.new_line()
            for step in chain:
                output.indent_cursor()
                output.print_error(step, bold=False)
            output.new_line()
