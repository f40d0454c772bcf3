"""Saved events, per function, as JSON files under ``<project>/.svl/events/<function>/<name>.json``.

Files are written atomically (a temp file in the same folder, fsync, rename),
so a crash leaves either the old event or the new one, never half of one.
Names are checked so they can never escape their folder.
"""

from __future__ import annotations

import builtins
import json
import os
import re
from pathlib import Path
from typing import Any

from .files import write_json_atomic
from .strict_json import loads_strict

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,99}$")
_FUNCTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,139}$")


class SavedEventError(ValueError):
    """A saved-event operation that cannot be done, with what to do instead."""


def check_name(name: str, what: str = "event name") -> str:
    """``name`` if it is a safe file name; a SavedEventError saying why not otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise SavedEventError(f"{what} is empty: give it a name such as 'happy-path'")
    name = name.strip()
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise SavedEventError(f"{what} {name!r} may not contain '/', '\\', '..' or NUL")
    pattern = _NAME if what == "event name" else _FUNCTION
    if not pattern.match(name):
        raise SavedEventError(f"{what} {name!r}: use letters, digits, spaces and . _ - + (at most 100 characters), "
                              "starting with a letter or digit")
    return name


class SavedEvents:
    """The saved events of one project."""

    def __init__(self, project: Path | str) -> None:
        self.root = Path(project) / ".svl" / "events"

    def folder(self, function: str) -> Path:
        return self.root / check_name(function, "function name")

    def path(self, function: str, name: str) -> Path:
        return self.folder(function) / f"{check_name(name)}.json"

    def list(self, function: str) -> list[str]:
        folder = self.folder(function)
        if not folder.is_dir():
            return []
        return sorted((p.stem for p in folder.glob("*.json") if not p.name.startswith(".")), key=str.lower)

    def load(self, function: str, name: str) -> Any:
        path = self.path(function, name)
        try:
            return loads_strict(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SavedEventError(f"no saved event {name!r} for {function}; saved: "
                                  f"{', '.join(self.list(function)) or 'none'}") from None
        except ValueError as exc:
            raise SavedEventError(f"{path} is not valid JSON: {exc}") from None

    def save(self, function: str, name: str, event: Any, *, overwrite: bool = True) -> Path:
        path = self.path(function, name)
        if not overwrite and path.exists():
            raise SavedEventError(f"a saved event {name!r} already exists for {function}")
        try:
            write_json_atomic(path, event)
        except ValueError as exc:
            raise SavedEventError(f"event {name!r} for {function} is not strict JSON ({exc}): "
                                  "replace NaN and Infinity with null, a number or a string") from None
        return path

    def rename(self, function: str, old: str, new: str) -> Path:
        source, target = self.path(function, old), self.path(function, new)
        if not source.exists():
            raise SavedEventError(f"no saved event {old!r} for {function}")
        if target.exists() and source != target:
            raise SavedEventError(f"a saved event {new!r} already exists for {function}: "
                                  "delete it or pick another name")
        os.replace(source, target)
        return target

    def delete(self, function: str, name: str) -> None:
        try:
            self.path(function, name).unlink()
        except FileNotFoundError:
            raise SavedEventError(f"no saved event {name!r} for {function}") from None

    # ---- imports -------------------------------------------------------------

    def import_folder(self, function: str, folder: Path | str,
                      skipped: builtins.list[str] | None = None) -> builtins.list[str]:
        """Import every ``*.json`` of a folder (SAM's ``events/``); the file stem becomes the name.

        With a ``skipped`` list, a file that cannot be imported is noted there (``file: why``) and the
        others are still imported; without one, the first bad file raises ``SavedEventError``.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise SavedEventError(f"{folder} is not a folder")
        imported = []
        for file in sorted(folder.glob("*.json")):
            try:
                try:
                    event = loads_strict(file.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise SavedEventError(f"{file} is not valid JSON: {exc}") from None
                name = _safe_stem(file.stem)
                self.save(function, name, event)
            except SavedEventError as exc:
                if skipped is None:
                    raise
                skipped.append(str(exc))
                continue
            imported.append(name)
        return imported

    def import_shareable(self, function: str, file: Path | str) -> builtins.list[str]:
        """Import Lambda console shareable test events (a schema registry export).

        The console stores them as an OpenAPI document whose
        ``components.examples.<name>.value`` is each event.
        """
        path = Path(file)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SavedEventError(f"cannot read {path}: {exc}") from None
        if isinstance(document, dict) and isinstance(document.get("Content"), str):
            document = json.loads(document["Content"])  # DescribeSchema's response wraps the document
        examples = (document.get("components") or {}).get("examples") if isinstance(document, dict) else None
        if not isinstance(examples, dict) or not examples:
            raise SavedEventError(f"{path} has no components.examples: export it from the Lambda console's "
                                  "shareable test events (schema registry lambda-testevent-schemas)")
        imported = []
        for name, example in examples.items():
            if not isinstance(example, dict) or "value" not in example:
                raise SavedEventError(f"{path}: example {name!r} has no 'value'")
            safe = _safe_stem(name)
            self.save(function, safe, example["value"])
            imported.append(safe)
        return imported


def _safe_stem(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9 _.+-]", "-", name).strip(" .-") or "event"
    return check_name(cleaned[:100].replace("..", "."))
