"""R-N week arithmetic as the OpenStack release team numbers weeks. No ORM here.

Weeks run Monday to Sunday (the schedule files list Monday..Friday). They are counted
backwards from the release week: ``R+0`` is the week of the coordinated final release,
``R-1`` the week before it, ``R+1`` the week after. A deadline listed in a week falls, by
default, on that week's Thursday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WEEK = timedelta(days=7)
# Monday = 0 ... Thursday = 3: the release team's default deadline day.
DEADLINE_WEEKDAY = 3


def monday_of(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def week_offset(*, release_week: date, day: date) -> int:
    """Weeks from the release week to the week of ``day`` (negative before the release)."""
    return (monday_of(day) - monday_of(release_week)).days // 7


def week_label(*, release_week: date, day: date) -> str:
    """``R-N``/``R+N`` for the week of ``day``; the release week is ``R+0``."""
    offset = week_offset(release_week=release_week, day=day)
    return f"R-{-offset}" if offset < 0 else f"R+{offset}"


def deadline_day(week_start: date) -> date:
    """The default day of a deadline listed in the week starting ``week_start``."""
    return monday_of(week_start) + timedelta(days=DEADLINE_WEEKDAY)


@dataclass(frozen=True)
class Week:
    """One schedule week: its R-label, its Monday and its Friday (the files' ``end``)."""

    label: str
    offset: int
    start: date
    end: date

    def holds(self, day: date) -> bool:
        """True when ``day`` falls in this week (Monday to Sunday)."""
        return self.start <= day < self.start + WEEK


def weeks_between(*, first: date, last: date, release_week: date) -> list[Week]:
    """Every week from the week of ``first`` to the week of ``last``, both included."""
    start, stop = monday_of(first), monday_of(last)
    weeks = []
    while start <= stop:
        offset = week_offset(release_week=release_week, day=start)
        label = f"R-{-offset}" if offset < 0 else f"R+{offset}"
        weeks.append(Week(label=label, offset=offset, start=start, end=start + timedelta(days=4)))
        start += WEEK
    return weeks


def cycle_length_weeks(*, start_week: date, release_week: date) -> int:
    """Number of weeks from the first ``R-N`` week to the release week, both included."""
    return week_offset(release_week=release_week, day=start_week) * -1 + 1
