"""Times formatted once per second: ``serve`` stamps every request, and a burst's requests share a second.

``strftime`` is most of the cost of a stamp, so each formatter keeps the text of the last second it
formatted (one tuple, replaced whole, so a thread never sees a second with another second's text).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def per_second(pattern: str, convert: Callable[[float], time.struct_time]) -> Callable[[float], str]:
    """A function giving ``time.strftime(pattern, convert(second))`` of a moment (epoch seconds), cached
    for the whole second it falls in (``convert``: ``time.localtime`` or ``time.gmtime``)."""
    last: tuple[int, str] = (-1, "")

    def stamp(moment: float) -> str:
        nonlocal last
        second = int(moment)
        if last[0] != second:
            last = (second, time.strftime(pattern, convert(second)))
        return last[1]

    return stamp
