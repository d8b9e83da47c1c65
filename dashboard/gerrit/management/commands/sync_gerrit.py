"""manage.py sync_gerrit [--team NAME] [--full] [--since DATE] [--enqueue]"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from dashboard.gerrit.models import SyncRun, SyncRunStatus, Team
from dashboard.gerrit.sync import SyncAlreadyRunning, sync_team
from dashboard.gerrit.tasks import enqueue_after_sync, sync_team_task


def parse_since(value: str) -> datetime:
    """``YYYY-MM-DD`` or an ISO date-time; times without a zone are UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since takes a date like 2017-03-01, not {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Fetch what changed on Gerrit since the last sync (all history the first time) for "
        "one team or every team. Ctrl-C keeps what was fetched; the next run completes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", help="Team name (default: every team)")
        parser.add_argument("--full", action="store_true", help="Re-read all history")
        parser.add_argument("--since", type=parse_since, help="Fetch changes updated since DATE")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue background syncs for db_worker instead"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (it is off when not a TTY)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        teams = Team.objects.select_related("server")
        if options["team"]:
            teams = teams.filter(name=options["team"])
            if not teams:
                known = ", ".join(Team.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"No team named {options['team']!r} (teams: {known})")
        elif not teams:
            raise CommandError("No team to sync: create one with `manage.py import_team` first.")

        if options["enqueue"]:
            for team in teams:
                transaction.on_commit(
                    partial(
                        sync_team_task.enqueue,
                        team_id=team.pk,
                        full=options["full"],
                        since=options["since"].isoformat() if options["since"] else None,
                    )
                )
                self.stdout.write(f"Queued a sync of {team.name}; `manage.py db_worker` runs it.")
            return

        failed = [team.name for team in teams if not self._sync(team, options)]
        if failed:
            raise CommandError(f"Sync failed for {', '.join(failed)}")

    def _sync(self, team: Team, options: dict[str, Any]) -> bool:
        show = not options["no_progress"]
        bar = tqdm(
            desc=team.name,
            unit=" changes",
            disable=None if show else True,
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def progress(run: SyncRun) -> None:
            if run.changes_expected is not None and bar.total != run.changes_expected:
                bar.total = max(run.changes_expected, run.changes_fetched)
                bar.refresh()
            bar.update(run.changes_fetched - bar.n)

        try:
            run = sync_team(
                team=team,
                full=options["full"],
                since=options["since"],
                estimate=show and bar.disable is False,
                progress=progress,
            )
        except SyncAlreadyRunning as exc:
            bar.close()
            self.stderr.write(str(exc))
            return False
        except KeyboardInterrupt:
            bar.close()
            run = team.sync_runs.order_by("-started").first()
            stored = run.changes_fetched if run else 0
            self.stderr.write(
                f"\nInterrupted: {stored} changes of {team.name} were stored; "
                "the next sync_gerrit completes the run."
            )
            raise SystemExit(130) from None
        bar.close()
        self.stdout.write(self._summary(run))
        if run.status == SyncRunStatus.SUCCEEDED:
            for path in enqueue_after_sync(team):
                self.stdout.write(f"Queued {path.rsplit('.', 1)[-1]} for {team.name}.")
        return run.status == SyncRunStatus.SUCCEEDED

    def _summary(self, run: SyncRun) -> str:
        seconds = run.duration_seconds or 0.0
        rate = run.changes_fetched / seconds if seconds else 0.0
        scope = (
            "all history"
            if run.window_start is None
            else f"since {run.window_start:%Y-%m-%d %H:%M:%S} UTC"
        )
        line = (
            f"{run.team.name}: {run.status}, {scope}: {run.changes_fetched} changes "
            f"({run.changes_created} new), {run.votes_recorded} votes, "
            f"{run.messages_recorded} messages, {run.requests} requests in {seconds:.1f} s "
            f"({rate:.0f} changes/s); core group +{run.core_joined} -{run.core_left}"
        )
        if run.error:
            line += f"\n  error: {run.error}"
        return (
            self.style.SUCCESS(line)
            if run.status == SyncRunStatus.SUCCEEDED
            else self.style.ERROR(line)
        )
