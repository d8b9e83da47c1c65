"""The diversity panel's figures: how concentrated a team's work is in a few organisations.

The four measures are those of OpenStack's ``team:diverse-affiliation`` tag (governance,
reference/tags/team_diverse-affiliation.rst): over a rolling 180-day window, merged changes,
reviews, reviews by active core reviewers and active core seats, each as the share of the
top one and the top two organisations. The tag's bars (top one above 50%, top two above 80%,
one organisation at 90% or more for ``team:single-vendor``) are drawn as reference lines;
no pass/fail is computed, because the binary tag flapped and hid the trend.

Definitions (the same as the other health pages):

- A *review* is one (reviewer, change, patch set) on which a human cast a non-removal
  Code-Review vote other than 0; self-reviews (reviewer = change owner) and votes Gerrit
  copied onto a rebased patch set do not count. A review is dated by its latest such vote,
  and its organisation is the reviewer's on that date. Reviews are the stored
  ``gerrit.Review`` rows, the one definition every health page reads.
- A *merged change* counts for its owner's organisation on the day it merged (``closed``);
  changes owned by bots do not count.
- A reviewer is *active* in a window with at least 30 reviews, or with reviews at least 2%
  of the team's merged changes in that window (the tag's bar since July 2016).
- *Reviews by active cores*: the reviews an active reviewer cast while a core member (core
  status as of the vote's time, from CoreMembership stretches, stored on each review as
  ``Review.by_core``).
- *Active core seats*: the distinct reviewers counted in the previous measure, each for the
  organisation of their latest such review.
- Everyone without an organisation at a date (an independent, or someone with no record)
  counts as an organisation of their own, as the tag has done since January 2017.

Cost: three SQL queries whatever the history's size. The database aggregates events per
(day, person, affiliation); the rolling windows are then summed in Python over those small
per-day rows, never over events.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate

from dashboard.gerrit.models import Change, Review, Team
from dashboard.health.models import Affiliation

WINDOW_DAYS = 180
TREND_STEP_DAYS = 30
TREND_POINTS = 24
ACTIVE_MIN_REVIEWS = 30
ACTIVE_SHARE_OF_MERGED = 0.02
# The tag's reference lines, as fractions.
TOP1_BAR = 0.5
TOP2_BAR = 0.8
SINGLE_VENDOR_BAR = 0.9

MEASURES: tuple[tuple[str, str], ...] = (
    ("merged", "Merged changes"),
    ("reviews", "Reviews"),
    ("core_reviews", "Reviews by active cores"),
    ("core_seats", "Active core seats"),
)


def percent(share: float | None) -> str:
    """A share as the page prints it: whole percent, "–" when there is nothing to share."""
    return "–" if share is None else f"{100 * share:.0f}%"


@dataclass(frozen=True)
class OrganisationCount:
    """One organisation's (or one unaffiliated person's) count in a measure."""

    key: str  # "org:<id>" or "person:<account id>"
    name: str
    count: int
    share: float
    independent: bool

    person: str = ""  # for a person counted alone, their name

    @property
    def percent(self) -> str:
        return percent(self.share)

    @property
    def search(self) -> str:
        """What to search the affiliations page for to find who is counted here."""
        return self.person or self.name


@dataclass(frozen=True)
class Measure:
    """One of the four measures in one window; shares are fractions, None when empty."""

    key: str
    title: str
    total: int
    organisations: tuple[OrganisationCount, ...]

    @property
    def top1(self) -> float | None:
        if not self.total:
            return None
        return self.organisations[0].share

    @property
    def top2(self) -> float | None:
        if not self.total:
            return None
        return sum(org.share for org in self.organisations[:2])

    @property
    def top1_percent(self) -> str:
        return percent(self.top1)

    @property
    def top2_percent(self) -> str:
        return percent(self.top2)

    @property
    def top_names(self) -> tuple[str, ...]:
        return tuple(org.name for org in self.organisations[:2])

    @property
    def organisation_count(self) -> int:
        return len(self.organisations)


@dataclass(frozen=True)
class Window:
    """The four measures over [start, end): ``end`` is exclusive, both are UTC dates."""

    start: date
    end: date
    merged_total: int
    active_bar: int
    measures: tuple[Measure, ...]

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures if m.key == key)


@dataclass(frozen=True)
class Diversity:
    """The panel: the current window, the one six months before, and the trend (oldest first)."""

    team: Team
    current: Window
    previous: Window | None
    trend: tuple[Window, ...]
    unaffiliated: tuple[str, ...]  # people counted in the current window with no record

    def comparisons(self) -> list[dict[str, Any]]:
        """Per measure: now, six months before, and the sentence that puts them in context."""
        rows = []
        for measure in self.current.measures:
            before = self.previous.measure(measure.key) if self.previous else None
            rows.append({"now": measure, "before": before, "context": context(measure, before)})
        return rows


def context(now: Measure, before: Measure | None) -> str:
    """One plain sentence: the top organisation's share now, against six months before."""
    unit = now.title[0].lower() + now.title[1:]
    if not now.total:
        return f"No {unit} in this window."
    top = now.organisations[0]
    sentence = f"Top organisation: {top.name}, {top.percent} of {unit} ({top.count} of {now.total})"
    if before is None or not before.total:
        return sentence + "; no full window six months before to compare with."
    previous = next((o for o in before.organisations if o.key == top.key), None)
    share_before = previous.share if previous else 0.0
    if percent(share_before) == top.percent:
        sentence += ", the same as six months before"
    else:
        direction = "up" if top.share > share_before else "down"
        sentence += f", {direction} from {percent(share_before)} six months before"
    if before.organisations[0].key != top.key:
        leader = before.organisations[0]
        sentence += f" (then the top was {leader.name} with {leader.percent})"
    return sentence + "."


@dataclass(frozen=True)
class _Row:
    day: date
    account_id: int
    person: str
    affiliation_id: int | None
    count: int
    is_core: bool = False


class _UTCDate(TruncDate):
    """The UTC date of a datetime column.

    On SQLite, Django's TruncDate calls a Python function per row to convert time zones
    (most of this page's time on a large history); stored datetimes are already UTC
    text there, so SQLite's own ``date()`` gives the same answer at C speed. Other
    databases keep TruncDate's native SQL.
    """

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.lhs)
        return f"date({sql})", list(params)


def _affiliation_at(account: str, day: str) -> Subquery:
    """The id of the account's affiliation covering the day (start <= day < end), in SQL."""
    return Subquery(
        Affiliation.objects.filter(account=OuterRef(account))
        .filter(Q(start__isnull=True) | Q(start__lte=OuterRef(day)))
        .filter(Q(end__isnull=True) | Q(end__gt=OuterRef(day)))
        .order_by(F("start").desc(nulls_last=True), "-pk")
        .values("pk")[:1]
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _merged_rows(team: Team, since: date, until: date) -> list[_Row]:
    """Merged changes per (day, owner, affiliation) in [since, until): one query."""
    rows = (
        Change.objects.in_team(team)
        .merged()
        .filter(owner__is_bot=False, closed__gte=_midnight(since), closed__lt=_midnight(until))
        .annotate(day=_UTCDate("closed", tzinfo=UTC))
        .annotate(affiliation=_affiliation_at("owner", "day"))
        .values("day", "owner", "owner__name", "owner__username", "affiliation")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return [
        _Row(
            r["day"], r["owner"], r["owner__name"] or r["owner__username"], r["affiliation"], r["n"]
        )
        for r in rows
    ]


def _review_rows(team: Team, since: date, until: date) -> list[_Row]:
    """Reviews per (day, reviewer, affiliation, core at the time) in [since, until): one query.

    Reviews are the stored ``gerrit.Review`` rows (one per reviewer, change and patch set,
    valued and dated by the latest counted vote), read by the (repository, granted) index.
    """
    rows = (
        Review.objects.filter(
            repository__team=team,
            label="Code-Review",
            granted__gte=_midnight(since),
            granted__lt=_midnight(until),
        )
        .annotate(day=_UTCDate("granted", tzinfo=UTC))
        .annotate(affiliation=_affiliation_at("account", "day"), is_core=F("by_core"))
        .values("day", "account", "account__name", "account__username", "affiliation", "is_core")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return [
        _Row(
            r["day"],
            r["account"],
            r["account__name"] or r["account__username"],
            r["affiliation"],
            r["n"],
            r["is_core"],
        )
        for r in rows
    ]


class _Organisations:
    """Maps a row's affiliation to the organisation it counts for (one query, up front)."""

    def __init__(self, affiliation_ids: Iterable[int]) -> None:
        self._by_affiliation = {
            a["pk"]: (a["organisation"], a["organisation__name"])
            for a in Affiliation.objects.filter(pk__in=set(affiliation_ids)).values(
                "pk", "organisation", "organisation__name"
            )
        }
        self.names: dict[str, str] = {}
        self.independent: set[str] = set()
        self.unrecorded: dict[str, str] = {}
        self._memo: dict[tuple[int | None, int], str] = {}
        self.people: dict[str, str] = {}

    def key(self, row: _Row) -> str:
        """The organisation key a row counts for ("org:<id>", or "person:<id>" alone)."""
        memo = self._memo.get((row.affiliation_id, row.account_id))
        if memo is not None:
            return memo
        key = self._key(row)
        self._memo[(row.affiliation_id, row.account_id)] = key
        return key

    def _key(self, row: _Row) -> str:
        organisation = self._by_affiliation.get(row.affiliation_id) if row.affiliation_id else None
        if organisation and organisation[0] is not None:
            key = f"org:{organisation[0]}"
            self.names[key] = organisation[1]
            return key
        key = f"person:{row.account_id}"
        self.independent.add(key)
        self.people[key] = row.person
        if row.affiliation_id is None:
            self.names.setdefault(key, f"{row.person} (no affiliation recorded)")
            self.unrecorded[key] = row.person
        else:
            self.names[key] = f"{row.person} (independent)"
        return key


def _measure(key: str, title: str, counts: Counter[str], orgs: _Organisations) -> Measure:
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], orgs.names[item[0]]))
    return Measure(
        key=key,
        title=title,
        total=total,
        organisations=tuple(
            OrganisationCount(
                key=org,
                name=orgs.names[org],
                count=n,
                share=n / total,
                independent=org in orgs.independent,
                person=orgs.people.get(org, ""),
            )
            for org, n in ordered
        ),
    )


def _between(rows: list[_Row], days: list[date], start: date, end: date) -> list[_Row]:
    return rows[bisect.bisect_left(days, start) : bisect.bisect_left(days, end)]


def _window(
    *,
    start: date,
    end: date,
    merged: list[_Row],
    merged_days: list[date],
    reviews: list[_Row],
    review_days: list[date],
    orgs: _Organisations,
) -> Window:
    merged_counts: Counter[str] = Counter()
    for row in _between(merged, merged_days, start, end):
        merged_counts[orgs.key(row)] += row.count
    merged_total = sum(merged_counts.values())

    review_counts: Counter[str] = Counter()
    per_reviewer: Counter[int] = Counter()
    window_reviews = _between(reviews, review_days, start, end)
    for row in window_reviews:
        review_counts[orgs.key(row)] += row.count
        per_reviewer[row.account_id] += row.count

    # The tag's bar: 30 reviews, or 2% of the window's merged changes if that is fewer.
    bar = min(ACTIVE_MIN_REVIEWS, _ceil(ACTIVE_SHARE_OF_MERGED * merged_total))
    active = {account for account, n in per_reviewer.items() if n >= bar and n > 0}
    core_counts: Counter[str] = Counter()
    seat_of: dict[int, str] = {}
    for row in window_reviews:  # ordered by day, so the last key seen is the latest
        if row.is_core and row.account_id in active:
            key = orgs.key(row)
            core_counts[key] += row.count
            seat_of[row.account_id] = key
    seats = Counter(seat_of.values())
    return Window(
        start=start,
        end=end,
        merged_total=merged_total,
        active_bar=bar,
        measures=(
            _measure("merged", MEASURES[0][1], merged_counts, orgs),
            _measure("reviews", MEASURES[1][1], review_counts, orgs),
            _measure("core_reviews", MEASURES[2][1], core_counts, orgs),
            _measure("core_seats", MEASURES[3][1], seats, orgs),
        ),
    )


def _ceil(value: float) -> int:
    whole = int(value)
    return whole if whole == value else whole + 1


def team_diversity(*, team: Team, at: date, points: int = TREND_POINTS) -> Diversity:
    """The diversity panel for the 180 days before ``at`` (exclusive), and its trend.

    The trend has up to ``points`` windows ending every 30 days back from ``at`` (oldest
    first), but none whose window starts before the team's first merged change or review
    (a window reaching before the history would understate every count). The current
    window is always the trend's last point. Three SQL queries.
    """
    window = timedelta(days=WINDOW_DAYS)
    since = at - window - timedelta(days=TREND_STEP_DAYS * (points - 1))
    merged = _merged_rows(team, since, at)
    reviews = _review_rows(team, since, at)
    orgs = _Organisations(r.affiliation_id for r in merged + reviews if r.affiliation_id)
    merged_days = [r.day for r in merged]
    review_days = [r.day for r in reviews]
    first_day = min(merged_days[:1] + review_days[:1], default=at)

    def build(end: date) -> Window:
        return _window(
            start=end - window,
            end=end,
            merged=merged,
            merged_days=merged_days,
            reviews=reviews,
            review_days=review_days,
            orgs=orgs,
        )

    current = build(at)
    unaffiliated = tuple(sorted(orgs.unrecorded.values()))  # only the current window's people
    trend: list[Window] = [current]
    by_end: dict[date, Window] = {at: current}
    for step in range(1, points):
        end = at - timedelta(days=TREND_STEP_DAYS * step)
        if end - window < first_day:
            break
        by_end[end] = build(end)
        trend.append(by_end[end])
    previous = by_end.get(at - window)  # six 30-day steps back, when the history has it
    return Diversity(
        team=team,
        current=current,
        previous=previous,
        trend=tuple(reversed(trend)),
        unaffiliated=unaffiliated,
    )


def trend_series(diversity: Diversity, key: str) -> dict[str, list[tuple[date, float]]]:
    """A measure's top-1 and top-2 shares (percent) at each trend point, for a chart.

    A point is dated by its window's last day. Windows where the measure is empty are left
    out rather than drawn as 0%.
    """
    top1: list[tuple[date, float]] = []
    top2: list[tuple[date, float]] = []
    for window in diversity.trend:
        measure = window.measure(key)
        if measure.total:
            top1.append((window.last_day, round(100 * (measure.top1 or 0), 1)))
            top2.append((window.last_day, round(100 * (measure.top2 or 0), 1)))
    return {"Top organisation": top1, "Top two organisations": top2}


def diversity_json(diversity: Diversity) -> dict[str, Any]:
    """The panel's figures as JSON-ready data (the ``diversity`` command prints this)."""

    def window_json(window: Window) -> dict[str, Any]:
        return {
            "start": window.start.isoformat(),
            "last_day": window.last_day.isoformat(),
            "merged_total": window.merged_total,
            "active_reviewer_bar": window.active_bar,
            "measures": {
                m.key: {
                    "total": m.total,
                    "top1_share": None if m.top1 is None else round(m.top1, 4),
                    "top2_share": None if m.top2 is None else round(m.top2, 4),
                    "organisations": [
                        {"name": o.name, "count": o.count, "share": round(o.share, 4)}
                        for o in m.organisations
                    ],
                }
                for m in window.measures
            },
        }

    return {
        "team": diversity.team.name,
        "window_days": WINDOW_DAYS,
        "current": window_json(diversity.current),
        "six_months_before": window_json(diversity.previous) if diversity.previous else None,
        "trend": [
            {
                "last_day": w.last_day.isoformat(),
                **{
                    m.key: {
                        "top1_share": None if m.top1 is None else round(m.top1, 4),
                        "top2_share": None if m.top2 is None else round(m.top2, 4),
                    }
                    for m in w.measures
                },
            }
            for w in diversity.trend
        ],
        "unaffiliated": list(diversity.unaffiliated),
    }
