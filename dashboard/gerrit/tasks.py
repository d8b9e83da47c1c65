"""Background sync through Django's tasks framework (django-tasks-db, `manage.py db_worker`)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils.module_loading import import_string

from dashboard.gerrit.models import SyncRunStatus, Team
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
    if run.status == SyncRunStatus.SUCCEEDED:
        enqueue_after_sync(team)
    return {"status": run.status, "run": run.pk, "changes": run.changes_fetched}


def enqueue_after_sync(team: Team) -> list[str]:
    """Queue ``settings.AFTER_SYNC_TASKS`` for ``team`` once the current transaction
    commits; returns their paths. A failed sync queues nothing: the figures would describe
    a half-synced state."""
    paths = list(settings.AFTER_SYNC_TASKS)
    for path in paths:
        transaction.on_commit(partial(import_string(path).enqueue, team_id=team.pk))
    return paths
