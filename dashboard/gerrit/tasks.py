"""Background sync through Django's tasks framework (django-tasks-db, `manage.py db_worker`)."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task

from dashboard.gerrit.models import Team
from dashboard.gerrit.sync import SyncAlreadyRunning, sync_team


@task
def sync_team_task(team_id: int, full: bool = False, since: str | None = None) -> dict[str, object]:
    """Sync one team; the SyncRun row, not this return value, is what pages show."""
    team = Team.objects.get(pk=team_id)
    try:
        run = sync_team(
            team=team,
            full=full,
            since=datetime.fromisoformat(since) if since else None,
            estimate=True,
        )
    except SyncAlreadyRunning as exc:
        return {"status": "skipped", "reason": str(exc)}
    return {"status": run.status, "run": run.pk, "changes": run.changes_fetched}
