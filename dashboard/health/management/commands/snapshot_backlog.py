"""manage.py snapshot_backlog --team NAME [--rebuild] [--since DATE] [--enqueue]"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.health.snapshots import rebuild_backlog_snapshots, take_backlog_snapshot
from dashboard.health.tasks import rebuild_backlog_snapshots_task, take_backlog_snapshot_task


class Command(BaseCommand):
    help = (
        "Record today's backlog snapshot of a team (run it after each sync, e.g. from cron). "
        "--rebuild also reconstructs past days from the vote history, from --since "
        "(default: 365 days ago) to yesterday; days with a live snapshot keep it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="Team name")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild past days too")
        parser.add_argument("--since", help="First day to rebuild, YYYY-MM-DD")
        parser.add_argument("--enqueue", action="store_true", help="Queue it as a task")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team named {options['team']!r}")
        today = timezone.now().astimezone(UTC).date()
        since = today - timedelta(days=365)
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since {options['since']!r} is not a date (use YYYY-MM-DD)"
                ) from None
            if since >= today:
                raise CommandError("--since must be a day before today")
        if options["enqueue"]:
            if options["rebuild"]:
                rebuild_backlog_snapshots_task.enqueue(team_id=team.pk, since=since.isoformat())
            take_backlog_snapshot_task.enqueue(team_id=team.pk)
            self.stdout.write(f"Queued the backlog snapshot of {team.name}.")
            return
        if options["rebuild"]:
            written = rebuild_backlog_snapshots(team=team, since=since)
            self.stdout.write(f"Rebuilt {written} day(s) of {team.name} from {since}.")
        snapshot = take_backlog_snapshot(team=team)
        self.stdout.write(
            f"{team.name} on {snapshot.day}: {snapshot.open_changes} open, "
            f"{snapshot.reviewable} reviewable, {snapshot.waiting_on_reviewer} waiting on "
            f"reviewers, {snapshot.waiting_on_submitter} on submitters."
        )
