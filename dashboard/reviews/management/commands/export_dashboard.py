"""manage.py export_dashboard --team NAME [--owner USER] SLUG"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.reviews.dashboards import export_dashboard
from dashboard.reviews.models import Dashboard


class Command(BaseCommand):
    help = "Print a team's (or, with --owner, a user's) dashboard as a .dash file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Dashboard slug, e.g. default or glance")
        parser.add_argument("--team", required=True, help="Team name")
        parser.add_argument("--owner", help="Tiller user name, for a personal dashboard")

    def handle(self, *args: Any, **options: Any) -> None:
        dashboards = Dashboard.objects.filter(slug=options["slug"], team__name=options["team"])
        if options["owner"]:
            dashboards = dashboards.filter(owner__username=options["owner"])
        else:
            dashboards = dashboards.filter(owner__isnull=True)
        dashboard = dashboards.first()
        if dashboard is None:
            known = Dashboard.objects.filter(team__name=options["team"], owner__isnull=True)
            slugs = ", ".join(known.values_list("slug", flat=True)) or "none"
            raise CommandError(
                f'No dashboard "{options["slug"]}" for team "{options["team"]}" '
                f"(team dashboards: {slugs})"
            )
        self.stdout.write(export_dashboard(dashboard=dashboard), ending="")
