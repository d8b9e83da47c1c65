"""manage.py diversity --team NAME [--at DATE]: the diversity panel's figures as JSON."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.health.diversity import diversity_json, team_diversity


class Command(BaseCommand):
    help = (
        "Print the diversity figures (the four measures of the diverse-affiliation tag, "
        "top-1 and top-2 shares over 180 days, and their trend) as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True)
        parser.add_argument("--at", help="window end, exclusive (YYYY-MM-DD; default today, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team called {options['team']!r}.")
        at = timezone.now().date()
        if options["at"]:
            try:
                at = date.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at {options['at']!r} is not a date (YYYY-MM-DD).") from None
        figures = diversity_json(team_diversity(team=team, at=at))
        self.stdout.write(json.dumps(figures, indent=2))
