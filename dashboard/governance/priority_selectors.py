"""Page-shaped reads for the cycle priorities and feature-freeze exception pages.

A fixed number of queries whatever the list's length: the items, their owners and specs
(two prefetches), the synced changes they name (one query for all), the list version and
a page of history.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from dashboard.gerrit.models import Account, Change, Team
from dashboard.governance.models import (
    Cycle,
    FeatureFreezeException,
    FFEDecision,
    Priority,
    PriorityChange,
    PriorityStatus,
    Spec,
)
from dashboard.governance.priorities import list_version

HISTORY_PER_PAGE = 20


@dataclass(frozen=True)
class Owner:
    name: str
    account: Account | None
    search_url: str = ""  # the account's open changes, when the name matched an account


@dataclass(frozen=True)
class Topic:
    name: str
    search_url: str


@dataclass(frozen=True)
class ChangeRef:
    """A change an item names: ours to link when synced, Gerrit's always."""

    number: int
    gerrit_url: str
    change: Change | None


@dataclass(frozen=True)
class PriorityRow:
    priority: Priority
    owners: tuple[Owner, ...]
    specs: tuple[Spec, ...]
    topics: tuple[Topic, ...]
    changes: tuple[ChangeRef, ...]


@dataclass(frozen=True)
class PrioritiesPage:
    team: Team
    cycle: Cycle
    rows: tuple[PriorityRow, ...]
    version: int
    history: Page
    status_counts: dict[str, int]
    cycles: tuple[Cycle, ...]  # every cycle, for the cycle picker


def search_url(*, team: Team, query: str) -> str:
    return f"{reverse('reviews:search')}?{urlencode({'q': query, 'team': team.name})}"


def priorities_page(*, team: Team, cycle: Cycle, history_page: str | None = None) -> PrioritiesPage:
    """The team's ordered list for a cycle, with links resolved, and a page of history."""
    items = list(
        Priority.objects.for_list(team_id=team.pk, cycle_id=cycle.pk).prefetch_related(
            Prefetch("owners", queryset=Account.objects.only("pk", "name", "username")),
            Prefetch("specs", queryset=Spec.objects.order_by("title")),
        )
    )
    numbers = {number for item in items for number in item.change_numbers}
    synced = {
        change.number: change
        for change in Change.objects.filter(server_id=team.server_id, number__in=numbers).only(
            "pk", "number", "subject", "status", "server_id"
        )
    }
    rows = []
    for item in items:
        accounts = {account.name.lower(): account for account in item.owners.all()}
        owners = []
        for name in item.owner_names:
            account = accounts.get(name.lower())
            url = ""
            if account is not None and account.username:
                url = search_url(team=team, query=f"status:open owner:{account.username}")
            owners.append(Owner(name, account, url))
        rows.append(
            PriorityRow(
                priority=item,
                owners=tuple(owners),
                specs=tuple(item.specs.all()),
                topics=tuple(
                    Topic(topic, search_url(team=team, query=f'topic:"{topic}"'))
                    for topic in item.topics
                ),
                changes=tuple(
                    ChangeRef(number, team.server.change_url(number), synced.get(number))
                    for number in item.change_numbers
                ),
            )
        )
    counts = dict.fromkeys(PriorityStatus.values, 0)
    for item in items:
        counts[item.status] += 1
    history = PriorityChange.objects.filter(team=team, cycle=cycle).order_by("-pk")
    return PrioritiesPage(
        team=team,
        cycle=cycle,
        rows=tuple(rows),
        version=list_version(team=team, cycle=cycle),
        history=Paginator(history, HISTORY_PER_PAGE).get_page(history_page),
        status_counts=counts,
        cycles=tuple(Cycle.objects.all()),
    )


def default_cycle(*, team: Team) -> Cycle | None:
    """The cycle a bare "priorities" link opens: the current one, else the newest cycle
    that has priorities for the team, else the newest cycle."""
    current = Cycle.objects.current()
    if current is not None:
        return current
    with_items = Cycle.objects.filter(priorities__team=team).order_by("-start", "-pk").first()
    return with_items or Cycle.objects.order_by("-start", "-pk").first()


@dataclass(frozen=True)
class FFEPage:
    team: Team
    cycle: Cycle
    requests: tuple[FeatureFreezeException, ...]
    counts: dict[str, int]


def ffe_page(*, team: Team, cycle: Cycle) -> FFEPage:
    """The cycle's feature-freeze exception requests, newest first, with their links."""
    requests = tuple(
        FeatureFreezeException.objects.filter(team=team, cycle=cycle).select_related(
            "spec", "change", "change__server", "requester", "decided_by"
        )
    )
    tally = FeatureFreezeException.objects.filter(team=team, cycle=cycle).aggregate(
        **{d: Count("pk", filter=Q(decision=d)) for d in FFEDecision.values}
    )
    return FFEPage(team=team, cycle=cycle, requests=requests, counts=tally)
