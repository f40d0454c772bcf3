"""Shared fixtures: write a handler into a temp folder, get a spec and an engine for it."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from invokers.engine import Engine
from invokers.models import FunctionSpec
from tests.state import Isolation

pytest_plugins = ["tests.azure_setup"]  # the real Azure Functions packages, installed once

_isolation: Isolation | None = None


def pytest_configure(config: pytest.Config) -> None:
    """svl-tui's config and caches go to a temporary folder for the whole session (see tests/state.py)."""
    global _isolation
    _isolation = Isolation()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _isolation is not None:
        _isolation.end()

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


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and no user AWS config: nothing in a test may reach a real account."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
