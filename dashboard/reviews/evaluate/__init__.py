"""Gerrit queries answered from the synced tables: a parsed tree becomes one Django ``Q``.

Every operator becomes conditions on ``Change`` and correlated ``EXISTS`` subqueries on its
rows (approvals, reviewers, messages, files, patch sets), so a whole dashboard section is
ONE SQL statement, with no Python loop over rows. Semantics are current Gerrit's (3.x,
facts §6.4–6.5): label tests mean "exists a current vote" and a value of 0 means "no
non-zero vote"; ``reviewer:`` is reviewer state REVIEWER on a change not in progress.

Approximations, each documented where it is made:

* ``message:``/``comment:``/``intopic:`` words: Gerrit's Lucene phrase search is emulated
  with a case-insensitive regular expression (``query.values.phrase_pattern``); ``comment:``
  sees change messages only, inline comments are not synced.
* regular expressions are translated from Gerrit's dialect (``query.regex``); SQLite runs
  them with Python's ``re`` (Django's REGEXP function), PostgreSQL natively.
* hashtags compare case-insensitively with SQL ``LOWER`` (ASCII on SQLite).
* unknown users match nothing (as current Gerrit does); a label voter that is neither a
  known user nor a known group matches no vote, where Gerrit answers 400.
* ``limit:`` is always true as a condition and applied as a final slice by ``search``.
"""

from __future__ import annotations

from django.db.models import Q

from dashboard.gerrit.models import Change
from dashboard.reviews.query import Node, limit_of, parse

from .context import SearchContext, SearchResult
from .terms import Evaluator

__all__ = ["SearchContext", "SearchResult", "search", "to_q"]


def to_q(node: Node, *, context: SearchContext) -> Q:
    """The condition on ``Change`` that ``node`` means, built without running any query.

    Raises ``UnsupportedOperator`` (no synced data for it), ``NeedsSignIn`` (about the
    caller, and there is none) or ``UnknownGroup``.
    """
    return Evaluator(context).q(node)


def search(text: str, *, context: SearchContext) -> SearchResult:
    """Parse ``text`` and select the matching changes of ``context.server``, most recently
    updated first: one SQL query when iterated. Raises ``QueryError`` subclasses (a syntax
    error, an unanswerable operator, a missing sign-in, an unknown group)."""
    root = parse(text)
    changes = (
        Change.objects.filter(server=context.server)
        .filter(to_q(root, context=context))
        .order_by("-updated", "-number")
    )
    return SearchResult(root=root, changes=changes, limit=limit_of(root))
