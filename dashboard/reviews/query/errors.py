"""Everything that can be wrong with a Gerrit query, as exceptions a page can show.

House rule 6: a bad query gets a message, never a 500. Callers catch ``QueryError`` and show
``str(error)``; ``position`` (0-based, into the text that was parsed) lets a page point at
the culprit. The subclasses say *whose* problem it is: the text (``QuerySyntaxError``),
Tiller's data (``UnsupportedOperator``), the session (``NeedsSignIn``) or the names used
(``UnknownGroup``).
"""

from __future__ import annotations


class QueryError(ValueError):
    """Base of every query problem; ``position`` is None when no place in the text is to blame."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class QuerySyntaxError(QueryError):
    """The text is not a valid Gerrit query (Gerrit would answer 400).

    Raised for lexical and grammar mistakes, unknown operator names and values an operator
    cannot take (``age:5x``, ``limit:many``, a regular expression that does not compile).
    """


class UnsupportedOperator(QueryError):
    """A valid Gerrit query that Tiller cannot answer from synced data.

    ``operator`` is the term as written (``is:watched``, ``starredby:jane``); the message
    says why the data is missing, so a dashboard author knows what to rewrite.
    """

    def __init__(self, operator: str, reason: str, position: int | None = None) -> None:
        where = f" (at position {position})" if position is not None else ""
        super().__init__(f'"{operator}" cannot be answered by Tiller: {reason}{where}', position)
        self.operator = operator
        self.reason = reason


class NeedsSignIn(QueryError):
    """The query is about the caller (``self``, ``is:starred``…) and there is no caller.

    Gerrit answers 403 "Must be signed-in to use this operator" in the same case (facts §1.1).
    """

    def __init__(self, operator: str, position: int | None = None) -> None:
        where = f" (at position {position})" if position is not None else ""
        super().__init__(
            f'"{operator}" is about you: sign in and link your Gerrit account to use it{where}',
            position,
        )
        self.operator = operator


class UnknownGroup(QueryError):
    """A group name Tiller does not know (Gerrit answers 400 "Group X not found").

    Tiller knows the groups it syncs: the core groups of the teams on the server.
    """

    def __init__(self, group: str, position: int | None = None) -> None:
        where = f" (at position {position})" if position is not None else ""
        super().__init__(
            f'Group "{group}" not found: Tiller knows the core groups of the teams it syncs{where}',
            position,
        )
        self.group = group
