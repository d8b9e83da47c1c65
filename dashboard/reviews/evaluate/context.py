"""What a query means besides its text (who asks, on which server, when) and its result."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from dashboard.gerrit.models import Account, Change, GerritServer, Team
from dashboard.reviews.models import GerritIdentity, Star
from dashboard.reviews.query import Node


@dataclass(frozen=True)
class SearchContext:
    """Who is asking, where and when.

    ``account`` is the caller's Gerrit account, what ``self`` means (None: not signed in, or
    no account linked on this server). ``starred`` yields the primary keys of the changes
    the caller starred, used as a subquery (None: nobody to ask). ``groups`` are the group
    names Tiller can resolve: the core groups of the server's teams. ``now`` is the moment
    ``age:`` counts back from (timezone-aware; injectable for tests).
    """

    server: GerritServer
    now: datetime = field(default_factory=timezone.now)
    account: Account | None = None
    starred: QuerySet[Any] | None = None
    groups: frozenset[str] = frozenset()

    @classmethod
    def for_user(
        cls,
        user: AbstractBaseUser | AnonymousUser | None,
        *,
        server: GerritServer,
        now: datetime | None = None,
    ) -> SearchContext:
        """The context of a Tiller user: two small queries (their identity, the groups), so
        evaluating the query itself stays one."""
        account = None
        starred = None
        if user is not None and user.is_authenticated:
            identity = (
                GerritIdentity.objects.filter(user=user, account__server=server)
                .select_related("account")
                .first()
            )
            account = identity.account if identity else None
            starred = Star.objects.filter(user=user).values("change")
        groups = Team.objects.filter(server=server).exclude(core_group="")
        return cls(
            server=server,
            now=now or timezone.now(),
            account=account,
            starred=starred,
            groups=frozenset(groups.values_list("core_group", flat=True)),
        )


@dataclass(frozen=True)
class SearchResult:
    """A query's matching changes, most recently updated first, and its ``limit:``.

    ``changes`` is not sliced, so callers can still filter, annotate or paginate it;
    ``limit`` (from ``limit:N``; None when absent) comes last, through ``limited()`` or by
    iterating the result, as Gerrit caps the page after everything else.
    """

    root: Node
    changes: QuerySet[Change]
    limit: int | None

    def limited(self) -> QuerySet[Change]:
        return self.changes if self.limit is None else self.changes[: self.limit]

    def __iter__(self) -> Iterator[Change]:
        return iter(self.limited())
