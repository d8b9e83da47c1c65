"""Backlog snapshots: one row per team per day, taken live or rebuilt from history.

A live snapshot reads the synced state (the denormalised label columns of ``Change``), so
it agrees with the open-reviews page at that moment. A rebuilt day reads the history: a
change was open on day D if it was created by the end of D and not closed by then; its
current patch set is the newest uploaded by then, and the votes standing on it are the
latest vote per account and label cast by then (``Vote`` events, copied votes included).

What history cannot tell, rebuilt days approximate, and the trends page says so: the WIP
flag and mergeability have no history, so a rebuilt day counts Workflow -1 as WIP and
records no merge-conflict figure; a change abandoned and later restored counts as open
throughout.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeStatus, PatchSet, Team, Vote
from dashboard.health.models import BacklogSnapshot, SnapshotSource
from dashboard.health.openreviews import unindexed

FIGURES = (
    "open_changes",
    "in_scope",
    "reviewable",
    "waiting_on_submitter",
    "waiting_on_reviewer",
    "merge_conflicts",
)


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` (UTC): a snapshot describes the day as it ended."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def live_figures(*, team: Team) -> dict[str, int | None]:
    """Backlog figures from the synced current state, in one aggregate query."""
    scope = Q(work_in_progress=False, workflow=0) & ~Q(branch__startswith="stable/")
    negative = Q(cr_min__lt=0) | Q(verified__lt=0)
    reviewable = Q(work_in_progress=False, workflow=0, verified__gt=0, cr_min__gt=-2)
    figures = (
        Change.objects.in_team(team)
        .filter(status=ChangeStatus.NEW)
        .aggregate(
            open_changes=Count("pk"),
            in_scope=Count("pk", filter=scope),
            reviewable=Count("pk", filter=reviewable),
            waiting_on_submitter=Count("pk", filter=scope & negative),
            waiting_on_reviewer=Count("pk", filter=scope & ~negative),
            merge_conflicts=Count("pk", filter=scope & Q(mergeable=False)),
        )
    )
    return figures


def _standing(label: str, moment: datetime, value: Q) -> Exists:
    """A vote on ``label`` standing at ``moment`` on the outer change's ``ps_then``."""
    later = Vote.objects.annotate(voter=unindexed("account_id")).filter(
        change_id=OuterRef("change_id"),
        patch_set=OuterRef("patch_set"),
        label=label,
        voter=OuterRef("account_id"),
        granted__gt=OuterRef("granted"),
        granted__lt=moment,
    )
    return Exists(
        Vote.objects.filter(
            value,
            change_id=OuterRef("pk"),
            patch_set=OuterRef("ps_then"),
            label=label,
            removal=False,
            granted__lt=moment,
        ).filter(~Exists(later))
    )


def figures_on(*, team: Team, day: date) -> dict[str, int | None]:
    """Backlog figures at the end of ``day`` rebuilt from history, in one query."""
    moment = end_of_day(day)
    ps_then = (
        PatchSet.objects.filter(change_id=OuterRef("pk"), created__lt=moment)
        .order_by("-number")
        .values("number")[:1]
    )
    changes = (
        Change.objects.in_team(team)
        .filter(created__lt=moment)
        .filter(Q(closed__isnull=True) | Q(closed__gte=moment))
        .annotate(ps_then=Coalesce(Subquery(ps_then), Value(1)))
        .annotate(
            v_pos=_standing("Verified", moment, Q(value__gt=0)),
            v_neg=_standing("Verified", moment, Q(value__lt=0)),
            cr_neg=_standing("Code-Review", moment, Q(value__lt=0)),
            cr_veto=_standing("Code-Review", moment, Q(value__lte=-2)),
            wf_set=_standing("Workflow", moment, ~Q(value=0)),
        )
    )
    scope = Q(wf_set=False) & ~Q(branch__startswith="stable/")
    negative = Q(cr_neg=True) | Q(v_neg=True)
    figures: dict[str, int | None] = changes.aggregate(
        open_changes=Count("pk"),
        in_scope=Count("pk", filter=scope),
        reviewable=Count("pk", filter=Q(v_pos=True, v_neg=False, wf_set=False, cr_veto=False)),
        waiting_on_submitter=Count("pk", filter=scope & negative),
        waiting_on_reviewer=Count("pk", filter=scope & ~negative),
    )
    figures["merge_conflicts"] = None
    return figures


@transaction.atomic
def take_backlog_snapshot(*, team: Team, day: date | None = None) -> BacklogSnapshot:
    """Record today's backlog from the synced state (run after each sync).

    ``day`` other than today (UTC) rebuilds that day from history instead, since the
    synced state only describes the present.
    """
    now = timezone.now()
    today = now.astimezone(UTC).date()
    day = day or today
    if day == today:
        figures, source = live_figures(team=team), SnapshotSource.LIVE
    else:
        figures, source = figures_on(team=team, day=day), SnapshotSource.REBUILT
    snapshot, _ = BacklogSnapshot.objects.update_or_create(
        team=team, day=day, defaults={**figures, "source": source, "taken_at": now}
    )
    return snapshot


def rebuild_backlog_snapshots(
    *, team: Team, since: date, until: date | None = None, replace_live: bool = False
) -> int:
    """Rebuild the snapshots of every day from ``since`` to ``until`` (default yesterday).

    Days that have a live snapshot keep it unless ``replace_live``: a live snapshot saw
    what history cannot tell (WIP flags, merge conflicts). One query per day, each in its
    own transaction, so an interrupted rebuild keeps the days it finished. Returns the
    number of days written.
    """
    now = timezone.now()
    until = until or now.astimezone(UTC).date() - timedelta(days=1)
    keep = set()
    if not replace_live:
        keep = set(
            BacklogSnapshot.objects.filter(
                team=team, day__gte=since, day__lte=until, source=SnapshotSource.LIVE
            ).values_list("day", flat=True)
        )
    written = 0
    day = since
    while day <= until:
        if day not in keep:
            with transaction.atomic():
                BacklogSnapshot.objects.update_or_create(
                    team=team,
                    day=day,
                    defaults={
                        **figures_on(team=team, day=day),
                        "source": SnapshotSource.REBUILT,
                        "taken_at": now,
                    },
                )
            written += 1
        day += timedelta(days=1)
    return written


def seed_backlog_history(*, team: Team, days: int = 182) -> int:
    """Snapshots for the last ``days`` days (rebuilt) and today (live), for a new team or
    the demo, so the trend charts have a history from the first visit."""
    today = timezone.now().astimezone(UTC).date()
    written = rebuild_backlog_snapshots(team=team, since=today - timedelta(days=days))
    take_backlog_snapshot(team=team)
    return written + 1
