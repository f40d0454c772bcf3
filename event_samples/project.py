"""Event files a project already has, found where the usual tools keep them.

- SAM: ``events/*.json`` (every ``sam init`` template ships one), also beside a
  function's code (``hello_world/events/``);
- one folder per function: ``events/<function>/*.json``;
- ``sls invoke local --path`` / serverless-offline habits: ``event.json``,
  ``data.json``, ``mocks/*.json``, ``test(s)/events/*.json``.

Each file is read once (bounded in size and number) and its kind detected, so
a caller can offer the files that suit a function first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .detect import detect

MAX_FILES = 200
MAX_BYTES = 1024 * 1024
_FOLDERS = ("events", "mocks", "tests/events", "test/events", "__tests__/events")
_FILES = ("event.json", "events.json", "data.json")


@dataclass(frozen=True)
class ProjectEvent:
    """One event file: its path relative to the project, the function folder it sits in, its kind."""

    path: str
    folder: str | None  # ``events/<folder>/x.json`` -> ``<folder>``: the function it is for
    kind: str | None
    event: Any

    @property
    def name(self) -> str:
        return Path(self.path).stem


def find(project: Path | str, code_dirs: list[Path | str] | None = None) -> list[ProjectEvent]:
    """Every readable JSON event file of the usual places, sorted by path; unreadable files are skipped."""
    root = Path(project).resolve()
    candidates: list[tuple[Path, str | None]] = []
    bases = [root, *(Path(d).resolve() for d in code_dirs or [])]
    seen_bases: set[Path] = set()
    for base in bases:
        if base in seen_bases or not base.is_dir():
            continue
        seen_bases.add(base)
        candidates.extend((base / name, None) for name in _FILES)
        for folder_name in _FOLDERS:
            folder = base / folder_name
            if not folder.is_dir():
                continue
            for child in sorted(folder.iterdir()):
                if child.is_dir() and not child.name.startswith("."):
                    candidates.extend((file, child.name) for file in sorted(child.glob("*.json")))
                elif child.suffix == ".json":
                    candidates.append((child, None))
    found: dict[Path, ProjectEvent] = {}
    for path, function_folder in candidates:
        if len(found) >= MAX_FILES:
            break
        resolved = path.resolve()
        if resolved in found or not path.is_file():
            continue
        event = _read(path)
        if event is _UNREADABLE:
            continue
        relative = resolved.relative_to(root) if resolved.is_relative_to(root) else resolved
        found[resolved] = ProjectEvent(str(relative), function_folder, detect(event), event)
    return sorted(found.values(), key=lambda e: e.path)


_UNREADABLE = object()


def _read(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_BYTES:
            return _UNREADABLE
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _UNREADABLE
