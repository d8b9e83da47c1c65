"""manage.py import_schedule FILE [--cycle NAME]: a release team schedule.yaml into a cycle."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.governance.schedule import ScheduleError
from dashboard.governance.services import import_schedule


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Import a release schedule (openstack/releases doc/source/<series>/schedule.yaml, "
        "with titles from the sibling schedule.rst, or the grid table of a schedule.rst "
        "for series without YAML) into a cycle, creating it if needed. "
        "Re-running updates the cycle; team events added in the app are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a schedule.yaml")
        parser.add_argument(
            "--cycle", help="cycle name, e.g. pike (default: the file's folder name)"
        )
        parser.add_argument(
            "--release-week",
            type=_day,
            help="for a schedule.rst grid table (no years in it): Monday of the release "
            "week, YYYY-MM-DD (default: the cycle's, from import_series)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.is_dir():
            path = path / "schedule.yaml"
        # mitaka and newton publish only schedule.rst, whose grid table we read instead.
        rst = path.with_name("schedule.rst")
        if not path.is_file() and path.suffix == ".yaml" and rst.is_file():
            path = rst
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        cycle = options["cycle"] or path.parent.name
        try:
            result = import_schedule(
                path=path, cycle_name=cycle, release_week=options["release_week"]
            )
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
