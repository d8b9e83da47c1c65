"""The core team at a glance: who reviews, how much, since when, for whom, with what time.

Reviews follow the shared definition (see ``health.reviewers``), over the team's
repositories. Membership is the team's open ``CoreMembership`` stretches (today's core
group); "joined" is the start of the current stretch as Tiller observed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery

from dashboard.gerrit.models import Account, CoreMembership, Review, Team
from dashboard.health.models import ActivityThresholds, Affiliation, DeclaredBandwidth
from dashboard.health.models.activity import DEFAULT_ACTIVE_REVIEWS, DEFAULT_OCCASIONAL_REVIEWS
from dashboard.health.reviewsql import CODE_REVIEW, review_params, reviews_sql
from dashboard.health.window import Window

PERIODS = (30, 90, 180)
ACTIVE, OCCASIONAL, INACTIVE = "active", "occasional", "inactive"
ACTIVITY_CLASSES = (ACTIVE, OCCASIONAL, INACTIVE)
CLASS_PERIOD_DAYS = 90


@dataclass(frozen=True)
class Thresholds:
    """Reviews in the last 90 days that make a core active or occasional (else inactive)."""

    active_reviews: int
    occasional_reviews: int

    def classify(self, reviews_90: int) -> str:
        if reviews_90 >= self.active_reviews:
            return ACTIVE
        if reviews_90 >= self.occasional_reviews:
            return OCCASIONAL
        return INACTIVE


@dataclass(frozen=True)
class CoreMember:
    account: Account
    joined: datetime
    reviews_30: int
    reviews_90: int
    reviews_180: int
    last_review: datetime | None
    activity: str
    bandwidth: DeclaredBandwidth | None
    organisation: str | None
    affiliated: bool

    @property
    def silent_90_days(self) -> bool:
        """No review in the last 90 days: what a PTL looks for first."""
        return self.reviews_90 == 0


@dataclass(frozen=True)
class CoreTeam:
    team: Team
    now: datetime
    thresholds: Thresholds
    members: tuple[CoreMember, ...]

    @property
    def silent(self) -> tuple[CoreMember, ...]:
        return tuple(member for member in self.members if member.silent_90_days)

    def count(self, activity: str) -> int:
        return sum(1 for member in self.members if member.activity == activity)


def team_thresholds(*, team: Team) -> Thresholds:
    """The team's thresholds, or the defaults when it set none."""
    row = ActivityThresholds.objects.filter(team=team).first()
    if row is None:
        return Thresholds(DEFAULT_ACTIVE_REVIEWS, DEFAULT_OCCASIONAL_REVIEWS)
    return Thresholds(row.active_reviews, row.occasional_reviews)


def _review_counts(*, team: Team, now: datetime) -> dict[int, tuple[int, int, int]]:
    """(30, 90, 180)-day review counts per reviewer, in one statement."""
    longest = Window(start=now - timedelta(days=max(PERIODS)), end=now, label="")
    ops = connection.ops
    cuts = [ops.adapt_datetimefield_value(now - timedelta(days=days)) for days in PERIODS]
    sql = reviews_sql(one_repository=False, current_core_only=True) + (
        "SELECT r.account_id, "
        + ", ".join("SUM(CASE WHEN r.granted >= %s THEN 1 ELSE 0 END)" for _ in PERIODS)
        + f" FROM reviews r WHERE r.label = '{CODE_REVIEW}' GROUP BY r.account_id"
    )
    params = review_params(team=team, repository=None, window=longest, current_core_only=True)
    params += cuts
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(int(n) for n in row[1:]) for row in cursor.fetchall()}


def _last_review(*, team: Team) -> Subquery:
    """The member's latest review on the team's repositories, at any time: one backward step
    along the (account, granted) index per member, not a scan of their history."""
    votes = (
        Review.objects.filter(
            account_id=OuterRef("account_id"), repository__team=team, label=CODE_REVIEW
        )
        .order_by("-granted")
        .values("granted")[:1]
    )
    return Subquery(votes)


def _organisations(*, account_ids: list[int], today: date) -> dict[int, str | None]:
    """Current organisation per account (None: independent); accounts absent have none
    recorded."""
    current = Affiliation.objects.filter(
        Q(start__isnull=True) | Q(start__lte=today),
        Q(end__isnull=True) | Q(end__gt=today),
        account_id__in=account_ids,
    ).select_related("organisation")
    found: dict[int, str | None] = {}
    for affiliation in current.order_by("account_id", F("start").desc(nulls_last=True)):
        if affiliation.account_id not in found:
            organisation = affiliation.organisation
            found[affiliation.account_id] = organisation.name if organisation else None
    return found


def _bandwidths(*, team: Team, account_ids: list[int]) -> dict[int, DeclaredBandwidth]:
    """The latest declaration per account (rows are history, newest first)."""
    latest: dict[int, DeclaredBandwidth] = {}
    declared = DeclaredBandwidth.objects.filter(team=team, account_id__in=account_ids)
    for row in declared.select_related("set_by").order_by("-set_at", "-id"):
        latest.setdefault(row.account_id, row)
    return latest


def core_team(*, team: Team, now: datetime) -> CoreTeam:
    """Today's core members, most active first, with their figures (five queries)."""
    memberships = list(
        CoreMembership.objects.filter(team=team, left__isnull=True)
        .select_related("account")
        .annotate(last_review=_last_review(team=team))
    )
    ids = [membership.account_id for membership in memberships]
    thresholds = team_thresholds(team=team)
    counts = _review_counts(team=team, now=now)
    organisations = _organisations(account_ids=ids, today=now.date())
    bandwidths = _bandwidths(team=team, account_ids=ids)
    members = []
    for membership in memberships:
        r30, r90, r180 = counts.get(membership.account_id, (0, 0, 0))
        members.append(
            CoreMember(
                account=membership.account,
                joined=membership.joined,
                reviews_30=r30,
                reviews_90=r90,
                reviews_180=r180,
                last_review=membership.last_review,
                activity=thresholds.classify(r90),
                bandwidth=bandwidths.get(membership.account_id),
                organisation=organisations.get(membership.account_id),
                affiliated=membership.account_id in organisations,
            )
        )
    members.sort(key=lambda member: (-member.reviews_90, str(member.account).lower()))
    return CoreTeam(team=team, now=now, thresholds=thresholds, members=tuple(members))
