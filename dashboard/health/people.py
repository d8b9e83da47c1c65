"""The team's people and their affiliations, for the affiliations page.

A team's people are the human accounts that own one of its changes or voted on one: the
same people its figures count, so a missing affiliation here is one that moves a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from dashboard.gerrit.models import Account, Change, Team, Vote
from dashboard.health.models import Affiliation


def team_people(*, team: Team, search: str = "", missing_only: bool = False) -> QuerySet[Account]:
    """The team's people, by name, with ``affiliations`` prefetched (oldest first).

    ``search`` matches name, user name, e-mail or an organisation's name; ``missing_only``
    keeps people with no affiliation at all. Paginate it: two queries a page.
    """
    owns = Change.objects.in_team(team).filter(owner=OuterRef("pk"))
    voted = Vote.objects.filter(repository__team=team, account=OuterRef("pk"))
    people = Account.objects.filter(server_id=team.server_id, is_bot=False).filter(
        Exists(owns) | Exists(voted)
    )
    if search:
        people = people.filter(
            Q(name__icontains=search)
            | Q(username__icontains=search)
            | Q(email__icontains=search)
            | Q(affiliations__organisation__name__icontains=search)
        ).distinct()
    if missing_only:
        people = people.filter(~Exists(Affiliation.objects.filter(account=OuterRef("pk"))))
    stretches = Affiliation.objects.select_related("organisation", "edited_by").order_by(
        "start", "pk"
    )
    return people.order_by("name", "username", "account_id").prefetch_related(
        Prefetch("affiliations", queryset=stretches, to_attr="stretches")
    )


@dataclass(frozen=True)
class Stretch:
    """How a stretch reads on the page."""

    affiliation: Affiliation
    is_current: bool


def stretches(account: Account, *, today: date) -> list[Stretch]:
    """An account's prefetched stretches, the one covering ``today`` marked current."""
    return [
        Stretch(
            affiliation=a,
            is_current=(a.start is None or a.start <= today) and (a.end is None or a.end > today),
        )
        for a in getattr(account, "stretches", [])
    ]
