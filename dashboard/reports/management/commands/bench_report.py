"""manage.py bench_report --team NAME --cycle NAME: how long the cycle report takes here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.urls import reverse

from dashboard.core.benchmarks import measure, measure_page
from dashboard.gerrit.models import Change, Review, Team
from dashboard.governance.models import Cycle
from dashboard.reports.cycle_report import ReportUnavailable, cycle_report
from dashboard.reports.cycle_report_export import export


class Command(BaseCommand):
    help = (
        "Time the cycle report of a team on the configured database: the figures alone, "
        "the Markdown export and the whole page through Django's test client (p50, p95, "
        "max, SQL queries)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True)
        parser.add_argument("--cycle", required=True)
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team called {options['team']!r}.")
        cycle = Cycle.objects.filter(name=options["cycle"].lower()).first()
        if cycle is None:
            raise CommandError(f"No cycle called {options['cycle']!r}.")
        try:
            report = cycle_report(team=team, cycle=cycle)
        except ReportUnavailable as problem:
            raise CommandError(str(problem)) from None
        runs = max(2, options["runs"])
        changes = Change.objects.in_team(team).count()
        reviews = Review.objects.filter(repository__team=team, label="Code-Review").count()
        self.stdout.write(
            f"{team.name}, {cycle}: {changes} changes, {reviews} reviews in all, "
            f"{report.activity.reviews} in the cycle"
        )
        self._report("figures", measure(lambda: cycle_report(team=team, cycle=cycle), runs=runs))
        self._report("markdown", measure(lambda: export(report, fmt="md"), runs=runs))
        host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0].lstrip(".") or "127.0.0.1"
        url = reverse("reports:cycle-report", args=[team.name, cycle.name])
        self._report("page", measure_page(Client(HTTP_HOST=host), url, runs=runs))

    def _report(self, label: str, timing: Any) -> None:
        self.stdout.write(
            f"{label}: p50 {timing.p50_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms, "
            f"max {timing.max_ms:.0f} ms, CPU p50 {timing.cpu_p50_ms:.0f} ms, "
            f"{timing.queries} SQL queries ({'constant' if timing.queries_constant else 'varying'})"
        )
