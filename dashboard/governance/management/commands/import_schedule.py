"""manage.py import_schedule FILE [--cycle NAME]: a release team schedule.yaml into a cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.governance.schedule import ScheduleError
from dashboard.governance.services import import_schedule


class Command(BaseCommand):
    help = (
        "Import a release schedule (openstack/releases doc/source/<series>/schedule.yaml, "
        "with titles from the sibling schedule.rst) into a cycle, creating it if needed. "
        "Re-running updates the cycle; team events added in the app are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a schedule.yaml")
        parser.add_argument(
            "--cycle", help="cycle name, e.g. pike (default: the file's folder name)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.is_dir():
            path = path / "schedule.yaml"
        if not path.is_file():
            if path.with_name("schedule.rst").is_file():
                raise CommandError(
                    f"{path}: no such file; this series publishes only schedule.rst (a grid "
                    "table, as mitaka and newton do), which import_schedule does not read"
                )
            raise CommandError(f"{path}: no such file")
        cycle = options["cycle"] or path.parent.name
        try:
            result = import_schedule(path=path, cycle_name=cycle)
        except ScheduleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{result.cycle}: {result.cycle.start} to {result.cycle.end}, "
            f"{result.created} events created, {result.updated} updated, "
            f"{result.removed} removed"
        )
        if result.other_teams:
            self.stdout.write(
                f"Skipped {len(result.other_teams)} project-specific events of teams not in "
                f"this database: {', '.join(sorted(set(result.other_teams)))}"
            )
