"""Gerrit's search language as pure Python: text to tree, tree to plain words (no ORM).

``parse`` turns a query into a small tree of frozen dataclasses (``And``, ``Or``, ``Not``,
``Term``) or raises ``QuerySyntaxError`` with a position; ``describe`` says what it means;
``combine`` builds a dashboard section's query from its ``foreach``. Evaluating a tree
against the synced tables is ``dashboard.reviews.evaluate``'s job.
"""

from __future__ import annotations

from .describe import describe
from .errors import NeedsSignIn, QueryError, QuerySyntaxError, UnknownGroup, UnsupportedOperator
from .operators import DEFAULT_FIELD
from .syntax import And, Node, Not, Or, Term, combine, limit_of, parse, terms

__all__ = [
    "DEFAULT_FIELD",
    "And",
    "NeedsSignIn",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "QuerySyntaxError",
    "Term",
    "UnknownGroup",
    "UnsupportedOperator",
    "combine",
    "describe",
    "limit_of",
    "parse",
    "terms",
]
