"""The stale-patch policy: abandon candidates, starved changes, and the abandon flow.

Abandon candidates are open changes that, for at least the team's N days (default 60), have
been in merge conflict, carried a core reviewer's -1/-2, or a CI -1, with no new patch set
since. "Since" comes from the current votes' times and the current patch set's upload: a
newer patch set restarts the clock, even when Gerrit copied a -2 forward onto it. Gerrit
does not say when a change stopped merging, so a merge conflict is dated from the current
patch set's upload: an upper bound (the page says so).

Starved changes are the opposite failure: no negative feedback, no merge conflict, not WIP
or approved, and waiting on reviewers for at least M days (default 30) since the current
patch set.

Abandoning goes through Gerrit (``GerritClient.abandon``) and only with the team server's
credentials; every attempt, dry runs included, is an ``AbandonAction`` row.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.gerrit.client import GerritClient, GerritError
from dashboard.gerrit.models import Approval, Change, ChangeStatus, CoreMembership, Team
from dashboard.gerrit.sync import client_for
from dashboard.health.models import AbandonAction, AbandonOutcome, StalePolicy

RECENT_ACTIONS = 20

CONFLICT, CORE_NEGATIVE, CI_NEGATIVE = "conflict", "core-negative", "ci-negative"
REASON_WORDS = {
    CONFLICT: "Merge conflict",
    CORE_NEGATIVE: "Core reviewer -1/-2",
    CI_NEGATIVE: "CI -1",
}


def policy_for(team: Team) -> StalePolicy:
    """The team's policy, or an unsaved one with the defaults."""
    return StalePolicy.objects.filter(team=team).first() or StalePolicy(team=team)


@transaction.atomic
def update_stale_policy(
    *, team: Team, abandon_after_days: int, starved_after_days: int, abandon_message: str
) -> StalePolicy:
    policy, _ = StalePolicy.objects.update_or_create(
        team=team,
        defaults={
            "abandon_after_days": abandon_after_days,
            "starved_after_days": starved_after_days,
            "abandon_message": abandon_message,
        },
    )
    return policy


@dataclass(frozen=True)
class StaleReason:
    kind: str
    since: datetime

    @property
    def words(self) -> str:
        return REASON_WORDS[self.kind]


@dataclass(frozen=True)
class StaleChange:
    change: Change
    reasons: list[StaleReason]
    now: datetime

    @property
    def since(self) -> datetime:
        """When the oldest reason began (starved: the current patch set's upload)."""
        return min((reason.since for reason in self.reasons), default=self.change.ps_time)

    @property
    def days(self) -> float:
        """Days stuck (candidates) or waiting since the current patch set (starved)."""
        return (self.now - self.since).total_seconds() / 86400


def _core_at(team: Team) -> Exists:
    return Exists(
        CoreMembership.objects.filter(
            team=team, account_id=OuterRef("account_id"), joined__lte=OuterRef("when")
        ).filter(Q(left__isnull=True) | Q(left__gt=OuterRef("when")))
    )


def _first_negative(label: str, *, core_of: Team | None = None) -> Subquery:
    """Time of the oldest standing negative vote on ``label`` (unknown times: the upload)."""
    votes = Approval.objects.filter(change_id=OuterRef("pk"), label=label, value__lt=0).annotate(
        when=Coalesce("granted", OuterRef("ps_time"))
    )
    if core_of is not None:
        votes = votes.filter(_core_at(core_of))
    return Subquery(votes.order_by("when").values("when")[:1])


def _open_with_clocks(team: Team) -> QuerySet[Change]:
    return (
        Change.objects.in_team(team)
        .filter(status=ChangeStatus.NEW)
        .with_row_data()
        .annotate(ps_time=Coalesce("current_patch_set_created", "created"))
    )


def abandon_candidates(
    *, team: Team, days: int, now: datetime | None = None, numbers: Sequence[int] | None = None
) -> list[StaleChange]:
    """Open changes stuck for ``days`` or more, oldest first, each with its reasons.

    ``numbers`` narrows to those change numbers (the confirmation step). One query.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    changes = (
        _open_with_clocks(team)
        .annotate(
            core_negative=_first_negative("Code-Review", core_of=team),
            ci_negative=_first_negative("Verified"),
        )
        .filter(ps_time__lte=cutoff)
        .filter(Q(mergeable=False) | Q(core_negative__lte=cutoff) | Q(ci_negative__lte=cutoff))
        .order_by("ps_time", "number")
    )
    if numbers is not None:
        changes = changes.filter(number__in=list(numbers))
    result = []
    for change in changes:
        reasons = []
        if change.mergeable is False:
            reasons.append(StaleReason(CONFLICT, change.ps_time))
        if change.core_negative is not None:
            reasons.append(StaleReason(CORE_NEGATIVE, max(change.core_negative, change.ps_time)))
        if change.ci_negative is not None:
            reasons.append(StaleReason(CI_NEGATIVE, max(change.ci_negative, change.ps_time)))
        qualifying = [reason for reason in reasons if reason.since <= cutoff]
        result.append(StaleChange(change=change, reasons=qualifying, now=now))
    return sorted(result, key=lambda stale: (stale.since, stale.change.number))


def starved_changes(*, team: Team, days: int, now: datetime | None = None) -> list[StaleChange]:
    """Changes with no negative feedback waiting on reviewers ``days`` or more. One query."""
    now = now or timezone.now()
    changes = (
        _open_with_clocks(team)
        .filter(work_in_progress=False, workflow=0, cr_min__gte=0, verified__gte=0)
        .exclude(mergeable=False)
        .filter(ps_time__lte=now - timedelta(days=days))
        .order_by("ps_time", "number")
    )
    return [StaleChange(change=change, reasons=[], now=now) for change in changes]


@dataclass(frozen=True)
class StaleReport:
    policy: StalePolicy
    now: datetime
    candidates: list[StaleChange]
    starved: list[StaleChange]
    actions: list[AbandonAction]


def stale_report(*, team: Team, now: datetime | None = None) -> StaleReport:
    """The stale page: policy, candidates, starved changes and the latest abandon actions."""
    now = now or timezone.now()
    policy = policy_for(team)
    return StaleReport(
        policy=policy,
        now=now,
        candidates=abandon_candidates(team=team, days=policy.abandon_after_days, now=now),
        starved=starved_changes(team=team, days=policy.starved_after_days, now=now),
        actions=list(
            AbandonAction.objects.filter(team=team)
            .select_related("change", "user")
            .order_by("-created", "-id")[:RECENT_ACTIONS]
        ),
    )


def credentials_problem(team: Team) -> str | None:
    """Why Tiller cannot act on the team's Gerrit server, or None when it can."""
    server = team.server
    if not server.username:
        return f"The Gerrit server {server.url} has no user name configured (admin: servers)."
    if not server.password_env:
        return (
            f"The Gerrit server {server.url} names no environment variable holding the "
            "HTTP password."
        )
    if not os.environ.get(server.password_env):
        return f"The environment variable {server.password_env} (the HTTP password) is not set."
    return None


def abandon_request(change: Change, message: str) -> str:
    """What would be sent to Gerrit, as a dry run shows it."""
    body = json.dumps({"message": message})
    return f"POST /a/changes/{change.repository.name}~{change.number}/abandon {body}"


def _log(
    *,
    team: Team,
    change: Change,
    user: AbstractBaseUser | None,
    message: str,
    dry_run: bool,
    outcome: str,
    detail: str,
) -> AbandonAction:
    return AbandonAction.objects.create(
        team=team,
        change=change,
        user=user,
        created=timezone.now(),
        message=message,
        dry_run=dry_run,
        outcome=outcome,
        detail=detail,
    )


def abandon_changes(
    *,
    team: Team,
    changes: Sequence[Change],
    message: str,
    dry_run: bool,
    user: AbstractBaseUser | None,
    client: GerritClient | None = None,
) -> list[AbandonAction]:
    """Abandon ``changes`` in Gerrit with ``message`` (or only log what would be sent).

    Not one transaction: each change's outcome is committed as soon as Gerrit answered,
    so a failure half-way loses nothing already done and says which changes failed. A
    change Gerrit abandoned is marked abandoned here too until the next sync confirms it.
    """
    message = message.strip()
    problem = None
    if not message:
        problem = "An abandon needs a message for the change owner."
    elif not dry_run:
        problem = credentials_problem(team)
    log = partial(_log, team=team, user=user, message=message)
    actions = []
    for change in changes:
        if problem:
            actions.append(
                log(change=change, dry_run=dry_run, outcome=AbandonOutcome.REFUSED, detail=problem)
            )
            continue
        if dry_run:
            detail = "Would send " + abandon_request(change, message)
            actions.append(
                log(change=change, dry_run=True, outcome=AbandonOutcome.DRY_RUN, detail=detail)
            )
            continue
        client = client or client_for(team)
        try:
            answer: Any = client.abandon(change.repository.name, change.number, message)
        except GerritError as exc:
            actions.append(
                log(change=change, dry_run=False, outcome=AbandonOutcome.FAILED, detail=str(exc))
            )
            continue
        status = answer.get("status") if isinstance(answer, dict) else None
        with transaction.atomic():
            Change.objects.filter(pk=change.pk).update(
                status=ChangeStatus.ABANDONED, closed=timezone.now()
            )
            actions.append(
                log(
                    change=change,
                    dry_run=False,
                    outcome=AbandonOutcome.ABANDONED,
                    detail=f"Gerrit answered status {status or 'unknown'}.",
                )
            )
    return actions
