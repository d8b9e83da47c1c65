"""manage.py import_affiliations FILE --team NAME (or --server URL)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import GerritServer, Team
from dashboard.health.default_data import (
    DefaultDataError,
    import_default_data,
    parse_default_data,
)

UNKNOWN_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Import people's organisations over time from a Stackalytics default_data.json-style "
        "file (users with companies and end dates; companies with domains and aliases). "
        "Idempotent; affiliations edited in Tiller are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="default_data.json-style file")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--team", help="team whose Gerrit accounts to match (and domain guess)")
        where.add_argument("--server", help="Gerrit server URL whose accounts to match")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        team = server = None
        if options["team"]:
            team = Team.objects.select_related("server").filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"No team called {options['team']!r}.")
            server = team.server
        else:
            url = options["server"].rstrip("/")
            server = GerritServer.objects.filter(url__in=[url, url + "/"]).first()
            if server is None:
                raise CommandError(f"No Gerrit server {options['server']!r} is known.")
        try:
            text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {getattr(exc, 'strerror', exc)}") from None
        try:
            data = parse_default_data(text)
        except DefaultDataError as exc:
            raise CommandError(f"{path}: {exc}") from None
        report = import_default_data(data=data, server=server, team=team)
        self.stdout.write(
            f"{path}: {len(data.users)} users. People: {report.people_created} added, "
            f"{report.people_updated} updated, {report.people_unchanged} unchanged; "
            f"{len(report.organisations_created)} organisations created."
        )
        if report.kept_edits:
            self.stdout.write(
                f"Kept {len(report.kept_edits)} people's affiliations edited in Tiller: "
                + ", ".join(report.kept_edits[:UNKNOWN_SHOWN])
            )
        if report.from_domains:
            self.stdout.write(f"{report.from_domains} people placed by their e-mail domain.")
        if report.unknown_users:
            shown = ", ".join(report.unknown_users[:UNKNOWN_SHOWN])
            more = len(report.unknown_users) - UNKNOWN_SHOWN
            self.stdout.write(
                f"{len(report.unknown_users)} users match no account on {server}: {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
