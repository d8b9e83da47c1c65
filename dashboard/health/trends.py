"""Series for the backlog trends page: lists of (week or day, value), one SQL query each.

- Backlog: open changes and the reviewable backlog per day, from ``BacklogSnapshot``.
- Core reviews per week: reviews (the shared definition, stored as ``gerrit.Review``: one
  per reviewer, change and patch set, human, non-removal Code-Review != 0, not copied on a
  rebase, not the owner's own) by accounts that were core
  when they cast the review's latest vote, per week of that vote; and the same divided by
  the number of core reviewers that week.
- Time to first review (CHAOSS): from a change's first patch set to the first Code-Review
  vote by a human other than its owner, median per week of creation; changes nobody has
  reviewed yet are left out (and counted).
- Opened, merged and abandoned per week.

Weeks start on Monday (UTC); a week with nothing in it is a zero, not a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from dashboard.gerrit.models import (
    Change,
    ChangeStatus,
    CoreMembership,
    PatchSet,
    Review,
    Team,
)
from dashboard.health.models import BacklogSnapshot, SnapshotSource

Points = list[tuple[date, float]]


@dataclass(frozen=True)
class Window:
    """Whole weeks: ``start`` is a Monday, ``end`` the Monday after the current week."""

    start: date
    end: date

    @classmethod
    def last_weeks(cls, weeks: int, *, today: date | None = None) -> Window:
        today = today or timezone.now().astimezone(UTC).date()
        this_monday = today - timedelta(days=today.weekday())
        return cls(start=this_monday - timedelta(weeks=weeks - 1), end=this_monday + timedelta(7))

    @property
    def start_time(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_time(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=UTC)

    def weeks(self) -> list[date]:
        return [self.start + timedelta(weeks=k) for k in range((self.end - self.start).days // 7)]


def _week(value: datetime | date) -> date:
    day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
    return day - timedelta(days=day.weekday())


def _weekly(window: Window, counts: dict[date, float]) -> Points:
    return [(week, float(counts.get(week, 0))) for week in window.weeks()]


@dataclass(frozen=True)
class BacklogSeries:
    open_changes: Points
    reviewable: Points
    waiting_on_reviewer: Points
    waiting_on_submitter: Points
    rebuilt_days: int
    live_days: int


def backlog_series(*, team: Team, window: Window) -> BacklogSeries:
    """Daily backlog figures from the snapshots in the window (days without one are gaps)."""
    rows = list(
        BacklogSnapshot.objects.filter(
            team=team, day__gte=window.start, day__lt=window.end
        ).values_list(
            "day",
            "open_changes",
            "reviewable",
            "waiting_on_reviewer",
            "waiting_on_submitter",
            "source",
        )
    )
    return BacklogSeries(
        open_changes=[(r[0], float(r[1])) for r in rows],
        reviewable=[(r[0], float(r[2])) for r in rows],
        waiting_on_reviewer=[(r[0], float(r[3])) for r in rows],
        waiting_on_submitter=[(r[0], float(r[4])) for r in rows],
        rebuilt_days=sum(1 for r in rows if r[5] == SnapshotSource.REBUILT),
        live_days=sum(1 for r in rows if r[5] == SnapshotSource.LIVE),
    )


def reviews_in(*, team: Team, start: datetime, end: datetime) -> QuerySet[Review]:
    """The team's Code-Review reviews whose latest vote falls in [start, end).

    Stored rows (``gerrit.Review``, the one definition of a review), read by the
    (repository, granted) index. A review is dated by its latest vote, even when that vote
    falls after the window's end: it then counts in the later window only.
    """
    return Review.objects.filter(
        repository__team=team, label="Code-Review", granted__gte=start, granted__lt=end
    )


@dataclass(frozen=True)
class CoreReviewSeries:
    reviews: Points
    per_core: Points
    cores: Points


def core_reviews_per_week(*, team: Team, window: Window) -> CoreReviewSeries:
    """Core reviews per week, and per core member (members during any part of the week)."""
    counts = dict(
        reviews_in(team=team, start=window.start_time, end=window.end_time)
        .filter(by_core=True)  # core when casting it (stored, see gerrit.reviews)
        .annotate(week=TruncWeek("granted", tzinfo=UTC))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    counts = {_week(week): n for week, n in counts.items()}
    stretches = list(
        CoreMembership.objects.filter(team=team, joined__lt=window.end_time)
        .filter(Q(left__isnull=True) | Q(left__gt=window.start_time))
        .values_list("account_id", "joined", "left")
    )
    reviews, per_core, cores = [], [], []
    for week in window.weeks():
        begin = datetime.combine(week, time.min, tzinfo=UTC)
        finish = begin + timedelta(weeks=1)
        members = {
            account
            for account, joined, left in stretches
            if joined < finish and (left is None or left > begin)
        }
        n = counts.get(week, 0)
        reviews.append((week, float(n)))
        cores.append((week, float(len(members))))
        if members:
            per_core.append((week, round(n / len(members), 2)))
    return CoreReviewSeries(reviews=reviews, per_core=per_core, cores=cores)


@dataclass(frozen=True)
class CoreReviewer:
    name: str
    reviews: int
    per_week: float


def reviews_by_core_reviewer(*, team: Team, window: Window) -> list[CoreReviewer]:
    """Each core reviewer's reviews in the window (while core), busiest first. One query."""
    weeks = len(window.weeks())
    rows = (
        reviews_in(team=team, start=window.start_time, end=window.end_time)
        .filter(by_core=True)  # core when casting it (stored, see gerrit.reviews)
        .values("account_id", "account__name", "account__username", "account__account_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "account__name", "account_id")
    )
    return [
        CoreReviewer(
            name=row["account__name"]
            or row["account__username"]
            or f"account {row['account__account_id']}",
            reviews=row["n"],
            per_week=round(row["n"] / weeks, 1),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FirstReviewSeries:
    median_days: Points
    reviewed: int
    not_reviewed: int


def time_to_first_review(*, team: Team, window: Window) -> FirstReviewSeries:
    """Median days from first patch set to first non-owner human review, by creation week.

    One query fetching (created, first review) per change created in the window; the
    medians are taken in Python over that bounded list (SQL has no portable median).
    """
    first_ps = (
        PatchSet.objects.filter(change_id=OuterRef("pk")).order_by("number").values("created")[:1]
    )
    first_review = (
        Review.objects.filter(change_id=OuterRef("pk"), label="Code-Review")
        .order_by("first_granted")
        .values("first_granted")[:1]
    )
    rows = (
        Change.objects.in_team(team)
        .filter(created__gte=window.start_time, created__lt=window.end_time)
        .annotate(first_ps=Coalesce(Subquery(first_ps), F("created")))
        .annotate(first_review=Subquery(first_review))
        .values_list("first_ps", "first_review")
    )
    waits: dict[date, list[float]] = {}
    not_reviewed = 0
    for started, reviewed in rows:
        if reviewed is None:
            not_reviewed += 1
            continue
        days = max((reviewed - started).total_seconds(), 0) / 86400
        waits.setdefault(_week(started), []).append(days)
    points = [(week, round(median(waits[week]), 2)) for week in window.weeks() if week in waits]
    return FirstReviewSeries(
        median_days=points, reviewed=sum(map(len, waits.values())), not_reviewed=not_reviewed
    )


@dataclass(frozen=True)
class FlowSeries:
    opened: Points
    merged: Points
    abandoned: Points


def opened_and_closed_per_week(*, team: Team, window: Window) -> FlowSeries:
    """Changes opened, merged and abandoned per week (two grouped queries)."""
    changes = Change.objects.in_team(team)
    opened = {
        _week(week): n
        for week, n in changes.filter(created__gte=window.start_time, created__lt=window.end_time)
        .annotate(week=TruncWeek("created", tzinfo=UTC))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    }
    closed: dict[str, dict[date, int]] = {ChangeStatus.MERGED: {}, ChangeStatus.ABANDONED: {}}
    for week, status, n in (
        changes.filter(
            status__in=list(closed), closed__gte=window.start_time, closed__lt=window.end_time
        )
        .annotate(week=TruncWeek("closed", tzinfo=UTC))
        .values("week", "status")
        .annotate(n=Count("pk"))
        .values_list("week", "status", "n")
    ):
        closed[status][_week(week)] = n
    return FlowSeries(
        opened=_weekly(window, opened),
        merged=_weekly(window, closed[ChangeStatus.MERGED]),
        abandoned=_weekly(window, closed[ChangeStatus.ABANDONED]),
    )
