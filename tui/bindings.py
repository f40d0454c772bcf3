"""Every key binding of the app in one table, with an id and a description.

The footer, the help screen and the command palette are all generated from
this table, and users remap keys by id in their config (``keys:`` in
``~/.config/svl-tui/config.yaml``), through Textual's keymaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class KeyAction:
    """``action`` is a screen action; ``route('<owner>', '<method>')`` calls the widget that owns the work."""

    id: str
    key: str
    action: str
    description: str
    help: str
    footer: bool = True  # few enough that the footer fits 80 columns; every action is in help and the palette


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("invoke", "ctrl+r,f5", "route('invoker', 'invoke')", "Invoke",
              "Send the editor's event to the selected function"),
    KeyAction("repeat", "f6", "route('run_area', 'repeat')", "Repeat",
              "Invoke the last function again with the last event", footer=False),
    KeyAction("cancel", "ctrl+k", "route('run_area', 'cancel')", "Cancel",
              "Cancel the running invoke (its environment is discarded)", footer=False),
    KeyAction("save-event", "ctrl+s", "route('editor', 'save')", "Save event",
              "Save the editor's event for this function", footer=False),
    KeyAction("templates", "ctrl+t", "route('editor', 'pick')", "Events", "Pick a generated template or a saved event"),
    KeyAction("format", "ctrl+o", "route('editor', 'format_event')", "Format", "Pretty-print the editor's JSON",
              footer=False),
    KeyAction("decoded", "ctrl+d", "route('editor', 'decoded_view')", "Decoded",
              "Show and edit the event's decoded content (SQS bodies, Kinesis data, DynamoDB images)", footer=False),
    KeyAction("filter-functions", "ctrl+f", "route('functions', 'focus_filter')", "Find",
              "Type to filter the function list", footer=False),
    KeyAction("sidebar", "ctrl+b", "route('functions', 'toggle')", "Sidebar",
              "Hide or show the function list (more room for logs)", footer=False),
    KeyAction("auto-rerun", "f7", "route('run_area', 'toggle_auto_rerun')", "Auto-rerun",
              "Re-invoke with the last event after every successful reload"),
    KeyAction("history", "f9", "route('run_area', 'toggle_history')", "History",
              "Recent runs of this function; enter on one shows its logs, result and event"),
    KeyAction("metrics", "f3", "app.show_metrics", "Metrics",
              "Metrics of the selected function over every recorded run: percentiles, cost, charts, memory advice",
              footer=False),
    KeyAction("follow-logs", "f8", "route('deployed', 'toggle_follow')", "Follow logs",
              "Follow the selected deployed function's CloudWatch logs (again to stop)", footer=False),
    KeyAction("post-mortem", "f4", "route('run_area', 'post_mortem')", "Post-mortem",
              "Re-run the last failed invocation and stop in the debugger at the frame that raised", footer=False),
    KeyAction("compare", "f2", "route('comparer', 'start')", "Compare",
              "Send the editor's event to the selected function and its deployed twin, side by side", footer=False),
    KeyAction("export-test", "ctrl+n", "route('sharer', 'export_test')", "Export test",
              "Write the run in view as a pytest / node:test file in the project's tests folder", footer=False),
    KeyAction("copy-report", "ctrl+l", "route('sharer', 'copy_report')", "Copy report",
              "Copy the run in view as a Markdown report (secrets masked) to the clipboard", footer=False),
    KeyAction("help", "f1,question_mark", "app.show_help", "Help", "Show this help"),
    KeyAction("quit", "ctrl+q", "quit", "Quit", "Quit svl-tui (workers are stopped)"),
)

LOG_KEYS: tuple[tuple[str, str], ...] = (
    ("up/down, pgup/pgdn", "move through log lines"),
    ("enter", "expand or collapse a JSON record's fields"),
    ("c", "copy the current line to the clipboard"),
    ("f / end", "follow new lines again (scrolling up stops following)"),
    ("l", "cycle the minimum level shown"),
    ("/", "filter the logs by text"),
)


DEBUG_KEYS: tuple[tuple[str, str, str, str, str], ...] = (
    # (id, key, pdb command, the footer's word, help): the debugger pane's keys, while it has focus.
    # The footer's words are short so that all six, whole, fit an 80-column footer.
    ("debug-next", "n", "n", "Next", "Next line"),
    ("debug-step", "s", "s", "Step", "Step into"),
    ("debug-return", "r", "r", "Return", "Run to return"),
    ("debug-continue", "c", "c", "Continue", "Continue"),
    ("debug-up", "u", "up", "Up", "Up a frame"),
    ("debug-down", "d", "down", "Down", "Down a frame"),
)


def bindings() -> list[BindingType]:
    """Textual bindings for the table; priority so the editor cannot swallow them.

    Help is the exception: its ``?`` must still type a question mark in the editor and the filters.
    """
    return [Binding(a.key, a.action, a.description, show=a.footer, id=a.id, priority=a.id != "help")
            for a in ACTIONS]


def config_path() -> Path:
    from invokers.paths import config_dir

    return config_dir() / "config.yaml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """User key remaps by action id, and problems found in the config (unknown ids, bad YAML)."""
    from invokers.discovery.yamlfile import ConfigFileError, load

    path = path or config_path()
    if not path.exists():
        return {}, []
    try:
        data = load(path).data or {}  # the same bounded loader as project configs: no alias bombs
    except ConfigFileError as exc:
        return {}, [f"{path}: cannot read the config: {exc}"]
    keys = data.get("keys") if isinstance(data, dict) else None
    if keys is None:
        return {}, []
    if not isinstance(keys, dict):
        return {}, [f"{path}: 'keys' must map action ids to keys, e.g. invoke: ctrl+e"]
    known = {a.id for a in ACTIONS}
    problems = [f"{path}: unknown action id {k!r}; known: {', '.join(sorted(known))}" for k in keys if k not in known]
    return {str(k): str(v) for k, v in keys.items() if k in known}, problems
