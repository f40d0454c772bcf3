"""Realistic sample events for serverless triggers: generators, templates, validation, saved events.

Depends on nothing else in svl-tui, so it can be used on its own::

    from event_samples import generate, validate, detect, contents, SavedEvents
    event = generate("sqs", body={"id": 1}, records=3)

Names are loaded on first use (PEP 562), so importing one light submodule
(``event_samples.files`` on the ``svl-tui invoke`` path) does not load them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Eager: the submodule shares the function's name, and a lazy lookup would find the module once it is loaded.
from .detect import detect

if TYPE_CHECKING:
    from .checker import Issue
    from .decode import Content, contents, encode
    from .files import write_json_atomic
    from .kinds import KINDS, Kind, Param, generate, get
    from .saved import SavedEventError, SavedEvents
    from .strict_json import parse_json
    from .validation import validate

_HOME = {"Content": "decode", "contents": "decode", "encode": "decode",
         "write_json_atomic": "files", "KINDS": "kinds", "Kind": "kinds", "Param": "kinds", "generate": "kinds",
         "get": "kinds", "SavedEventError": "saved", "SavedEvents": "saved", "Issue": "checker",
         "parse_json": "strict_json", "validate": "validation"}

__all__ = ["KINDS", "Content", "Issue", "Kind", "Param", "SavedEventError", "SavedEvents", "contents", "detect",
           "encode", "generate", "get", "parse_json", "validate", "write_json_atomic"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'event_samples' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
