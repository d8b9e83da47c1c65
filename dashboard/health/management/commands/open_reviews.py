"""manage.py open_reviews --team NAME [--days N] [--format table|json]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.health.openreviews import DEFAULT_DAYS, open_reviews


def _days(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}"


class Command(BaseCommand):
    help = (
        "Print the open-reviews report of a team (the same figures as its Open reviews "
        "page): open changes waiting on the submitter or on reviewers, merge conflicts, "
        "and how long changes wait on reviewers by three clocks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="Team name")
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help="Count waits longer than N days"
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be a positive number of days")
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team named {options['team']!r}")
        data = open_reviews(team=team, days=options["days"]).as_json()
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(f"Open reviews of {team.name} at {data['now']}")
        for key in ("total", "waiting_on_submitter", "waiting_on_reviewer", "merge_conflicts"):
            self.stdout.write(f"  {key.replace('_', ' '):<22} {data[key]:>6}")
        self.stdout.write(
            f"\n  {'clock (days)':<12} {'mean':>7} {'q1':>7} {'median':>7} {'q3':>7} "
            f"{'>' + str(data['days']) + 'd':>6}"
        )
        for key, clock in data["clocks"].items():
            self.stdout.write(
                f"  {key:<12} {_days(clock['mean_days']):>7} {_days(clock['q1_days']):>7} "
                f"{_days(clock['median_days']):>7} {_days(clock['q3_days']):>7} "
                f"{clock['over_days']:>6}"
            )
            for waiting in clock["longest"]:
                number, age, subject = waiting["number"], waiting["days"], waiting["subject"]
                self.stdout.write(f"      {number:>8} {age:>7.1f}  {subject[:60]}")
