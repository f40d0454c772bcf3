"""Realistic sample events for serverless triggers: generators, templates, validation, saved events.

Depends on nothing else in svl-tui, so it can be used on its own::

    from event_samples import generate, validate, detect, contents, SavedEvents
    event = generate("sqs", body={"id": 1}, records=3)
"""

from .decode import Content, contents, encode
from .detect import detect
from .kinds import KINDS, Kind, Param, generate, get
from .saved import SavedEventError, SavedEvents, write_json_atomic
from .validation import Issue, parse_json, validate

__all__ = ["KINDS", "Content", "Issue", "Kind", "Param", "SavedEventError", "SavedEvents", "contents", "detect",
           "encode", "generate", "get", "parse_json", "validate", "write_json_atomic"]
