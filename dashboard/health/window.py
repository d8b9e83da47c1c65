"""The time window of a review statistic, parsed from a query string (no ORM here).

A window is a half-open interval of aware UTC datetimes [start, end). Three ways to ask:

* ``?days=N``: the last N days up to now (the presets are 14/30/90/180; any 1..3650 works,
  as reviewstats' ``--days`` does);
* ``?cycle=NAME``: a release cycle from its first day through its end date (the Monday of
  the release week), cut at now while the cycle runs;
* ``?start=YYYY-MM-DD&end=YYYY-MM-DD``: whole UTC days, both inclusive.

Bad values raise ``WindowError`` with a message fit to show the user; callers show it and
fall back to nothing (no statistic is computed on a window the user did not ask for).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DAY_PRESETS = (14, 30, 90, 180)
DEFAULT_DAYS = 30
MAX_DAYS = 3650


class WindowError(ValueError):
    """A window the user asked for that Tiller cannot use; ``str()`` is the message."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    label: str
    days: int | None = None
    cycle: str | None = None

    @property
    def length_days(self) -> float:
        """Length in days (fractional when a cycle or a date range ends now)."""
        return (self.end - self.start).total_seconds() / 86400

    def query(self) -> dict[str, str]:
        """The query-string parameters that ask for this window again."""
        if self.cycle:
            return {"cycle": self.cycle}
        if self.days:
            return {"days": str(self.days)}
        last = (self.end - timedelta(microseconds=1)).date()
        return {"start": self.start.date().isoformat(), "end": last.isoformat()}


def last_days(days: int, *, now: datetime) -> Window:
    """The last ``days`` days up to ``now``."""
    if not 1 <= days <= MAX_DAYS:
        raise WindowError(f"days must be between 1 and {MAX_DAYS}, not {days}.")
    return Window(start=now - timedelta(days=days), end=now, label=f"last {days} days", days=days)


def parse_window(
    params: Mapping[str, str],
    *,
    now: datetime,
    cycles: Mapping[str, tuple[date | None, date | None]],
) -> Window:
    """The window ``params`` asks for (``days``, ``cycle`` or ``start``/``end``; default the
    last ``DEFAULT_DAYS`` days). ``cycles`` maps cycle names to their (start, end) dates."""
    days = (params.get("days") or "").strip()
    cycle = (params.get("cycle") or "").strip().lower()
    start = (params.get("start") or "").strip()
    end = (params.get("end") or "").strip()
    asked = [name for name, value in (("days", days), ("cycle", cycle)) if value]
    if start or end:
        asked.append("start/end")
    if len(asked) > 1:
        raise WindowError("Ask for one window: " + " or ".join(asked) + ", not several.")
    if cycle:
        return _cycle_window(cycle, now=now, cycles=cycles)
    if start or end:
        return _date_window(start, end, now=now)
    if not days:
        return last_days(DEFAULT_DAYS, now=now)
    try:
        number = int(days)
    except ValueError:
        raise WindowError(f"days must be a whole number, not {days!r}.") from None
    return last_days(number, now=now)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _cycle_window(
    name: str, *, now: datetime, cycles: Mapping[str, tuple[date | None, date | None]]
) -> Window:
    if name not in cycles:
        raise WindowError(f"There is no cycle called {name!r}.")
    first, last = cycles[name]
    if first is None or last is None:
        raise WindowError(f"Cycle {name!r} has no start or end date yet.")
    start, end = _midnight(first), min(_midnight(last) + timedelta(days=1), now)
    if start >= now:
        raise WindowError(f"Cycle {name!r} has not started yet (it starts on {first}).")
    label = f"cycle {name.capitalize()} ({first} to {min(last, now.date())})"
    return Window(start=start, end=end, label=label, cycle=name)


def _parse_day(text: str, which: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise WindowError(f"The {which} date must look like 2017-02-27, not {text!r}.") from None


def _date_window(start: str, end: str, *, now: datetime) -> Window:
    if not start or not end:
        raise WindowError("Give both a start and an end date.")
    first, last = _parse_day(start, "start"), _parse_day(end, "end")
    if first > last:
        raise WindowError(f"The start date {first} is after the end date {last}.")
    if (last - first).days + 1 > MAX_DAYS:
        raise WindowError(f"A window can span at most {MAX_DAYS} days.")
    window_start = _midnight(first)
    if window_start >= now:
        raise WindowError(f"The start date {first} is in the future.")
    window_end = min(_midnight(last) + timedelta(days=1), now)
    return Window(start=window_start, end=window_end, label=f"{first} to {last}")
