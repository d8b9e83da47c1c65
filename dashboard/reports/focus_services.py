"""Writes to focus rules: declare, edit, lift, delete; and whether a query can be one's
exceptions.

Every edit locks the rule's row, checks the version the client read and bumps it, in one
transaction: an edit made from an older version raises ``StaleFocusRule`` instead of
overwriting what someone else did meanwhile. Bad input raises ``InvalidFocusRule`` naming
the form field to blame, with the query parser's own message for a bad exception query.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle, Priority
from dashboard.reports.models import FocusRule
from dashboard.reviews.evaluate import SearchContext, to_q
from dashboard.reviews.query import QueryError, parse


class StaleFocusRule(Exception):
    """The rule changed since the client read it; ``current`` is the rule as it is now."""

    def __init__(self, current: FocusRule) -> None:
        self.current = current
        super().__init__(
            "Someone else changed this rule while you were editing it; nothing was saved. "
            "Here is the rule as it is now."
        )


class InvalidFocusRule(ValueError):
    """What the PTL typed cannot make a rule; ``field`` is the form field to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def exception_problem(*, team: Team, text: str) -> str | None:
    """Why ``text`` cannot be an exception query (the parser's or evaluator's message), or
    None when it can. One query (the groups the evaluator knows)."""
    if not text.strip():
        return None
    try:
        to_q(parse(text), context=SearchContext.for_user(None, server=team.server))
    except QueryError as error:
        return str(error)
    return None


def _actor_name(actor: AbstractBaseUser | None) -> str:
    if actor is None:
        return "Tiller"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return (full or str(actor.get_username()))[:150]


def _actor(actor: AbstractBaseUser | None) -> Any:
    return actor if actor is not None and actor.pk else None


def _validate(
    *, team: Team, cycle: Cycle, since: date, until: date | None, priority: Priority | None,
    exceptions: str,
) -> None:  # fmt: skip
    if until is not None and until < since:
        raise InvalidFocusRule("The last day cannot come before the first day.", "until")
    if priority is not None and (priority.team_id != team.pk or priority.cycle_id != cycle.pk):
        raise InvalidFocusRule(
            f"“{priority.title}” is not a {cycle} priority of {team}.", "priority"
        )
    problem = exception_problem(team=team, text=exceptions)
    if problem is not None:
        raise InvalidFocusRule(f"The exception query cannot be used: {problem}", "exceptions")


@transaction.atomic
def create_rule(
    *,
    team: Team,
    cycle: Cycle,
    statement: str,
    since: date,
    until: date | None = None,
    priority: Priority | None = None,
    exceptions: str,
    actor: AbstractBaseUser | None,
    actor_name: str = "",
) -> FocusRule:
    """Declare a rule; raises ``InvalidFocusRule`` (with the query parser's message for a
    bad exception query), saving nothing. ``actor_name`` says who when there is no
    ``actor`` (a command, the demo)."""
    statement = statement.strip()
    if not statement:
        raise InvalidFocusRule("Say what the rule is, in words.", "statement")
    exceptions = exceptions.strip()
    _validate(
        team=team, cycle=cycle, since=since, until=until, priority=priority, exceptions=exceptions
    )
    name = actor_name[:150] if actor is None and actor_name else _actor_name(actor)
    return FocusRule.objects.create(
        team=team,
        cycle=cycle,
        statement=statement[:500],
        since=since,
        until=until,
        priority=priority,
        priority_title=priority.title if priority else "",
        exceptions=exceptions,
        created_by=_actor(actor),
        created_by_name=name,
        updated_by=_actor(actor),
        updated_by_name=name,
    )


def _locked(rule: FocusRule, version: int) -> FocusRule:
    # Locking the row serialises concurrent editors on PostgreSQL: the second waits, then
    # sees the first one's version and is refused.
    fresh = (
        FocusRule.objects.select_for_update(of=("self",)).select_related("priority").get(pk=rule.pk)
    )
    if version != fresh.version:
        raise StaleFocusRule(fresh)
    return fresh


def _save(rule: FocusRule, actor: AbstractBaseUser | None, fields: list[str]) -> FocusRule:
    rule.version += 1
    rule.updated = timezone.now()
    rule.updated_by = _actor(actor)
    rule.updated_by_name = _actor_name(actor)
    rule.save(update_fields=[*fields, "version", "updated", "updated_by", "updated_by_name"])
    return rule


@transaction.atomic
def edit_rule(
    *,
    rule: FocusRule,
    version: int,
    statement: str,
    since: date,
    until: date | None,
    priority: Priority | None,
    exceptions: str,
    actor: AbstractBaseUser | None,
) -> FocusRule:
    """Change every field of a rule read at ``version`` (raises ``StaleFocusRule`` when it
    changed since, ``InvalidFocusRule`` for bad input)."""
    fresh = _locked(rule, version)
    statement, exceptions = statement.strip(), exceptions.strip()
    if not statement:
        raise InvalidFocusRule("Say what the rule is, in words.", "statement")
    _validate(
        team=fresh.team, cycle=fresh.cycle, since=since, until=until, priority=priority,
        exceptions=exceptions,
    )  # fmt: skip
    fresh.statement, fresh.since, fresh.until = statement[:500], since, until
    fresh.exceptions = exceptions
    if priority is not None or fresh.priority_id is not None or not fresh.priority_title:
        # Keep a deleted priority's name unless the PTL picks another one.
        fresh.priority = priority
        fresh.priority_title = priority.title if priority else ""
    fields = ["statement", "since", "until", "exceptions", "priority", "priority_title"]
    return _save(fresh, actor, fields)


@transaction.atomic
def lift_rule(
    *, rule: FocusRule, version: int, today: date, actor: AbstractBaseUser | None
) -> FocusRule:
    """End the rule: its last day becomes ``today`` (or stays earlier if it already ended).
    The rule stays on record with its outcome."""
    fresh = _locked(rule, version)
    if fresh.until is None or fresh.until > today:
        fresh.until = max(today, fresh.since)
    return _save(fresh, actor, ["until"])


@transaction.atomic
def delete_rule(*, rule: FocusRule, version: int) -> None:
    """Remove a rule read at ``version`` (raises ``StaleFocusRule`` when it changed since)."""
    _locked(rule, version).delete()
