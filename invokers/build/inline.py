"""``InlineCode`` (SAM) / ``ZipFile`` code as a code folder, as Lambda stores it.

Lambda saves inline code as ``index.py`` (Python) or ``index.js`` (Node), so
``Handler: index.handler`` finds it; the file is rewritten only when the
template's code changed, keeping a warm function's file stable.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import Recipe, register

FILENAMES = {"python": "index.py", "node": "index.js"}


def materialize(config_file: str, function: str, language: str, code: str) -> Path:
    """Write the code where a worker can run it; returns the code folder."""
    digest = hashlib.sha256(code.encode()).hexdigest()[:16]
    out = register(Recipe("inline", f"{config_file}#{function}", {"sha": digest}))
    target = out / FILENAMES.get(language, "index.py")
    if not target.is_file() or target.read_text(encoding="utf-8") != code:
        out.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(code, encoding="utf-8")
        temp.replace(target)
    return out
