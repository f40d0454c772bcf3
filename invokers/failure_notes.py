"""The hint added to a failed invocation's Result: why it failed locally and how to fix it.

Kept apart from the engine, which only appends the note; the language-specific
modules are imported when a failure needs them (not at every start).
"""

from __future__ import annotations

from .models import FunctionSpec, Result


def failure_note(spec: FunctionSpec, final: Result) -> str:
    """The note for ``final``'s error ("" when none applies); for Node also fills ``final.missing_sdk``."""
    if final.error is None:
        return ""
    if spec.language == "node":
        from .node_sdk import missing_note

        final.missing_sdk, note = missing_note(spec, final.error)
        if not note:
            from .node_errors import syntax_error_note

            note = syntax_error_note(spec, final.error)
        return note
    if spec.language == "python":
        from .python_path import missing_module_note

        return missing_module_note(spec, final.error)
    return ""
