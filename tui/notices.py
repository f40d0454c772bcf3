"""Notifications in groups: a project with 19 problems gets one toast that counts them, not 19 stacked toasts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel
from textual.widget import Widget

SHOWN = 3  # lines listed in a grouped notice; the rest are counted


def grouped(lines: list[str], hint: str = "") -> list[str]:
    """The notices to show for ``lines``: each alone when there are few, else one that lists a few and counts.

    Identical lines are said once with their count.
    """
    counts = Counter(lines)
    unique = [f"{line} (×{counts[line]})" if counts[line] > 1 else line for line in dict.fromkeys(lines)]
    if len(unique) <= SHOWN:
        return unique
    more = f"… and {len(unique) - SHOWN} more" + (f": {hint}" if hint else "")
    return ["\n".join([*unique[:SHOWN], more])]


def notify_grouped(node: Widget | App[Any], lines: list[str], *, title: str, severity: SeverityLevel = "warning",
                   hint: str = "", timeout: float = 10) -> None:
    for text in grouped(lines, hint):
        node.notify(text, title=title, severity=severity, timeout=timeout)
