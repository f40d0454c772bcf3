"""Where a Node handler's syntax error is, for the result: Lambda's payload leaves it to the trace's first line.

Node's own ``SyntaxError`` stack starts with ``/path/app.js:4`` (``file:///...`` for ES modules), then the
source line and a caret; Lambda's error message carries none of it. Python's runtime names the file and
line in the message, so without this note a Node syntax error is the one error a user cannot locate at a
glance. The payload itself stays exactly as Lambda sends it.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .models import FunctionSpec

_LOCATION = re.compile(r"^(?:file://)?(?P<file>/.+?):(?P<line>\d+)$")


def syntax_error_note(spec: FunctionSpec, error: dict[str, Any] | None) -> str:
    """``syntax error in src/app.js, line 4`` for a Node ``Runtime.UserCodeSyntaxError``; empty otherwise."""
    if error is None or error.get("errorType") != "Runtime.UserCodeSyntaxError":
        return ""
    trace = error.get("trace") or error.get("stackTrace") or []
    first = str(trace[0]).strip() if isinstance(trace, list) and trace else ""
    match = _LOCATION.match(first)
    if match is None:
        return ""
    path = match["file"]
    if spec.code_dir:
        relative = os.path.relpath(path, spec.code_dir)
        path = path if relative.startswith("..") else relative
    return f"syntax error in {path}, line {match['line']}: {error.get('errorMessage', '')}"
