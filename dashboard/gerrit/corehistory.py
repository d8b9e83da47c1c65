"""Core-group history before Tiller first looked: estimated from who gave +2 votes, and when.

A sync sees the core group as it is now; Gerrit keeps no membership history that an
ordinary account can read. Without an estimate, every statistic that asks "was this
reviewer core when they voted?" would treat the whole past as core-less. In Gerrit teams
like OpenStack's only core reviewers can give Code-Review +2 on the main branches, so a
person's first and last +2 there bound a stretch of membership from the inside: the real
stretch began no later and ended no earlier. Stable branches are left out because their
+2s come from a separate stable-maintenance group.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Min

from dashboard.gerrit.models import CoreMembership, Team, Vote
from dashboard.gerrit.reviews import refresh_review_flags


@transaction.atomic
def infer_core_history(*, team: Team) -> int:
    """Extend the team's observed core stretches back to each member's first +2, and add
    closed stretches for past +2 voters no sync has seen in the group. Returns how many
    stretches were added or moved.

    Idempotent: an earlier estimate is recomputed, never stacked. Only the earliest stretch
    of each person moves, and only backwards.
    """
    if not team.core_group and not team.core_usernames:
        return 0
    spans = {
        row["account"]: (row["first"], row["last"])
        for row in Vote.objects.filter(
            repository__team=team,
            label="Code-Review",
            value=2,
            removal=False,
            is_bot=False,
        )
        .exclude(change__branch__startswith="stable/")
        .values("account")
        .annotate(first=Min("granted"), last=Max("granted"))
    }
    if not spans:
        return 0
    changed = 0
    earliest: dict[int, CoreMembership] = {}
    for stretch in team.core_memberships.order_by("joined"):
        earliest.setdefault(stretch.account_id, stretch)
    moved = []
    for account_id, stretch in earliest.items():
        first = spans.get(account_id, (None, None))[0]
        if first is not None and first < stretch.joined:
            stretch.joined = first
            stretch.inferred = True
            moved.append(stretch)
    CoreMembership.objects.bulk_update(moved, ["joined", "inferred"])
    changed += len(moved)
    added = [
        # ``left`` is exclusive, so the stretch ends just after the last +2 it explains.
        CoreMembership(
            team=team,
            account_id=account_id,
            joined=first,
            left=last + timedelta(seconds=1),
            inferred=True,
        )
        for account_id, (first, last) in spans.items()
        if account_id not in earliest
    ]
    CoreMembership.objects.bulk_create(added)
    if moved or added:
        refresh_review_flags(
            team=team, account_ids=[stretch.account_id for stretch in [*moved, *added]]
        )
    return changed + len(added)
