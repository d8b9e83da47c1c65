"""Open reviews: reviewstats' ``openreviews`` report over the synced data.

Scope (as reviewstats): open changes that are not work in progress (WIP flag or Workflow
-1), not approved (Workflow +1) and not on a ``stable/`` branch. A change waits on its
submitter when its current patch set has a Code-Review -1/-2 or a Verified -1; otherwise it
waits on reviewers. Merge conflicts (Gerrit says the change does not merge) are counted
beside that split, since reviewstats cannot see them.

For changes waiting on reviewers, three clocks, each from a patch set's *age*: now minus
its earliest vote (reviewstats' proxy for "CI reported"), else its upload time:

- ``current``: the current patch set;
- ``first``: the first patch set;
- ``no_negative``: the oldest patch set of the trailing run without a -1/-2 (Code-Review or
  Verified), i.e. how long the change has been waiting without being told what to fix.

Each clock gives the mean, reviewstats' quartiles (``sorted[len * q // 4]``), how many wait
more than N days, and the five longest. Differences from reviewstats, shown on the page:
votes Gerrit copied forward on a rebase (which no message announces) do not date a patch
set, since they were cast on an earlier one; "negative" on an older patch set means a vote
still standing on it (a -1 later changed to +1 does not count).

Each clock's start is kept per open change (``ReviewClocks``, derived from its patch sets
and votes by ``gerrit.clocks`` whenever the store writes it), so the report is two SQL
queries whatever the size: the open changes' figures as plain values, then whole rows of
the changes the page lists. Ages and quartiles are computed in Python over that bounded
list of open changes. A change whose clocks were never derived (none of its rows came
through the store) is timed as one without patch set rows: from its current patch set's
creation, else its own.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeStatus, Team, in_team_repositories

DEFAULT_DAYS = 7
LONGEST = 5
# A big team has hundreds of changes in merge conflict: the page lists those waiting
# longest (the report counts them all).
CONFLICTS_LISTED = 50
CONFLICT_ORDER = Coalesce("current_patch_set_created", "created")

CLOCKS = {
    "current": (
        "Since the current patch set",
        "Age of the latest patch set: how long the current version has waited for review.",
    ),
    "first": (
        "Since the first patch set",
        "Age of the first patch set: how long the change has been under review in all.",
    ),
    "no_negative": (
        "Since the last negative feedback",
        "Age of the oldest patch set in the latest run of patch sets without a -1 or -2: "
        "how long the owner has waited without being told what to fix.",
    ),
}


def in_scope(team: Team) -> QuerySet[Change]:
    """The open changes reviewstats counts: not WIP, not approved, not on stable branches.

    The team's repositories are chosen first (a subquery on a small table), so the
    database reads their open changes by the (status, repository, …) index; joining the
    repository instead made SQLite read every open change of the server and keep the
    team's (72 ms instead of 25 for the biggest of fifty teams, 300,000 changes).
    """
    return (
        Change.objects.filter(
            in_team_repositories(team),
            status=ChangeStatus.NEW,
            work_in_progress=False,
            workflow=0,
        )
        .exclude(branch__startswith="stable/")
        .order_by()
    )


def waiting_on_submitter_q() -> Q:
    """Current patch set has a Code-Review -1/-2 or a Verified -1 (denormalised columns)."""
    return Q(cr_min__lt=0) | Q(verified__lt=0)


def unindexed(column: str) -> ExpressionWrapper:
    """``column + 0``: the same value, but SQLite cannot use an index on it.

    "Is there a later vote by this account on this patch set?" must search the
    (change, patch set) index. Given ``account_id = ? AND granted > ?`` SQLite prefers the
    (account, granted) index instead and scans a busy reviewer's every later vote, which
    made these subqueries a hundred times slower on a real-sized history.
    """
    return ExpressionWrapper(F(column) + 0, output_field=IntegerField())


@dataclass(frozen=True, slots=True)
class _OpenChange:
    """What the figures need of one open change. A big team has thousands open and only
    the few the page lists need a whole row (model instances cost ten times as much).
    ``start_*`` is when each clock starts (None when the change waits on its submitter)
    and ``conflict_since`` its current patch set's upload (None unless in merge conflict):
    only the times used are turned into datetimes, which is most of the cost per row."""

    pk: int
    number: int
    mergeable: bool | None
    on_submitter: bool
    conflict_since: datetime | None  # the listing order of a change in merge conflict
    start_current: datetime | None
    start_first: datetime | None
    start_no_negative: datetime | None


_OPEN_FIELDS = tuple(f.name for f in fields(_OpenChange))


@dataclass(frozen=True, slots=True)
class WaitingChange:
    """One change on one clock. ``change`` is the whole row in the report (the page links
    it); while the figures are computed it is the change's ``_OpenChange``."""

    change: Change | _OpenChange
    age: timedelta

    @property
    def days(self) -> float:
        return self.age.total_seconds() / 86400


@dataclass(frozen=True)
class ClockStats:
    """Figures of one clock over the changes waiting on reviewers (None: no such change)."""

    key: str
    title: str
    description: str
    count: int
    mean: timedelta | None
    q1: timedelta | None
    median: timedelta | None
    q3: timedelta | None
    over_days: int
    longest: list[WaitingChange]

    def as_json(self) -> dict[str, Any]:
        def days(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds() / 86400, 2)

        return {
            "mean_days": days(self.mean),
            "q1_days": days(self.q1),
            "median_days": days(self.median),
            "q3_days": days(self.q3),
            "over_days": self.over_days,
            "longest": [
                {"number": w.change.number, "subject": w.change.subject, "days": days(w.age)}
                for w in self.longest
            ],
        }


@dataclass(frozen=True)
class OpenReviews:
    team: Team
    now: datetime
    days: int
    total: int
    waiting_on_submitter: int
    waiting_on_reviewer: int
    merge_conflicts: int
    merge_conflicts_waiting_on_reviewer: int
    clocks: list[ClockStats] = field(default_factory=list)
    # The CONFLICTS_LISTED changes in merge conflict waiting longest, longest first.
    conflicted: list[Change] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The figures as the command prints them (ages in days, two decimals)."""
        return {
            "team": self.team.name,
            "now": self.now.isoformat(),
            "days": self.days,
            "total": self.total,
            "waiting_on_submitter": self.waiting_on_submitter,
            "waiting_on_reviewer": self.waiting_on_reviewer,
            "merge_conflicts": self.merge_conflicts,
            "merge_conflicts_waiting_on_reviewer": self.merge_conflicts_waiting_on_reviewer,
            "clocks": {clock.key: clock.as_json() for clock in self.clocks},
        }


def quartiles(ages: list[timedelta]) -> tuple[timedelta, timedelta, timedelta] | None:
    """reviewstats' quartiles: ``sorted[len * q // 4]`` for q = 1, 2, 3 (no interpolation)."""
    if not ages:
        return None
    ordered = sorted(ages)
    n = len(ordered)
    return ordered[n // 4], ordered[n * 2 // 4], ordered[n * 3 // 4]


def clock_stats(
    key: str, waiting: list[WaitingChange], *, days: int, longest: int = LONGEST
) -> ClockStats:
    """Mean, quartiles, count over ``days`` and the longest waits of one clock."""
    title, description = CLOCKS[key]
    ages = [w.age for w in waiting]
    quarters = quartiles(ages)
    mean = sum(ages, timedelta()) / len(ages) if ages else None
    ranked = sorted(waiting, key=lambda w: (-w.age, w.change.number))
    return ClockStats(
        key=key,
        title=title,
        description=description,
        count=len(ages),
        mean=mean,
        q1=quarters[0] if quarters else None,
        median=quarters[1] if quarters else None,
        q3=quarters[2] if quarters else None,
        over_days=sum(1 for age in ages if age > timedelta(days=days)),
        longest=ranked[:longest],
    )


def _clock_starts() -> dict[str, Case]:
    """Per clock, when it starts for a change waiting on reviewers: the change's stored
    clock (``ReviewClocks``), else its own columns, as for a change without patch set
    rows. NULL for a change waiting on its submitter: its clocks are not read, and turning
    database values into datetimes was most of what the figures cost in Python."""
    fallback = ("current_patch_set_created", "created")
    columns = {
        "current": ("review_clocks__current", *fallback),
        "first": ("review_clocks__first", "created"),
        "no_negative": ("review_clocks__no_negative", *fallback),
    }
    return {
        f"start_{key}": Case(
            When(waiting_on_submitter_q(), then=Value(None)),
            default=Coalesce(*columns[key]),
            output_field=DateTimeField(),
        )
        for key in CLOCKS
    }


def open_reviews(
    *, team: Team, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> OpenReviews:
    """The open-reviews report of ``team`` at ``now`` (default: the present), in two
    queries: the figures and clocks of every open change, then the rows listed."""
    now = now or timezone.now()
    scope = in_scope(team)
    rows = scope.annotate(
        on_submitter=waiting_on_submitter_q(),
        conflict_since=Case(When(mergeable=False, then=CONFLICT_ORDER), default=Value(None)),
        **_clock_starts(),
    )
    changes = [_OpenChange(*row) for row in rows.values_list(*_OPEN_FIELDS)]
    on_reviewer = [change for change in changes if not change.on_submitter]
    waiting: dict[str, list[WaitingChange]] = {key: [] for key in CLOCKS}
    for change in on_reviewer:
        starts = (change.start_current, change.start_first, change.start_no_negative)
        for key, start in zip(CLOCKS, starts, strict=True):
            waiting[key].append(WaitingChange(change=change, age=max(now - start, timedelta())))
    clocks = [clock_stats(key, waiting[key], days=days) for key in CLOCKS]
    conflicts = [change for change in changes if change.mergeable is False]
    oldest_conflicts = [
        change.pk
        for change in heapq.nsmallest(
            CONFLICTS_LISTED, conflicts, key=lambda change: (change.conflict_since, change.number)
        )
    ]
    listed = _listed_rows(
        {w.change.pk for clock in clocks for w in clock.longest}, oldest_conflicts
    )
    return OpenReviews(
        team=team,
        now=now,
        days=days,
        total=len(changes),
        waiting_on_submitter=len(changes) - len(on_reviewer),
        waiting_on_reviewer=len(on_reviewer),
        merge_conflicts=len(conflicts),
        merge_conflicts_waiting_on_reviewer=sum(
            1 for change in on_reviewer if change.mergeable is False
        ),
        clocks=[
            replace(clock, longest=[replace(w, change=listed[w.change.pk]) for w in clock.longest])
            for clock in clocks
        ],
        # Oldest current patch set first (CONFLICT_ORDER, then the number).
        conflicted=[listed[pk] for pk in oldest_conflicts],
    )


def _listed_rows(longest: set[int], oldest_conflicts: list[int]) -> dict[int, Change]:
    """Whole rows, by id, of the changes the page lists (each clock's longest waits and
    the oldest merge conflicts): one query by primary key, none when nothing is listed."""
    wanted = longest.union(oldest_conflicts)
    if not wanted:
        return {}
    rows = Change.objects.with_row_data().filter(pk__in=wanted).order_by()
    return {change.pk: change for change in rows}
