"""Writing fixture projects: a file (dedented), its folders created."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path
