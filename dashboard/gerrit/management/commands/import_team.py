"""manage.py import_team FILE.json --gerrit-url URL [--requests-per-second N]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import AuthScheme
from dashboard.gerrit.teams import (
    TeamDefinitionError,
    import_team,
    parse_team_definition,
    team_slug,
)


class Command(BaseCommand):
    help = (
        "Create or update a team from an openstack/reviewstats project definition "
        "(name, subprojects, core-team-gerrit-group or core-team)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="reviewstats project file, e.g. glance.json")
        parser.add_argument("--gerrit-url", required=True, help="Gerrit base URL")
        parser.add_argument("--username", default="", help="Gerrit user name for /a/ access")
        parser.add_argument(
            "--password-env",
            default="",
            help="Name of the environment variable holding the HTTP password (never the password)",
        )
        parser.add_argument(
            "--auth", choices=[c.value for c in AuthScheme], default=AuthScheme.BASIC
        )
        parser.add_argument(
            "--requests-per-second",
            type=float,
            metavar="N",
            help="Most requests a second to this Gerrit server, every sync and worker together "
            "(0 removes the limit; default: leave it as it is)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            definition = parse_team_definition(text, slug=team_slug(path.stem), source=str(path))
        except TeamDefinitionError as exc:
            raise CommandError(str(exc)) from None
        url = options["gerrit_url"]
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"--gerrit-url must start with http:// or https:// (got {url!r})")
        rate = options["requests_per_second"]
        if rate is not None and not (rate == 0 or 0.01 <= rate < float("inf")):
            raise CommandError(
                f"--requests-per-second takes 0 (no limit) or a rate of at least 0.01, not {rate}"
            )
        result = import_team(
            definition=definition,
            gerrit_url=url,
            username=options["username"],
            password_env=options["password_env"],
            auth_scheme=options["auth"],
            requests_per_second=rate,
        )
        team = result.team
        verb = "Created" if result.created else "Updated"
        core = team.core_group or ", ".join(team.core_usernames) or "none"
        self.stdout.write(
            f"{verb} team {team.name} ({team}) on {team.server.url}: "
            f"{team.repositories.count()} repositories, core: {core}"
        )
        if team.server.requests_per_second:
            self.stdout.write(
                f"  at most {team.server.requests_per_second:g} requests a second to "
                f"{team.server.url}"
            )
        for name in result.repositories_added:
            self.stdout.write(f"  + {name}")
        for name in result.repositories_kept:
            self.stdout.write(
                f"  ! {name} is no longer in {path.name}; kept with its history "
                "(remove it in the admin if it should go)"
            )
