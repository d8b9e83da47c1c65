"""Operator values, read the way Gerrit reads them (pure functions, no ORM).

Each ``parse_*`` turns the text after ``operator:`` into what evaluation and ``describe``
need, or raises ``ValueProblem`` (``checks.check`` runs the right one when a query is
parsed; ``label:`` values have their own module, ``labels``). Where Gerrit's own parsing
has quirks that change results (label values clamped to −4…+4, ``status:`` prefixes,
``delta:<0`` meaning 0) they are kept, because dashboards were written against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from .operators import HAS_ANSWERED, HAS_UNANSWERABLE, IS_ANSWERED, IS_UNANSWERABLE

INT32_MAX = 2**31 - 1
SELF_WORDS = frozenset({"self", "me"})  # lower-case only, as Gerrit (facts §1.1)


class ValueProblem(ValueError):
    """A value the operator cannot take. ``what`` names it, ``hint`` says what would do; the
    parser adds the position and raises a syntax error."""

    def __init__(self, what: str, hint: str = "") -> None:
        super().__init__(f"{what}: {hint}" if hint else what)
        self.what = what
        self.hint = hint


def is_regex(value: str) -> bool:
    return value.startswith("^")


def is_self(value: str) -> bool:
    return value in SELF_WORDS


# --- status: and is: -------------------------------------------------------------------

STATUSES: dict[str, tuple[str, ...]] = {
    "abandoned": ("ABANDONED",),
    "closed": ("MERGED", "ABANDONED"),
    "merged": ("MERGED",),
    "new": ("NEW",),
    "open": ("NEW",),
    "pending": ("NEW",),
}


def parse_status(value: str) -> str:
    """The status word ``value`` abbreviates (``mer`` → ``merged``), as ChangeStatusPredicate:
    the first word at or after ``value`` in alphabetical order, if it starts with ``value``."""
    lower = value.lower()
    for word in sorted(STATUSES):
        if word >= lower:
            if word.startswith(lower):
                return word
            break
    raise ValueProblem(f'Unknown status "{value}"', "use open, merged, abandoned or closed")


def parse_is(value: str) -> tuple[str, str]:
    """``("is", keyword)`` for ``is:`` values with their own meaning, else ``("status", word)``:
    Gerrit reads any other ``is:X`` as ``status:X``."""
    lower = value.lower()
    if lower in IS_ANSWERED or lower in IS_UNANSWERABLE:
        return "is", lower
    try:
        return "status", parse_status(value)
    except ValueProblem:
        raise ValueProblem(f'Unknown value "is:{value}"') from None


def parse_has(value: str) -> str:
    lower = value.lower()
    if lower in HAS_ANSWERED or lower in HAS_UNANSWERABLE:
        return lower
    raise ValueProblem(f'Unknown value "has:{value}"', "use has:star or has:hashtag")


# --- numeric comparisons ------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """A comparison as written (``comparison`` one of = > >= < <=, ``number``) and the
    inclusive bounds it means once clamped to the field's range, as Gerrit's RangeUtil."""

    comparison: str
    number: int
    low: int
    high: int


def comparison_range(comparison: str, number: int, minimum: int, maximum: int) -> Range:
    low, high = {
        ">": (number + 1, maximum),
        ">=": (number, maximum),
        "<": (minimum, number - 1),
        "<=": (minimum, number),
    }.get(comparison, (number, number))
    clamp = lambda n: min(max(n, minimum), maximum)  # noqa: E731
    return Range(comparison or "=", number, clamp(low), clamp(high))


_SIZE = re.compile(r"(>=|<=|>|<|=)?([+-]?[0-9]+)")


def parse_size(value: str) -> Range:
    """``delta:``/``added:``/``deleted:``: ``N``, ``=N``, ``>N``, ``>=N``, ``<N``, ``<=N``,
    clamped to 0…2³¹−1 (so ``delta:<0``, like Gerrit, means "exactly 0")."""
    match = _SIZE.fullmatch(value)
    if match is None or abs(int(match.group(2))) > INT32_MAX:
        raise ValueProblem(f'Invalid size "{value}"', "use a number such as 10, <=10 or >400")
    return comparison_range(match.group(1) or "=", int(match.group(2)), 0, INT32_MAX)


def parse_limit(value: str) -> int:
    if not re.fullmatch(r"\+?[0-9]+", value) or not 0 < int(value) <= INT32_MAX:
        raise ValueProblem(f'Invalid limit "{value}"', "use a positive whole number")
    return int(value)


# --- time --------------------------------------------------------------------------------

_AGE = re.compile(r"(0|[1-9][0-9]*)\s*(.*)", re.DOTALL)
_UNITS: dict[str, tuple[str, float]] = {}
for _unit, _seconds, _spellings in (
    ("millisecond", 0.001, ("ms", "milliseconds")),
    ("second", 1, ("s", "sec", "second", "seconds")),
    ("minute", 60, ("m", "min", "minute", "minutes")),
    ("hour", 3600, ("h", "hr", "hour", "hours")),
    ("day", 86400, ("d", "day", "days")),
    ("week", 7 * 86400, ("w", "week", "weeks")),
    ("month", 30 * 86400, ("mon", "month", "months")),
    ("year", 365 * 86400, ("y", "year", "years")),
):
    _UNITS.update(dict.fromkeys(_spellings, (_unit, _seconds)))


def age_parts(value: str) -> tuple[int, str]:
    """The number and the (singular) unit of an ``age:`` value: ``5d`` → ``(5, "day")``.

    Units as Gerrit's ConfigUtil.getTimeUnit (case-insensitive; ``m`` is minutes, a month
    is 30 days, a year 365); no unit means seconds.
    """
    match = _AGE.fullmatch(value)
    unit = match.group(2).strip().lower() if match else ""
    if match is None or (unit and unit not in _UNITS):
        raise ValueProblem(f'Invalid age "{value}"', "use a number and a unit, e.g. 5d, 2weeks, 3h")
    return int(match.group(1)), _UNITS[unit][0] if unit else "second"


def parse_age(value: str) -> timedelta:
    number, unit = age_parts(value)
    seconds = next(s for name, s in _UNITS.values() if name == unit)
    # Gerrit converts to whole seconds (TimeUnit.convert truncates), so 500ms is 0s.
    return timedelta(seconds=int(number * seconds) if seconds >= 1 else number // 1000)


def parse_timestamp(value: str) -> datetime:
    """``YYYY-MM-DD[ HH:MM:SS[.fff…][ ±HHMM]]`` (JavaSqlTimestampHelper): no time is midnight,
    no zone is UTC. Returns an aware UTC datetime."""
    parts = value.split(" ")
    problem = ValueProblem(
        f'Invalid date "{value}"', 'use YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" or add a zone like +0100'
    )
    if not 1 <= len(parts) <= 3:
        raise problem
    try:
        year, month, day = (int(p) for p in _digits(parts[0].split("-"), count=3))
        hour = minute = second = microsecond = 0
        if len(parts) >= 2:
            clock, _, fraction = parts[1].partition(".")
            hour, minute, second = (int(p) for p in _digits(clock.split(":"), count=3))
            if fraction:
                fraction = _digits([fraction], count=1)[0]
                microsecond = min(round(float(f"0.{fraction}") * 1e6), 999_999)
        offset = timedelta(0)
        if len(parts) == 3:
            zone = parts[2]
            if not re.fullmatch(r"[+-][0-9]{4}", zone):
                raise ValueError(zone)
            offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
            offset = -offset if zone[0] == "-" else offset
        moment = datetime(
            year, month, day, hour, minute, second, microsecond, tzinfo=timezone(offset)
        )
    except ValueError:
        raise problem from None
    return moment.astimezone(UTC)


def _digits(parts: list[str], *, count: int) -> list[str]:
    if len(parts) != count or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValueError(parts)
    return parts


# --- words (message:, comment:, intopic:) ------------------------------------------------

_WORD_BREAK = re.compile(r"[\W_]+")


def words(text: str) -> tuple[str, ...]:
    """The lower-cased words of ``text`` as Gerrit's full-text index splits them (facts §6.4):
    runs of letters and digits; punctuation, ``_`` and ``.`` separate."""
    return tuple(word for word in _WORD_BREAK.split(text.lower()) if word)


def phrase_pattern(phrase: tuple[str, ...]) -> str:
    """A case-insensitive pattern (for ``__iregex``) finding ``phrase`` as consecutive words.

    Written with ``\\W`` groups only, which Python's ``re`` and PostgreSQL read alike
    (PostgreSQL forbids ``\\W`` inside brackets, hence no ``[^\\W_]``).
    """
    return r"(?:^|\W|_)" + r"(?:\W|_)+".join(phrase) + r"(?:\W|_|$)"


# --- change: and default-field change numbers ----------------------------------------------

_LEGACY_ID = re.compile(r"[1-9][0-9]*")
_CHANGE_ID = re.compile(r"[iI][0-9a-f]{4,}.*", re.DOTALL)


@dataclass(frozen=True)
class ChangeRef:
    """A change named by number, Change-Id prefix, or ``project~branch~Change-Id``."""

    number: int | None = None
    change_id: str = ""
    project: str = ""
    branch: str = ""


def parse_change(value: str) -> ChangeRef:
    pieces = value.split("~")
    if len(pieces) == 3 and all(pieces) and _CHANGE_ID.fullmatch(pieces[2]):
        return ChangeRef(change_id="I" + pieces[2][1:], project=pieces[0], branch=pieces[1])
    if _LEGACY_ID.fullmatch(value) and int(value) <= INT32_MAX:
        return ChangeRef(number=int(value))
    if _CHANGE_ID.fullmatch(value):
        return ChangeRef(change_id="I" + value[1:])
    raise ValueProblem(f'Invalid change "{value}"', "use a number or a Change-Id (I…)")


def looks_like_change(value: str) -> bool:
    """Gerrit's DEF_CHANGE: a bare word that is a change number or Change-Id."""
    try:
        parse_change(value)
    except ValueProblem:
        return False
    return True
