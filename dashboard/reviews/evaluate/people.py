"""People in queries: resolving user and group names, and the conditions about them.

Names resolve inside SQL (subqueries on ``Account`` and ``CoreMembership``), never by a
query of their own, so a whole search stays one statement. Groups are the exception only
in that their *names* come from the context, so an unknown group is an error before any
SQL runs, as Gerrit answers 400 "Group X not found".
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from dashboard.gerrit.models import (
    Account,
    CoreMembership,
    Message,
    PatchSet,
    Reviewer,
    ReviewerState,
)
from dashboard.reviews.query import NeedsSignIn, Term, UnknownGroup
from dashboard.reviews.query.labels import Who
from dashboard.reviews.query.values import INT32_MAX, is_self

from .context import SearchContext
from .sql import FALSE

type Accounts = QuerySet[Any] | list[int]
"""Primary keys of accounts, for ``__in``: a one-column subquery or a literal list."""


class People:
    """The people a query names, resolved for one context, and conditions about them."""

    def __init__(self, context: SearchContext) -> None:
        self.context = context

    def me(self, term: Term) -> Account:
        """The caller's account, or ``NeedsSignIn`` naming the term that needs it."""
        account = self.context.account
        if account is None or account.server_id != self.context.server.pk:
            raise NeedsSignIn(f"{term.operator}:{term.value}", term.position)
        return account

    def accounts(self, who: str, term: Term) -> Accounts:
        """The accounts ``who`` names, resolved like Gerrit's account ids: ``self``/``me``, a
        numeric id, ``Name (id)``, ``Name <email>``, an e-mail, a user name or a full name.

        A name several accounts share selects all of them (facts §6.2); an unknown one
        selects none, as current Gerrit does rather than leak which accounts exist.
        """
        if is_self(who):
            return [self.me(term).pk]
        accounts = Account.objects.filter(server=self.context.server)
        if not who.strip():
            # Not "accounts with a blank name": bare synced accounts have blank details.
            return accounts.filter(FALSE).values("pk")
        number = who if who.isdigit() else None
        if found := re.fullmatch(r".*\(([0-9]+)\)", who, re.DOTALL):
            number = found.group(1)
        if number is not None:
            condition = Q(account_id=int(number)) if int(number) <= INT32_MAX else FALSE
        elif found := re.fullmatch(r".*<([^<>]+)>", who, re.DOTALL):
            condition = Q(email__iexact=found.group(1))
        else:
            condition = Q(username=who) | Q(email__iexact=who)
            if "@" not in who:
                condition |= Q(name__iexact=who)
        return accounts.filter(condition).values("pk")

    def members(self, group: str, term: Term) -> QuerySet[Any]:
        """Current members of a group Tiller syncs (a team's core group), by account pk.

        Gerrit evaluates group membership now, not at review time (facts §6.5), which is
        what open ``CoreMembership`` stretches are.
        """
        if group not in self.context.groups:
            raise UnknownGroup(group, term.position)
        return CoreMembership.objects.filter(
            team__server=self.context.server, team__core_group=group, left__isnull=True
        ).values("account")

    def is_me(self, who: str) -> bool:
        """Whether ``who`` names the caller (so ``starredby:<my user name>`` is answerable)."""
        account = self.context.account
        if is_self(who):
            return True
        if account is None:
            return False
        return who in (account.username, str(account.account_id)) or (
            bool(account.email) and who.lower() == account.email.lower()
        )

    def starred(self, term: Term) -> Q:
        if self.context.starred is None:
            raise NeedsSignIn(f"{term.operator}:{term.value}", term.position)
        return Q(pk__in=self.context.starred)

    @staticmethod
    def owned_by(accounts: Accounts) -> Q:
        return Q(owner__in=accounts)

    @staticmethod
    def reviewer(accounts: Accounts, state: str = ReviewerState.REVIEWER) -> Q:
        """``reviewer:``/``cc:`` as Gerrit 2.15+: the reviewer state, and for REVIEWER a
        change that is not work in progress."""
        rows = Reviewer.objects.filter(change=OuterRef("pk"), account__in=accounts, state=state)
        if state == ReviewerState.CC:
            return Q(Exists(rows))
        return Q(Exists(rows)) & Q(work_in_progress=False)

    @staticmethod
    def commented_by(accounts: Accounts) -> Q:
        """Gerrit's COMMENTBY: authors of change messages. Inline comments (not synced) are
        always posted with a review message by the same author, so nobody is missed."""
        return Q(Exists(Message.objects.filter(change=OuterRef("pk"), author__in=accounts)))

    @staticmethod
    def reviewed_by(accounts: Accounts | None) -> Q:
        """Gerrit's ChangeData.reviewedBy: walking the messages from the newest, the authors
        met before the first one written by the change owner (authorless messages skipped).
        So a CI comment after the owner's upload counts and any owner reply resets it.
        ``accounts`` None means anyone (``is:reviewed``)."""
        later_from_owner = Message.objects.filter(
            change=OuterRef("change"), author=OuterRef(OuterRef("owner"))
        ).filter(Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
        # Every message of theirs is tried, each from the (author, change, date) index
        # alone; for one person this measured faster than first seeking their latest
        # message and reading its row.
        messages = Message.objects.filter(change=OuterRef("pk"), author__isnull=False)
        if accounts is not None:
            messages = messages.filter(author__in=accounts)
        messages = messages.exclude(author=OuterRef("owner")).filter(~Q(Exists(later_from_owner)))
        return Q(Exists(messages))

    @staticmethod
    def uploaded_by(accounts: Accounts) -> Q:
        """The uploader of the current patch set."""
        current = PatchSet.objects.filter(
            change=OuterRef("pk"), number=OuterRef("current_patch_set"), uploader__in=accounts
        )
        return Q(Exists(current))

    def voters(self, who: Who | None, term: Term) -> Q:
        """A condition on ``Approval`` rows of one change: cast by the label test's voters."""
        if who is None:
            return Q()
        if who.kind == "self":
            return Q(account=self.me(term))
        if who.kind == "owner":
            return Q(account=OuterRef("owner"))
        if who.kind == "non_uploader":
            uploader = PatchSet.objects.filter(
                change=OuterRef(OuterRef("pk")), number=OuterRef(OuterRef("current_patch_set"))
            ).values("uploader")[:1]
            return ~Q(account=Coalesce(Subquery(uploader), Value(0)))
        if who.kind == "group":
            return Q(account__in=self.members(who.name, term))
        users = self.accounts(who.name, term)
        if who.kind == "user" or who.name not in self.context.groups:
            # Gerrit answers 400 for a name that is neither user nor group; telling "no
            # such user" apart would cost a query, so an unknown name matches no vote.
            return Q(account__in=users)
        # A bare name is a user if an account has it, otherwise the group (Gerrit's order).
        members = self.members(who.name, term)
        return Q(account__in=users) | (~Q(Exists(users)) & Q(account__in=members))
