"""Background work of the health app (Django tasks; JSON-only arguments)."""

from __future__ import annotations

from datetime import date

from django.tasks import task

from dashboard.gerrit.models import Team
from dashboard.health.snapshots import rebuild_backlog_snapshots, take_backlog_snapshot


@task
def take_backlog_snapshot_task(team_id: int) -> dict[str, object]:
    """Record today's backlog of one team from the synced state (queued after every
    successful sync: ``settings.AFTER_SYNC_TASKS``)."""
    snapshot = take_backlog_snapshot(team=Team.objects.get(pk=team_id))
    return {"snapshot": snapshot.pk, "day": snapshot.day.isoformat()}


@task
def rebuild_backlog_snapshots_task(team_id: int, since: str) -> dict[str, object]:
    """Rebuild past days (``since`` is an ISO date) from the team's history."""
    team = Team.objects.get(pk=team_id)
    return {"days": rebuild_backlog_snapshots(team=team, since=date.fromisoformat(since))}
