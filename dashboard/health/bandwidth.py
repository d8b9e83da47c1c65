"""Declared bandwidth and activity thresholds: who may set them, and setting them.

A core reviewer declares their own review time (their Tiller user is linked to their
Gerrit account through ``reviews.GerritIdentity``); the PTL may declare it for anyone on
the team, for example after a mailing-list post saying someone steps down.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from dashboard.core.roles import PTL, has_role
from dashboard.gerrit.models import Account, CoreMembership, Team
from dashboard.health.models import ActivityThresholds, DeclaredBandwidth
from dashboard.reviews.models import GerritIdentity


def _own_account_id(user: AbstractBaseUser | AnonymousUser) -> int | None:
    if not user.is_authenticated:
        return None
    return GerritIdentity.objects.filter(user=user).values_list("account_id", flat=True).first()


def can_declare(*, user: AbstractBaseUser | AnonymousUser, team: Team, account: Account) -> bool:
    """True for the PTL (or staff), and for the user whose linked account this is."""
    if has_role(user, PTL):
        return True
    return _own_account_id(user) == account.pk


def editable_accounts(*, user: AbstractBaseUser | AnonymousUser, team: Team) -> set[int] | str:
    """Account pks whose bandwidth ``user`` may declare; the string "all" for the PTL."""
    if has_role(user, PTL):
        return "all"
    own = _own_account_id(user)
    return set() if own is None else {own}


def current_bandwidth(*, team: Team, account: Account) -> DeclaredBandwidth | None:
    return DeclaredBandwidth.objects.filter(team=team, account=account).first()


@transaction.atomic
def declare_bandwidth(
    *,
    team: Team,
    account: Account,
    hours_per_week: int | None,
    stepping_down: bool,
    note: str = "",
    set_by: AbstractBaseUser | None,
) -> DeclaredBandwidth:
    """Record a new declaration (the previous ones stay as history).

    Stepping down carries no hours: a reviewer leaving gives none.
    """
    if stepping_down:
        hours_per_week = None
    return DeclaredBandwidth.objects.create(
        team=team,
        account=account,
        hours_per_week=hours_per_week,
        stepping_down=stepping_down,
        note=note,
        set_by=set_by,
        set_at=timezone.now(),
    )


@transaction.atomic
def set_activity_thresholds(
    *, team: Team, active_reviews: int, occasional_reviews: int
) -> ActivityThresholds:
    """Where the team draws its activity lines (reviews in 90 days); active > occasional >= 1."""
    if not active_reviews > occasional_reviews >= 1:
        raise ValueError("Thresholds need active > occasional >= 1.")
    row, _ = ActivityThresholds.objects.update_or_create(
        team=team,
        defaults={"active_reviews": active_reviews, "occasional_reviews": occasional_reviews},
    )
    return row


# (hours per week, stepping down, note) given to the demo's current cores in turn.
DEMO_DECLARATIONS = (
    (20, False, "Most of my week goes to reviews this cycle."),
    (10, False, ""),
    (4, False, "Mostly glance_store changes."),
    (None, True, "Stepping down at the end of the cycle: new job."),
    (8, False, ""),
)


@transaction.atomic
def seed_demo_bandwidths(*, team: Team) -> int:
    """Give a few of the team's current cores a declared bandwidth (the demo's only seed
    data of this area); returns how many were declared."""
    members = (
        CoreMembership.objects.filter(team=team, left__isnull=True)
        .select_related("account")
        .order_by("account__username")
    )
    declared = 0
    now = timezone.now()
    for membership, (hours, stepping_down, note) in zip(members, DEMO_DECLARATIONS, strict=False):
        DeclaredBandwidth.objects.create(
            team=team,
            account=membership.account,
            hours_per_week=hours,
            stepping_down=stepping_down,
            note=note,
            set_at=now - timedelta(days=3 * (declared + 1)),
        )
        declared += 1
    return declared
