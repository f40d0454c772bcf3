"""EventBridge schedule expressions: ``rate(5 minutes)`` and six-field ``cron(...)``, next fire time in UTC.

AWS cron: ``minutes hours day-of-month month day-of-week year``; one of the two
day fields is ``?``; day-of-week runs 1-7 from SUN (or SUN-SAT); ``L`` is the
last day of the month (or ``5L`` the last Thursday), ``3#2`` the second
Tuesday, ``15W`` the weekday nearest the 15th.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: index for index, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DAYS = {name: index for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
SEARCH_YEARS = 5


class ScheduleError(ValueError):
    """An expression EventBridge would refuse, with what is wrong in it."""


@dataclass(frozen=True)
class _Field:
    values: frozenset[int]
    any: bool
    special: str = ""
    """``L``, ``nL``, ``n#k`` or ``nW`` for the day fields."""


def _parse_field(text: str, low: int, high: int, names: dict[str, int], what: str) -> _Field:
    if text in ("*", "?"):
        return _Field(frozenset(range(low, high + 1)), True)
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{what}: bad step in {text!r}")
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            first, _, last = part.partition("-")
            start, end = _value(first, names, what), _value(last, names, what)
        else:
            start = _value(part, names, what)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"{what}: {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step) if start <= end else
                      [*range(start, high + 1, step), *range(low, end + 1, step)])
    return _Field(frozenset(values), False)


def _value(text: str, names: dict[str, int], what: str) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ScheduleError(f"{what}: {text!r} is not a number" + (f" or a name ({', '.join(names)})" if names
                                                                   else ""))
    return int(text)


def _day_field(text: str, low: int, high: int, names: dict[str, int], what: str) -> _Field:
    upper = text.upper()
    if upper == "L" or re.fullmatch(r"\d+W|\w+L|\w+#\d", upper) and upper not in names:
        return _Field(frozenset(), False, upper)
    return _parse_field(text, low, high, names, what)


@dataclass(frozen=True)
class Schedule:
    """A parsed expression; ``next_after`` gives the next time it fires."""

    expression: str
    every_s: int = 0
    minutes: _Field | None = None
    hours: _Field | None = None
    days: _Field | None = None
    months: _Field | None = None
    weekdays: _Field | None = None
    years: _Field | None = None

    def next_after(self, moment: datetime) -> datetime:
        if self.every_s:
            return moment + timedelta(seconds=self.every_s)
        assert self.minutes and self.hours and self.months and self.years
        start = moment.astimezone(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(366 * SEARCH_YEARS):
            if day.year in self.years.values and day.month in self.months.values and self._day_matches(day):
                for hour in sorted(self.hours.values):
                    for minute in sorted(self.minutes.values):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleError(f"{self.expression} does not fire in the next {SEARCH_YEARS} years")

    def _day_matches(self, day: object) -> bool:
        from datetime import date

        assert isinstance(day, date) and self.days and self.weekdays
        last = calendar.monthrange(day.year, day.month)[1]
        weekday = (day.weekday() + 1) % 7 + 1  # Python: MON=0; AWS: SUN=1
        return _day_of_month(self.days, day.day, last, day) and _day_of_week(self.weekdays, weekday, day.day, last)


def _day_of_month(field: _Field, day: int, last: int, moment: object) -> bool:
    from datetime import date

    assert isinstance(moment, date)
    if field.special == "L":
        return day == last
    if field.special.endswith("W"):
        wanted = min(int(field.special[:-1]), last)
        target = date(moment.year, moment.month, wanted)
        if target.weekday() == 5:
            target = target - timedelta(days=1) if wanted > 1 else target + timedelta(days=2)
        elif target.weekday() == 6:
            target = target + timedelta(days=1) if wanted < last else target - timedelta(days=2)
        return day == target.day
    return day in field.values


def _day_of_week(field: _Field, weekday: int, day: int, last: int) -> bool:
    if not field.special:
        return weekday in field.values
    if field.special == "L":
        return weekday == 7
    if field.special.endswith("L"):
        return weekday == _value(field.special[:-1], _DAYS, "day-of-week") and day + 7 > last
    name, _, nth = field.special.partition("#")
    return weekday == _value(name, _DAYS, "day-of-week") and (day - 1) // 7 + 1 == int(nth)


def parse(expression: str) -> Schedule:
    """``rate(...)`` or ``cron(...)``; ``ScheduleError`` says what is wrong."""
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2).lower().rstrip("s")
        if count < 1:
            raise ScheduleError(f"{expression}: the rate must be at least 1")
        return Schedule(text, every_s=count * _UNIT_S[unit])
    cron = _CRON.match(text)
    if not cron:
        raise ScheduleError(f"{expression!r}: use rate(N minutes|hours|days) or cron(min hour day month weekday year)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"{expression}: cron takes 6 fields (minutes hours day-of-month month day-of-week "
                            f"year), got {len(fields)}")
    if "?" not in (fields[2], fields[4]):
        raise ScheduleError(f"{expression}: day-of-month or day-of-week must be '?'")
    return Schedule(text, minutes=_parse_field(fields[0], 0, 59, {}, "minutes"),
                    hours=_parse_field(fields[1], 0, 23, {}, "hours"),
                    days=_day_field(fields[2], 1, 31, {}, "day-of-month"),
                    months=_parse_field(fields[3], 1, 12, _MONTHS, "month"),
                    weekdays=_day_field(fields[4], 1, 7, _DAYS, "day-of-week"),
                    years=_parse_field(fields[5], 1970, 2199, {}, "year"))
