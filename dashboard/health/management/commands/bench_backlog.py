"""manage.py bench_backlog --team NAME [--runs N] [--rebuild-days N]"""

from __future__ import annotations

import time
from datetime import UTC, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.core.benchmarks import measure_page
from dashboard.gerrit.models import Change, Team
from dashboard.health.snapshots import figures_on


class Command(BaseCommand):
    help = (
        "Time the backlog pages (open reviews, trends, stale changes) of a team on the "
        "current database through Django's test client, and the rebuild of one past day "
        "of snapshots; prints p50/max milliseconds and SQL query counts. Read-only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="Team name")
        parser.add_argument("--runs", type=int, default=10, help="Requests per page")
        parser.add_argument("--rebuild-days", type=int, default=10, help="Days to rebuild")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team named {options['team']!r}")
        if options["runs"] < 2 or options["rebuild_days"] < 1:
            raise CommandError("--runs must be at least 2 and --rebuild-days positive")
        open_count = Change.objects.in_team(team).open().count()
        self.stdout.write(
            f"{team.name}: {Change.objects.in_team(team).count()} changes, {open_count} open"
        )
        client = Client(SERVER_NAME="localhost")
        for name in ("open-reviews", "trends", "stale"):
            url = reverse(f"health:{name}", args=[team.name])
            timing = measure_page(client, url, runs=options["runs"])
            self.stdout.write(
                f"  {url:<34} p50 {timing.p50_ms:7.1f} ms   p95 {timing.p95_ms:7.1f} ms"
                f"   max {timing.max_ms:7.1f} ms   CPU p50 {timing.cpu_p50_ms:7.1f} ms"
                f"   CPU p95 {timing.cpu_p95_ms:7.1f} ms   {timing.queries} queries"
            )
        today = timezone.now().astimezone(UTC).date()
        start = time.perf_counter()
        for offset in range(1, options["rebuild_days"] + 1):
            figures_on(team=team, day=today - timedelta(days=offset * 7))
        per_day = (time.perf_counter() - start) * 1000 / options["rebuild_days"]
        self.stdout.write(f"  rebuild of one past day          {per_day:7.1f} ms per day")
