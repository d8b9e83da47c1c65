"""manage.py check_dashboard FILE_OR_DIR..."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.reviews.dashfile import Dashboard, DashFileError, parse_dash
from dashboard.reviews.lint import lint


def dash_files(paths: list[Path]) -> list[Path]:
    """The files named, and every ``*.dash`` under the directories named (as the tool)."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.dash")) if path.is_dir() else [path])
    return found


def lint_dashboard(dashboard: Dashboard) -> list[tuple[int, str]]:
    """``(line, message)`` for every lint warning of the dashboard's foreach and queries, and
    for what the file itself should write otherwise."""
    warnings = [(problem.line, problem.message) for problem in dashboard.warnings]
    if dashboard.foreach.strip():
        warnings.extend(
            (dashboard.foreach_line_of(w.position), f"foreach: {w.message} [{w.kind}]")
            for w in lint(dashboard.foreach)
        )
    for section in dashboard.sections:
        if section.query.strip():
            warnings.extend(
                (section.line_of(w.position), f'"{section.name}": {w.message} [{w.kind}]')
                for w in lint(section.query)
            )
    return sorted(warnings, key=lambda warning: warning[0])  # stable: reading order


class Command(BaseCommand):
    help = (
        "Check gerrit-dash-creator .dash files (or directories of them): print every error as "
        "FILE:LINE: message and exit 1 if any; lint warnings are printed but do not fail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help=".dash files or directories")

    def handle(self, *args: Any, **options: Any) -> None:
        files = dash_files(options["paths"])
        sections = errors = warnings = 0
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.stdout.write(f"{path}:0: cannot read the file: {exc}")
                errors += 1
                continue
            try:
                dashboard = parse_dash(text, source=str(path))
            except DashFileError as error:
                for problem in error.problems:
                    self.stdout.write(str(problem))
                errors += len(error.problems)
                continue
            sections += len(dashboard.sections)
            for line, message in lint_dashboard(dashboard):
                self.stdout.write(f"{path}:{line}: warning: {message}")
                warnings += 1
        summary = (
            f"{len(files)} file{'s' if len(files) != 1 else ''}, {sections} sections, "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
        if errors:
            raise CommandError(summary)
        self.stdout.write(summary)
