"""manage.py import_dashboard FILE... --team NAME [--owner USER]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.reviews.dashboards import import_dashboard
from dashboard.reviews.dashfile import DashFileError


class Command(BaseCommand):
    help = (
        "Import gerrit-dash-creator .dash files as dashboards of a team (or, with --owner, "
        "personal dashboards of a user). The slug is the file name without .dash; a dashboard "
        "with the same slug is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help=".dash files")
        parser.add_argument("--team", required=True, help="Team name")
        parser.add_argument("--owner", help="Tiller user name: import as their own dashboards")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f'No team named "{options["team"]}"')
        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f'No Tiller user named "{options["owner"]}"')
        texts = {}
        for path in options["files"]:
            try:
                texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from None
        for path, text in texts.items():
            try:
                dashboard = import_dashboard(
                    text=text, source_name=str(path), team=team, owner=owner
                )
            except DashFileError as error:
                raise CommandError(f"{path} was not imported:\n{error}") from None
            self.stdout.write(
                f"Imported {path} as {dashboard.slug!r}: {dashboard.title} "
                f"({dashboard.sections.count()} sections)"
            )
