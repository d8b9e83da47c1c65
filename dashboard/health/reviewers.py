"""Reviewer activity for a window: reviewstats' reviewers report, defined exactly, in SQL.

Definitions (shared by every health page, so figures agree):

* A **review** is one (reviewer, change, patch set) on which a human cast a Code-Review vote
  other than 0, not a removal, whose latest such vote falls in the window; its value is that
  latest vote. Votes on one's own change (reviewer = change owner) are not reviews.
* Votes Gerrit copies forward onto a new patch set (a trivial rebase; ``Vote.source`` is
  "label") are not new reviews: nobody looked at the new patch set. reviewstats counts them,
  so its figures run higher where rebases are frequent.
* **+A** is a Workflow +1 by the same per-patch-set rule.
* A **disagreement** is a +1/+2 review given before the latest core -1/-2 review on the same
  patch set, or a -1/-2 given before the latest core +1/+2 (reviewstats' rule). "Core" is
  membership at the time of that later vote, not today's group as in reviewstats.
* Reviews are stored rows (``gerrit.Review``, derived by the sync from every vote event), so
  a review is valued and dated by its latest vote at any time: one voted in the window and
  changed after its end counts in the window of that later vote, not in this one (before
  the table, votes after the window's end were not seen).
* **received** counts reviews by others on the reviewer's own changes in the window.
* **core** says whether the reviewer was a core member at the window's end.

* "Core at the vote" and the disagreement's time are stored on each review
  (``Review.by_core``, ``Review.disagreed_at``; ``gerrit.reviews`` keeps them in step with
  the votes and the core memberships), so a disagreement in a window is a review of the
  window whose ``disagreed_at`` falls before the window's end.

Everything is computed by one SQL statement for the reviewers (counts per reviewer and
label over index ranges, see ``health.reviewsql.reviewer_sql``; identical on SQLite and
PostgreSQL) and five for the totals (each one index range, see ``_totals``), so the page
costs the same number of queries whatever the history size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Q

from dashboard.gerrit.models import (
    Change,
    ChangeStatus,
    CoreMembership,
    PatchSet,
    Repository,
    Team,
    in_team_repositories,
)
from dashboard.health.reviewsql import reviewer_params, reviewer_sql
from dashboard.health.window import Window


@dataclass(frozen=True)
class ReviewerRow:
    """One reviewer's figures for the window (see the module docstring for definitions)."""

    account_id: int
    username: str
    name: str
    reviews: int
    minus2: int
    minus1: int
    plus1: int
    plus2: int
    approvals: int
    disagreements: int
    received: int
    core: bool
    core_reviews: int

    @property
    def reviewer(self) -> str:
        """The Gerrit username (the account id when Gerrit gave none)."""
        return self.username or f"account-{self.account_id}"

    @property
    def plus_ratio(self) -> float | None:
        """Percentage of reviews that were +1 or +2; None without reviews."""
        return 100 * (self.plus1 + self.plus2) / self.reviews if self.reviews else None

    @property
    def disagreement_share(self) -> float | None:
        """Percentage of reviews that were disagreements; None without reviews."""
        return 100 * self.disagreements / self.reviews if self.reviews else None

    def as_json(self) -> dict[str, Any]:
        """The JSON object of the download and of ``reviewer_stats --format json``."""
        return {
            "reviewer": self.reviewer,
            "reviews": self.reviews,
            "-2": self.minus2,
            "-1": self.minus1,
            "+1": self.plus1,
            "+2": self.plus2,
            "+A": self.approvals,
            "disagreements": self.disagreements,
            "received": self.received,
            "core": self.core,
        }


@dataclass(frozen=True)
class ActivityTotals:
    """The team summary under reviewstats' table, for the same window and scope."""

    days: float
    reviews: int
    reviewers: int
    core_reviews: int
    core_team_size: int
    core_known_since: datetime | None
    new_patch_sets: int
    changes_involved: int
    created: int
    merged: int
    abandoned: int
    wip: int

    def core_history_starts_in(self, window: Window) -> bool:
        """True when Tiller knows core membership only from inside the window (the first
        sync saw the group then): earlier votes count as non-core, so core reviews and
        disagreements read low."""
        return self.core_known_since is None or self.core_known_since > window.start

    def _per_day(self, count: float) -> float:
        return count / self.days if self.days else 0.0

    @property
    def reviews_per_day(self) -> float:
        return self._per_day(self.reviews)

    @property
    def reviews_per_reviewer_per_day(self) -> float:
        return self._per_day(self.reviews / self.reviewers) if self.reviewers else 0.0

    @property
    def core_reviews_per_day(self) -> float:
        return self._per_day(self.core_reviews)

    @property
    def core_reviews_per_core_per_day(self) -> float:
        if not self.core_team_size:
            return 0.0
        return self._per_day(self.core_reviews / self.core_team_size)

    @property
    def new_patch_sets_per_day(self) -> float:
        return self._per_day(self.new_patch_sets)

    @property
    def queue_growth(self) -> int:
        """Created minus merged, abandoned and left WIP (reviewstats' formula)."""
        return self.created - self.merged - self.abandoned - self.wip

    @property
    def patch_sets_per_change(self) -> float | None:
        if not self.changes_involved:
            return None
        return self.new_patch_sets / self.changes_involved

    def as_json(self) -> dict[str, Any]:
        return {
            "days": round(self.days, 2),
            "reviews": self.reviews,
            "reviews_per_day": round(self.reviews_per_day, 2),
            "reviewers": self.reviewers,
            "core_reviews": self.core_reviews,
            "core_reviews_per_day": round(self.core_reviews_per_day, 2),
            "core_team_size": self.core_team_size,
            "core_membership_known_since": (
                self.core_known_since.isoformat() if self.core_known_since else None
            ),
            "core_reviews_per_core_per_day": round(self.core_reviews_per_core_per_day, 2),
            "new_patch_sets": self.new_patch_sets,
            "changes_involved": self.changes_involved,
            "created": self.created,
            "merged": self.merged,
            "abandoned": self.abandoned,
            "wip": self.wip,
            "queue_growth": self.queue_growth,
            "patch_sets_per_change": (
                None if self.patch_sets_per_change is None else round(self.patch_sets_per_change, 2)
            ),
        }


@dataclass(frozen=True)
class ReviewerActivity:
    team: Team
    repository: Repository | None
    window: Window
    sort: str
    reviewers: tuple[ReviewerRow, ...]
    totals: ActivityTotals

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team.name,
            "repository": self.repository.name if self.repository else None,
            "window": {
                "label": self.window.label,
                "start": self.window.start.isoformat(),
                "end": self.window.end.isoformat(),
            },
            "totals": self.totals.as_json(),
            "reviewers": [row.as_json() for row in self.reviewers],
        }


# Sort keys of the page's columns (``?sort=key`` ascending, ``?sort=-key`` descending).
SORT_KEYS: dict[str, Any] = {
    "reviewer": lambda row: row.reviewer.lower(),
    "reviews": lambda row: row.reviews,
    "minus2": lambda row: row.minus2,
    "minus1": lambda row: row.minus1,
    "plus1": lambda row: row.plus1,
    "plus2": lambda row: row.plus2,
    "approvals": lambda row: row.approvals,
    "ratio": lambda row: -1.0 if row.plus_ratio is None else row.plus_ratio,
    "disagreements": lambda row: row.disagreements,
    "share": lambda row: -1.0 if row.disagreement_share is None else row.disagreement_share,
    "received": lambda row: row.received,
    "core": lambda row: row.core,
}
DEFAULT_SORT = "-reviews"


def clean_sort(sort: str | None) -> str:
    """``sort`` if it names a column (optionally with a leading '-'), else the default."""
    sort = (sort or "").strip()
    return sort if sort.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def sort_rows(rows: list[ReviewerRow], sort: str) -> list[ReviewerRow]:
    """Rows ordered by ``sort``; ties by reviewer name, always ascending."""
    key = SORT_KEYS[sort.lstrip("-")]
    ordered = sorted(rows, key=lambda row: row.reviewer.lower())
    return sorted(ordered, key=key, reverse=sort.startswith("-"))


def _reviewer_rows(*, team: Team, repository: Repository | None, window: Window) -> list:
    params = reviewer_params(team=team, repository=repository, window=window)
    with connection.cursor() as cursor:
        cursor.execute(reviewer_sql(one_repository=repository is not None), params)
        return [
            ReviewerRow(
                account_id=row[0],
                username=row[1],
                name=row[2],
                reviews=int(row[3]),
                minus2=int(row[4]),
                minus1=int(row[5]),
                plus1=int(row[6]),
                plus2=int(row[7]),
                approvals=int(row[8]),
                disagreements=int(row[9]),
                received=int(row[10]),
                core=bool(row[11]),
                core_reviews=int(row[12]),
            )
            for row in cursor.fetchall()
        ]


def _totals(
    *, team: Team, repository: Repository | None, window: Window, rows: list[ReviewerRow]
) -> ActivityTotals:
    # Every count reads one range of an index led by the repository, so its cost follows
    # the window, not the team's history: PatchSet.repository is copied from the change
    # for this; an OR of created/closed/WIP would make the database scan instead. Counts are
    # of COUNT(*) or an indexed column, not of the key: the key is in none of these indexes,
    # and reading it would visit the table for every row.
    scope = Q(repository=repository) if repository is not None else in_team_repositories(team)
    in_window = {"created__gte": window.start, "created__lt": window.end}
    closed = {"closed__gte": window.start, "closed__lt": window.end}
    patch_sets = PatchSet.objects.filter(scope, **in_window).aggregate(
        count=Count("*"), changes=Count("change", distinct=True)
    )
    changes = Change.objects.filter(scope)
    created = changes.filter(**in_window).count()
    ended = changes.filter(
        status__in=[ChangeStatus.MERGED, ChangeStatus.ABANDONED], **closed
    ).aggregate(
        merged=Count("status", filter=Q(status=ChangeStatus.MERGED)),
        abandoned=Count("status", filter=Q(status=ChangeStatus.ABANDONED)),
    )
    involved = Exists(PatchSet.objects.filter(change=OuterRef("pk"), **in_window))
    wip = changes.filter(involved, status=ChangeStatus.NEW, work_in_progress=True).count()
    at_end = Q(joined__lt=window.end) & (Q(left__isnull=True) | Q(left__gte=window.end))
    membership = CoreMembership.objects.filter(team=team).aggregate(
        size=Count("id", filter=at_end), known_since=Min("joined")
    )
    return ActivityTotals(
        days=window.length_days,
        core_team_size=membership["size"],
        core_known_since=membership["known_since"],
        reviews=sum(row.reviews for row in rows),
        reviewers=sum(1 for row in rows if row.reviews),
        core_reviews=sum(row.core_reviews for row in rows),
        new_patch_sets=patch_sets["count"],
        changes_involved=patch_sets["changes"],
        created=created,
        wip=wip,
        **ended,
    )


def reviewer_activity(
    *, team: Team, window: Window, repository: Repository | None = None, sort: str = DEFAULT_SORT
) -> ReviewerActivity:
    """Every reviewer's figures and the team totals for ``window``, over the team's
    repositories or only ``repository``; rows ordered by ``sort`` (see ``SORT_KEYS``).

    Six SQL queries whatever the data size.
    """
    sort = clean_sort(sort)
    rows = _reviewer_rows(team=team, repository=repository, window=window)
    totals = _totals(team=team, repository=repository, window=window, rows=rows)
    return ReviewerActivity(
        team=team,
        repository=repository,
        window=window,
        sort=sort,
        reviewers=tuple(sort_rows(rows, sort)),
        totals=totals,
    )


def window_now() -> datetime:
    """Now, the end of rolling windows (one place, so tests and pages agree)."""
    from django.utils import timezone

    return timezone.now()
