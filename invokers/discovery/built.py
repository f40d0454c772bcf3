"""``sam build`` output: ``.aws-sam/build/template.yaml`` is what ``sam local`` runs, so it is what we run.

Its CodeUris point at the built artifacts (dependencies installed, TypeScript
compiled). Running it is said plainly, and a warning says when the sources
changed after the build, because then the code that runs is not the code on
screen.
"""

from __future__ import annotations

import os
from pathlib import Path

from .yamlfile import Problem

BUILD_DIR = Path(".aws-sam") / "build"
SKIPPED = {".aws-sam", ".git", "node_modules", ".venv", "venv", "__pycache__", ".svl", ".serverless",
           ".mypy_cache", ".pytest_cache", ".ruff_cache", "dist", "cdk.out"}
SOURCE_SUFFIXES = {".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".rs", ".java", ".rb"}
SOURCE_NAMES = {"template.yaml", "template.yml", "requirements.txt", "package.json", "package-lock.json"}
SCAN_LIMIT = 5000  # files looked at for the staleness check; a huge tree is not walked to the end


def built_template(root: Path, template: Path) -> tuple[Path, list[Problem]]:
    """The template to read and the notes about it."""
    built = root / BUILD_DIR / "template.yaml"
    if not built.is_file():
        return template, []
    shown = str(BUILD_DIR / "template.yaml")
    notes = [Problem(shown, None, "", f"running the 'sam build' output in {BUILD_DIR} (as sam local does); "
                                      f"delete {BUILD_DIR} to run {template.name} directly", "info")]
    newer = newest_source(root, built.stat().st_mtime)
    if newer is not None:
        notes.append(Problem(shown, None, "", f"older than {newer.relative_to(root)}: run 'sam build' again, "
                                              "or delete .aws-sam, or the old code runs", "warning"))
    return built, notes


def newest_source(root: Path, since: float) -> Path | None:
    """A file of the project modified after ``since`` (the template or code), if any."""
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED and not d.startswith(".")]
        for name in files:
            if Path(name).suffix not in SOURCE_SUFFIXES and name not in SOURCE_NAMES:
                continue
            path = Path(folder) / name
            seen += 1
            try:
                if path.stat().st_mtime > since:
                    return path
            except OSError:
                continue
            if seen >= SCAN_LIMIT:
                return None
    return None
