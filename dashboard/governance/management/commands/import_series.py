"""manage.py import_series FILE: cycle names, release ids and statuses from series_status.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.governance.schedule import ScheduleError
from dashboard.governance.services import import_series


class Command(BaseCommand):
    help = (
        "Create or update every cycle listed in openstack/releases data/series_status.yaml: "
        "release id, maintenance status, and the release week when no schedule gave it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="series_status.yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_series(path=path)
        except ScheduleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{result.created} cycles created, {result.updated} updated")
