"""manage.py import_priorities FILE [--cycle NAME] --team NAME"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle
from dashboard.governance.priorities import import_priority_file
from dashboard.governance.priorities_rst import PriorityFileError, parse_priorities


class Command(BaseCommand):
    help = (
        "Import a specs repository's priorities/<cycle>-priorities.rst into a team's cycle "
        "priorities. Idempotent: items are matched by title, so importing again updates "
        "them and never duplicates; specs are linked by slug where Tiller has them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="e.g. glance-specs/priorities/ocata-priorities.rst")
        parser.add_argument(
            "--cycle", help="cycle name (default: from the file name, <cycle>-priorities.rst)"
        )
        parser.add_argument("--team", required=True, help="team name, e.g. glance")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        team = Team.objects.filter(name=options["team"]).select_related("server").first()
        if team is None:
            raise CommandError(f"There is no team named {options['team']!r}.")
        name = options["cycle"] or _cycle_from_name(path)
        if not name:
            raise CommandError(f"{path}: name the cycle with --cycle (the file name does not).")
        cycle = Cycle.objects.filter(name=name).first()
        if cycle is None:
            known = ", ".join(Cycle.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"There is no cycle named {name!r} (known: {known}).")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read it ({exc}).") from None
        try:
            parsed = parse_priorities(text, path=str(path))
        except PriorityFileError as exc:
            raise CommandError(str(exc)) from None
        if not parsed.priorities:
            self.stdout.write(f"{path}: lists no priorities yet; nothing imported.")
            return
        result = import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name=path.name)
        self.stdout.write(
            f"{path}: {result.total} priorities for {team.name} {cycle.name}: "
            f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged."
        )
        if result.unresolved:
            self.stdout.write(
                f"{len(result.unresolved)} spec references match no spec in Tiller yet "
                "(kept as written; import the specs, then this file again, to link them):"
            )
            for reference in result.unresolved:
                self.stdout.write(f"  {reference}")


def _cycle_from_name(path: Path) -> str:
    match = re.match(r"^(.+)-priorities\.rst$", path.name)
    return match.group(1) if match else ""
