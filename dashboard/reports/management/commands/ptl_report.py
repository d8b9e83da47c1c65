"""``manage.py ptl_report --team glance --cycle ocata --format md``: the cycle report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle
from dashboard.reports.cycle_report import ReportUnavailable, cycle_report
from dashboard.reports.cycle_report_export import FORMATS, export


class Command(BaseCommand):
    help = (
        "Print the PTL's end-of-cycle report of a team for a cycle as Markdown, "
        "reStructuredText or plain-text email (the page's downloads, same text)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="Team name, e.g. glance")
        parser.add_argument("--cycle", required=True, help="Cycle name, e.g. ocata")
        parser.add_argument("--format", choices=sorted(FORMATS), default="md", dest="fmt")
        parser.add_argument(
            "--base-url",
            default="",
            help="Tiller's address, to make links to its pages absolute (e.g. https://tiller.example.org)",
        )

    def handle(
        self, *args: Any, team: str, cycle: str, fmt: str, base_url: str, **options: Any
    ) -> None:
        team_obj = Team.objects.filter(name=team).first()
        if team_obj is None:
            raise CommandError(f"There is no team named {team!r}.")
        cycle_obj = Cycle.objects.filter(name=cycle.lower()).first()
        if cycle_obj is None:
            raise CommandError(f"There is no cycle named {cycle!r}.")
        try:
            report = cycle_report(team=team_obj, cycle=cycle_obj)
        except ReportUnavailable as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(export(report, fmt=fmt, base_url=base_url), ending="")
