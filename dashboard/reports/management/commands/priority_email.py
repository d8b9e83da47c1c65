"""manage.py priority_email --team NAME --week DATE [--send] [--to ADDR]: the week's email."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.models import Team
from dashboard.governance.models import WeeklyList
from dashboard.reports.emails import (
    TILLER,
    NothingToSend,
    SendFailed,
    StaleEmail,
    build_priority_email,
    send_priority_email,
)


class Command(BaseCommand):
    help = (
        "Print a team's weekly priority email as plain text, or with --send send it to the "
        "team's list address (or --to) through the configured mailer and archive it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True)
        parser.add_argument("--week", required=True, help="the meeting date, YYYY-MM-DD")
        parser.add_argument("--send", action="store_true", help="send it and archive it")
        parser.add_argument(
            "--sender", default=TILLER, help="the name the footer gives (default: Tiller)"
        )
        parser.add_argument(
            "--to", action="append", help="recipient instead of the list address (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No team called {options['team']!r}.")
        try:
            week = date.fromisoformat(options["week"])
        except ValueError:
            raise CommandError(f"--week {options['week']!r} is not a date (YYYY-MM-DD).") from None
        weekly_list = WeeklyList.objects.select_related("team__server").filter(team=team, week=week)
        weekly_list = weekly_list.first()
        if weekly_list is None:
            raise CommandError(f"{team.name} has no weekly list for the meeting of {week}.")
        to = tuple(options["to"]) if options["to"] else None
        email = build_priority_email(weekly_list=weekly_list, sender_name=options["sender"], to=to)
        if not options["send"]:
            self.stdout.write(f"Subject: {email.subject}\n\n{email.text}", ending="")
            return
        try:
            sent = send_priority_email(weekly_list=weekly_list, email=email, sender=None)
        except (NothingToSend, StaleEmail, SendFailed) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Sent “{sent.subject}” to {', '.join(sent.to)}; archived as email {sent.pk}."
        )
