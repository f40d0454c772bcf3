"""An interpreter chosen in svl.yaml (``python:`` / ``node:``), checked before anything runs on it.

The choice is a path (made absolute against svl.yaml's folder by discovery)
or a command name looked up on PATH (``python3.12``, ``node18``). A choice
that does not lead to an executable is an error naming the file, line and key
that made it, never a silent fall-back to another interpreter.
"""

from __future__ import annotations

import os
import shutil


class ConfiguredMissing(Exception):
    """The configured interpreter is not there (or not executable): the message says where it was set."""


def configured_path(value: str, source: str, kind: str) -> str:
    """``value`` (a path or a command on PATH) as an executable path; raises ``ConfiguredMissing``."""
    if os.sep in value or (os.altsep and os.altsep in value):
        path = value
        if not os.path.isfile(path):
            problem = "does not exist" if not os.path.exists(path) else "is not a file"
        elif not os.access(path, os.X_OK):
            problem = "is not executable"
        else:
            return path
    else:
        found = shutil.which(value)
        if found:
            return found
        problem = "was not found on PATH"
    raise ConfiguredMissing(f"{source}: the {kind} {value!r} {problem}; set it to the path of a {kind} "
                            f"interpreter or to a command on PATH (or remove it to let svl-tui find one)")
