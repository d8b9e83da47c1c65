"""Background work of the health app (Django tasks; JSON-only arguments)."""

from __future__ import annotations

from datetime import date

from django.tasks import task

from dashboard.gerrit.models import SyncRunStatus, Team
from dashboard.gerrit.sync import SyncAlreadyRunning, sync_team
from dashboard.health.snapshots import rebuild_backlog_snapshots, take_backlog_snapshot


@task
def take_backlog_snapshot_task(team_id: int) -> dict[str, object]:
    """Record today's backlog of one team from the synced state."""
    snapshot = take_backlog_snapshot(team=Team.objects.get(pk=team_id))
    return {"snapshot": snapshot.pk, "day": snapshot.day.isoformat()}


@task
def rebuild_backlog_snapshots_task(team_id: int, since: str) -> dict[str, object]:
    """Rebuild past days (``since`` is an ISO date) from the team's history."""
    team = Team.objects.get(pk=team_id)
    return {"days": rebuild_backlog_snapshots(team=team, since=date.fromisoformat(since))}


@task
def sync_and_snapshot_task(team_id: int, full: bool = False) -> dict[str, object]:
    """Sync one team, then snapshot its backlog: the periodic job for teams with trends.

    It lives here, not in the gerrit app, because gerrit must not import health. A failed
    sync takes no snapshot: the figures would describe a half-synced state.
    """
    team = Team.objects.get(pk=team_id)
    try:
        run = sync_team(team=team, full=full, estimate=True)
    except SyncAlreadyRunning as exc:
        return {"status": "skipped", "reason": str(exc)}
    if run.status != SyncRunStatus.SUCCEEDED:
        return {"status": run.status, "run": run.pk}
    snapshot = take_backlog_snapshot(team=team)
    return {"status": run.status, "run": run.pk, "snapshot": snapshot.pk}
