"""manage.py reviewer_stats: the reviewer activity page's figures on the terminal."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Repository, Team
from dashboard.health.reviewers import ReviewerActivity, reviewer_activity, window_now
from dashboard.health.window import DEFAULT_DAYS, WindowError, last_days

TABLE_COLUMNS = (
    "reviewer",
    "reviews",
    "-2",
    "-1",
    "+1",
    "+2",
    "+A",
    "+/- %",
    "disagreements",
    "disagreement %",
    "received",
    "core",
)


class Command(BaseCommand):
    help = (
        "Reviewer activity of a team over the last N days (reviewstats' reviewers report, "
        "with Tiller's definitions): the same figures as the reviewer activity page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="team name, e.g. glance")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="window length in days")
        parser.add_argument("--repo", help="one repository of the team, e.g. openstack/glance")
        parser.add_argument("--sort", default="-reviews", help="column key, '-' for descending")
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team called {options['team']!r}.")
        repository = None
        if options["repo"]:
            repository = Repository.objects.filter(team=team, name=options["repo"]).first()
            if repository is None:
                raise CommandError(f"Team {team.name} has no repository {options['repo']!r}.")
        try:
            window = last_days(options["days"], now=window_now())
        except WindowError as problem:
            raise CommandError(str(problem)) from None
        activity = reviewer_activity(
            team=team, window=window, repository=repository, sort=options["sort"]
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(activity.as_json(), indent=2))
        elif options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(TABLE_COLUMNS)
            writer.writerows(_cells(activity))
        else:
            self.stdout.write(_table(activity))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _cells(activity: ReviewerActivity) -> list[list[str]]:
    return [
        [
            row.reviewer,
            str(row.reviews),
            str(row.minus2),
            str(row.minus1),
            str(row.plus1),
            str(row.plus2),
            str(row.approvals),
            _percent(row.plus_ratio),
            str(row.disagreements),
            _percent(row.disagreement_share),
            str(row.received),
            "yes" if row.core else "no",
        ]
        for row in activity.reviewers
    ]


def _table(activity: ReviewerActivity) -> str:
    cells = _cells(activity)
    widths = [
        max([len(heading)] + [len(row[i]) for row in cells])
        for i, heading in enumerate(TABLE_COLUMNS)
    ]
    lines = [
        f"Reviewers of {activity.team.name}"
        + (f" ({activity.repository.name})" if activity.repository else "")
        + f", {activity.window.label} ({activity.window.start:%Y-%m-%d %H:%M} to "
        f"{activity.window.end:%Y-%m-%d %H:%M} UTC)",
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(TABLE_COLUMNS, widths, strict=True))
        ),
    ]
    for row in cells:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    t = activity.totals
    per_change = "n/a" if t.patch_sets_per_change is None else f"{t.patch_sets_per_change:.1f}"
    lines += [
        "",
        f"Total reviews: {t.reviews} ({t.reviews_per_day:.1f} per day)",
        f"Total reviewers: {t.reviewers} ({t.reviews_per_reviewer_per_day:.1f} reviews per day "
        "each)",
        f"Total reviews by core team: {t.core_reviews} ({t.core_reviews_per_day:.1f} per day)",
        f"Core team size: {t.core_team_size} ({t.core_reviews_per_core_per_day:.1f} reviews per "
        "day each)",
        f"New patch sets: {t.new_patch_sets} ({t.new_patch_sets_per_day:.1f} per day)",
        f"Changes involved: {t.changes_involved}",
        f"  New changes: {t.created}",
        f"  Changes merged: {t.merged}",
        f"  Changes abandoned: {t.abandoned}",
        f"  Changes left in WIP: {t.wip}",
        f"  Queue growth: {t.queue_growth}",
        f"  Patch sets per change: {per_change}",
        "Bots, self-reviews and votes copied onto rebased patch sets are not counted; core is "
        "membership when the vote was cast.",
    ]
    if t.core_history_starts_in(activity.window):
        since = f"{t.core_known_since:%Y-%m-%d %H:%M} UTC" if t.core_known_since else "no sync"
        lines.append(
            f"Warning: core membership is known only since {since}, inside this window; "
            "earlier votes count as non-core, so core reviews and disagreements read low."
        )

    return "\n".join(lines)
