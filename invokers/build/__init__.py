"""Code forms turned into a plain code folder: esbuild output, extracted zips, inline code, layer ARNs.

Discovery decides what a function's code folder is and registers a *recipe*
for folders that svl-tui produces itself (under the cache: ``build/<key>/out``
with ``build/<key>/recipe.json`` beside it, never inside, so a handler sees
only its code). Before a worker starts, ``prepare`` brings that folder up to
date (rebuild when a source changed, re-extract a changed zip). The runtime
side then sees an ordinary ``code_dir`` and handler string: no special case.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import cache
from ..models import FunctionSpec

RECIPE = "recipe.json"
STAMP = "built.json"


class BuildFailed(Exception):
    """The code could not be built; ``file``/``line`` say where, like a syntax error."""

    def __init__(self, message: str, file: str = "", line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column

    @property
    def stack(self) -> list[str]:
        """A frame in Python's shape, which the reload report already reads file and line from."""
        if not self.file:
            return []
        where = f'  File "{self.file}", line {self.line or 0}'
        return [where + (f", column {self.column}" if self.column else "")]


@dataclass
class Recipe:
    """How a generated folder is produced: ``esbuild`` (source = the code root), ``zip``, ``layer`` (an ARN)."""

    kind: str
    source: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        text = json.dumps([self.kind, self.source, self.options], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def root() -> Path:
    """Where generated folders live (svl-tui's cache, never the project)."""
    return cache.path("build")


def register(recipe: Recipe) -> Path:
    """The output folder for ``recipe``, with the recipe written beside it (atomically, only when new)."""
    home = root() / recipe.kind / recipe.key
    target = home / RECIPE
    if not target.is_file():
        home.mkdir(parents=True, exist_ok=True)
        write_json(target, asdict(recipe))
    return home / "out"


def recipe_for(folder: str | Path) -> Recipe | None:
    """The recipe of a generated folder (or of a folder inside one), None for the user's own folders."""
    path = Path(folder)
    base = root()
    if not path.is_relative_to(base):
        return None
    parts = path.relative_to(base).parts
    if len(parts) < 3 or parts[2] != "out":
        return None
    try:
        data = json.loads((base / parts[0] / parts[1] / RECIPE).read_text(encoding="utf-8"))
        return Recipe(data["kind"], data["source"], data.get("options") or {})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def out_dir(folder: str | Path) -> Path | None:
    """``.../build/<kind>/<key>/out`` for a generated folder or a folder inside it."""
    path = Path(folder)
    base = root()
    if not path.is_relative_to(base):
        return None
    parts = path.relative_to(base).parts
    return base / parts[0] / parts[1] / "out" if len(parts) >= 3 and parts[2] == "out" else None


def is_generated(folder: str | Path) -> bool:
    """Whether ``folder`` is one of ours; asked on every invoke, so the answer is kept per folder and per
    value of the variables that place the cache folder."""
    return _under_root(str(folder), os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME"),
                       os.environ.get("LOCALAPPDATA"))


@functools.lru_cache(maxsize=256)
def _under_root(folder: str, *_where: str | None) -> bool:
    return Path(folder).is_relative_to(root())


def write_json(path: Path, data: Any) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temp, path)


def prepare(spec: FunctionSpec) -> None:
    """Make ``spec.code_dir`` current: build or extract it when its sources changed. Raises BuildFailed."""
    out = out_dir(spec.code_dir)
    recipe = recipe_for(spec.code_dir)
    if out is None or recipe is None:
        return
    if recipe.kind == "esbuild":
        from . import esbuild

        esbuild.ensure(recipe, out)
    elif recipe.kind == "zip":
        from . import archive

        archive.ensure(Path(recipe.source), out)


async def prepare_async(spec: FunctionSpec) -> None:
    """``prepare`` off the event loop (a build takes tens of milliseconds)."""
    if is_generated(spec.code_dir):
        await asyncio.to_thread(prepare, spec)


def missing_layers(spec: FunctionSpec) -> list[str]:
    """Layers the function needs that are not on this machine (ARNs not downloaded yet, folders gone)."""
    missing = []
    for layer in spec.layers:
        if Path(layer).is_dir():
            continue
        recipe = recipe_for(layer)
        missing.append(recipe.source if recipe is not None and recipe.kind == "layer" else layer)
    return missing


def sources_of(spec: FunctionSpec) -> tuple[Path | None, set[str]]:
    """The user's folder a generated code folder is built from (esbuild) and the zip it comes from."""
    recipe = recipe_for(spec.code_dir)
    if recipe is None:
        return None, set()
    if recipe.kind == "esbuild":
        return Path(recipe.source), set()
    if recipe.kind == "zip":
        return None, {recipe.source}
    return None, set()
