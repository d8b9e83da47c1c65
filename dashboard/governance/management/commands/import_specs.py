"""``manage.py import_specs PATH_OR_GIT_URL --team NAME``: import a specs repository."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.governance.specs_import import SpecsImportError, import_specs


class Command(BaseCommand):
    help = (
        "Import a team's specs repository (a local checkout or folder, or a git URL to clone): "
        "every spec with its cycle, state, deliverable, kind and history. Re-importing is "
        "safe; files that do not parse are listed (path:line) and the rest is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="PATH_OR_GIT_URL")
        parser.add_argument("--team", required=True, help="Team name, e.g. glance")
        parser.add_argument(
            "--deliverable",
            default="",
            help="Deliverable of specs not filed under one (default: the repository name "
            "without -specs)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            team = Team.objects.get(name=options["team"])
        except Team.DoesNotExist:
            raise CommandError(f"No team named {options['team']!r} (see import_team).") from None
        try:
            result = import_specs(
                team=team, source=options["source"], deliverable=options["deliverable"]
            )
        except SpecsImportError as exc:
            raise CommandError(str(exc)) from exc
        for problem in result.problems:
            self.stderr.write(f"{problem} (not imported)")
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.summary, indent=2))
            return
        for note in result.notes + [f"skipped {path}" for path in result.skipped]:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(
            f"{result.created} specs created, {result.updated} updated, {result.unchanged} "
            f"unchanged, {result.state_changes} state changes recorded, "
            f"{len(result.problems)} files not imported."
        )
        for cycle, states in result.summary.items():
            lite = states.get("lite") or {}
            counts = ", ".join(f"{n} {state}" for state, n in states.items() if state != "lite")
            lite_text = ", ".join(f"{n} {state}" for state, n in lite.items())  # type: ignore[union-attr]
            self.stdout.write(
                f"  {cycle}: {counts}" + (f" (lite: {lite_text})" if lite_text else "")
            )
