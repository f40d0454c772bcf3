"""Shared fixtures: write a handler into a temp folder, get a spec and an engine for it."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.models import FunctionSpec

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "demo"

MakeFunction = Callable[..., FunctionSpec]


@pytest.fixture
def make_function(tmp_path: Path) -> MakeFunction:
    """Write ``code`` as ``<module>.py`` (or .js/.mjs) and return a FunctionSpec for it."""

    def make(code: str, *, name: str = "fn", module: str = "app", ext: str = ".py", handler: str = "handler",
             runtime: str | None = None, **settings: object) -> FunctionSpec:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        (folder / f"{module}{ext}").write_text(textwrap.dedent(code))
        default_runtime = "python3.12" if ext == ".py" else "nodejs20.x"
        return FunctionSpec(name=name, source="svl.yaml", runtime=runtime or default_runtime,
                            handler=f"{module}.{handler}", code_dir=str(folder), **settings)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    async with Engine() as the_engine:
        yield the_engine
