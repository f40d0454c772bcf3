"""An option list with a filter box: what is typed in the list is typed in the filter, whole and in order.

Routing typed keys from the list's own key handler was not enough (fault 8): the terminal queues a
burst's keys at the app, the app forwards them all to the list before the list has handled the first
one, and a focus change is applied only after them. Keys that the handler did not copy (backspace)
were lost, and a filter that then matched nothing left the rest to whatever took the focus. So the
app redirects a typing key *before* forwarding it (``retarget``): the filter takes the focus at once
and gets the key through its own queue, in the order typed.

A bare Textual Input still applies a burst's backspace after the characters typed after it (the key
runs its binding only once it has bubbled up to the app), so the filter is a ``FilterInput`` that
applies its editing keys as it receives them.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, OptionList

EDITING_ACTIONS = {"backspace": "delete_left", "delete": "delete_right", "ctrl+u": "delete_left_all",
                   "ctrl+w": "delete_left_word"}
EDITING_KEYS = frozenset(EDITING_ACTIONS)


class FilterInput(Input):
    """An Input that applies its editing keys in the order they come, among the typed characters."""

    async def _on_key(self, event: events.Key) -> None:
        action = EDITING_ACTIONS.get(event.key)
        if action is not None:  # Input's own binding for the key, run now rather than after bubbling
            event.stop()
            event.prevent_default()
            getattr(self, f"action_{action}")()
            return
        await super()._on_key(event)


class FilteredOptions(OptionList):
    """An OptionList whose typed characters and editing keys belong to the Input ``#filter_id`` on its screen."""

    def __init__(self, *, filter_id: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.filter_id = filter_id

    def filter_box(self) -> Input:
        return self.screen.query_one(f"#{self.filter_id}", Input)


def is_typing(event: events.Key) -> bool:
    """A key that edits text: a printable character (space selects in a list) or an editing key."""
    printable = event.character is not None and event.character.isprintable() and event.character != " "
    return printable or event.key in EDITING_KEYS


def retarget(focused: Widget | None, event: events.Key) -> None:
    """Called by the app for each key, before it is forwarded: move the focus to the filter when a
    typing key is aimed at a ``FilteredOptions``, so this key and every later one go to the filter."""
    if isinstance(focused, FilteredOptions) and is_typing(event):
        box = focused.filter_box()
        box.cursor_position = len(box.value)
        focused.screen.set_focus(box, scroll_visible=False)
