"""manage.py bench_diversity --team NAME: how long the diversity panel takes on this database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.core.benchmarks import measure
from dashboard.gerrit.models import Change, Team, Vote
from dashboard.health.diversity import team_diversity


class Command(BaseCommand):
    help = (
        "Time the diversity panel of a team on the configured database: the figures alone "
        "and the whole page through Django's test client (p50, p95, max, SQL queries)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team called {options['team']!r}.")
        runs = max(2, options["runs"])
        changes = Change.objects.in_team(team).count()
        votes = Vote.objects.filter(repository__team=team, label="Code-Review").count()
        self.stdout.write(f"{team.name}: {changes} changes, {votes} Code-Review vote events")
        today = timezone.now().date()
        self._report("figures", runs, lambda: team_diversity(team=team, at=today))
        host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0].lstrip(".") or "127.0.0.1"
        client = Client(HTTP_HOST=host)
        url = reverse("health:diversity", args=[team.name])
        self._report("page", runs, lambda: client.get(url))

    def _report(self, label: str, runs: int, call: Any) -> None:
        timing = measure(call, runs=runs)
        self.stdout.write(
            f"{label}: p50 {timing.p50_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, "
            f"max {timing.max_ms:.0f} ms, CPU p50 {timing.cpu_p50_ms:.0f} ms, "
            f"CPU p95 {timing.cpu_p95_ms:.0f} ms, {timing.queries} SQL queries ({runs} runs)"
        )
