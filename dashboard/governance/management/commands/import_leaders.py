"""manage.py import_leaders DIR --team NAME: PTLs and liaisons from governance data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.governance.schedule import ScheduleError
from dashboard.governance.services import import_leaders


class Command(BaseCommand):
    help = (
        "Import a team's PTL for each cycle (election results, candidacies) and its current "
        "PTL and liaisons (projects.yaml) from a folder laid out like openstack/governance "
        "plus openstack/election (reference/, history/, election/candidates, election/results). "
        "Run import_series first so that every series has its cycle."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="the governance data folder")
        parser.add_argument("--team", required=True, help="team name, e.g. glance")

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["folder"]
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder")
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team {options['team']!r}; create it with import_team first.")
        try:
            result = import_leaders(root=root, team=team)
        except ScheduleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{team}: {result.created} leaders created, {result.updated} updated")
        if result.current_cycle is None:
            self.stdout.write("No cycle in progress today: current liaisons were not imported.")
        if result.unknown_series:
            self.stdout.write(
                "No cycle for series "
                + ", ".join(sorted(set(result.unknown_series)))
                + " (run import_series first)"
            )
