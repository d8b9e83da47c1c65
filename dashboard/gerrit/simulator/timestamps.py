"""Time as the simulator keeps it (integer UTC epoch seconds) and as Gerrit prints it.

Gerrit prints timestamps as ``yyyy-MM-dd HH:mm:ss.fffffffff`` in UTC with no zone marker
(facts §1.4). NoteDb servers only know whole seconds, so every simulated event happens on
a whole second and the nine fractional digits are always zero; ties within one second are
therefore common, as on a real server. Query operators take a looser syntax (facts §4.1),
parsed here to milliseconds because Gerrit compares at that resolution.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime
from email.utils import formatdate

_QUERY_TIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(?:\s*([+-])(\d{2}):?(\d{2}))?"
)


def to_epoch(moment: datetime) -> int:
    """Whole UTC seconds of an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


_CLOCK = tuple(f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60))
_SECONDS = tuple(f"{second:02d}.000000000" for second in range(60))
_MAX_DATES = 100_000  # ~270 years of distinct days; the cache is cleared beyond that
_dates: dict[int, str] = {}


def format_timestamp(seconds: int) -> str:
    """Gerrit's REST timestamp for whole epoch seconds: ``2017-08-30 12:00:00.000000000``.

    A page of changes prints tens of thousands of these, so the date part is formatted
    once per day and the time of day comes from two small tables: several times faster
    than ``strftime`` with the same text.
    """
    day, rest = divmod(seconds, 86400)
    date = _dates.get(day)
    if date is None:
        if len(_dates) >= _MAX_DATES:
            _dates.clear()
        date = _dates[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * 86400))
    minute, second = divmod(rest, 60)
    return date + _CLOCK[minute] + _SECONDS[second]


def http_date(seconds: int) -> str:
    """RFC 7231 date for the ``Date`` header, which clients use as the server's clock."""
    return formatdate(seconds, usegmt=True)


def parse_query_time(value: str) -> int | None:
    """Milliseconds since the epoch for an ``after:``/``before:`` value, None if malformed.

    Accepts ``YYYY-MM-DD[ HH:MM[:SS[.fff…]]][ ±HHMM]``; a missing time is midnight and a
    missing zone is UTC, as Gerrit's JavaSqlTimestampHelper does.
    """
    match = _QUERY_TIME.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, zh, zm = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    millis = calendar.timegm(moment.timetuple()) * 1000
    if fraction:
        millis += int(fraction.ljust(3, "0")[:3])
    if sign:
        offset = (int(zh) * 60 + int(zm)) * 60_000
        millis += -offset if sign == "+" else offset
    return millis
