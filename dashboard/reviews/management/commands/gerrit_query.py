"""manage.py gerrit_query "QUERY" [--team NAME] [--user NAME] [--format table|json] [--limit N]"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Change, GerritServer, Team
from dashboard.reviews.evaluate import SearchContext, search
from dashboard.reviews.query import NeedsSignIn, QueryError


def caret(text: str, error: QueryError) -> str:
    """The query with a caret under the culprit, like a compiler (one line per query line)."""
    if error.position is None:
        return f"  {text}"
    start = text.rfind("\n", 0, error.position) + 1
    end = text.find("\n", error.position)
    line = text[start : end if end != -1 else len(text)]
    return f"  {line}\n  {' ' * (error.position - start)}^"


def change_row(change: Change) -> dict[str, Any]:
    return {
        "number": change.number,
        "project": change.repository.name,
        "branch": change.branch,
        "status": change.status,
        "subject": change.subject,
        "updated": change.updated.isoformat(),
        "owner": change.owner.username or change.owner.name or str(change.owner.account_id),
        "url": change.gerrit_url,
    }


class Command(BaseCommand):
    help = (
        "Run a Gerrit search query against the synced changes and print the matches, most "
        "recently updated first. --team limits it to the team's repositories; --user is the "
        "Tiller user whose linked Gerrit account is 'self'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help='Gerrit query, e.g. "status:open label:Verified>=1"')
        parser.add_argument("--team", help="Team name (its server; only its repositories)")
        parser.add_argument("--user", help="Tiller user name whose Gerrit account is 'self'")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--limit", type=int, help="Print at most N changes")

    def handle(self, *args: Any, **options: Any) -> None:
        text: str = options["query"]
        limit: int | None = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number")
        team = self._team(options["team"])
        server = team.server if team else self._only_server()
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f'No Tiller user named "{options["user"]}"')
        context = SearchContext.for_user(user, server=server)
        try:
            result = search(text, context=context)
            changes = result.changes.with_row_data()
            if team is not None:
                changes = changes.in_team(team)
            cap = min(n for n in (result.limit, limit) if n) if result.limit or limit else None
            rows = [change_row(change) for change in (changes[:cap] if cap else changes)]
        except NeedsSignIn as error:
            if user is None:
                raise CommandError(
                    f"this query uses self: pass --user\n{caret(text, error)}"
                ) from None
            raise CommandError(
                f'{error.operator}: user "{user}" has no Gerrit account linked on {server} '
                f"(add a Gerrit identity)\n{caret(text, error)}"
            ) from None
        except QueryError as error:
            raise CommandError(f"{error.message}\n{caret(text, error)}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['number']:>8}  {row['status']:<9} {row['project']} ({row['branch']})  "
                f"{row['subject']}  [{row['owner']}, {row['updated'][:16]}]"
            )
        self.stdout.write(f"{len(rows)} change{'s' if len(rows) != 1 else ''}")

    def _team(self, name: str | None) -> Team | None:
        if not name:
            return None
        team = Team.objects.select_related("server").filter(name=name).first()
        if team is None:
            known = ", ".join(Team.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f'No team named "{name}" (known: {known})')
        return team

    def _only_server(self) -> GerritServer:
        servers = list(GerritServer.objects.all()[:2])
        if len(servers) != 1:
            raise CommandError("Pass --team NAME to choose the Gerrit server to search")
        return servers[0]
