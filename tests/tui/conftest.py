"""Build the real app on a real project for pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from invokers.discovery import discover, example_project
from tui.app import SvlApp


@pytest.fixture
def example_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SvlApp:
    """The app on the bundled example, with config and saved events kept out of the user's home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    found = discover(example_project())
    found.example = True
    app = SvlApp(found)
    return app


@pytest.fixture
def project_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An app over a small project written into tmp_path: (app, project folder)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def make(files: dict[str, str]) -> tuple[SvlApp, Path]:
        root = tmp_path / "project"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return SvlApp(discover(root)), root

    return make
