"""Database expressions the evaluator needs beyond plain lookups, portable to SQLite and
PostgreSQL (the two databases Tiller runs on)."""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, Case, CharField, Expression, F, Func, Q, Value, When
from django.db.models.functions import Concat, Left, Right
from django.db.models.lookups import Exact

TRUE = Q(pk__isnull=False)
FALSE = Q(pk__isnull=True)  # real SQL: NOT of it is every row, and the query still runs
HEADS = "refs/heads/"


class HasHashtag(Func):
    """True when the change's JSON list of hashtags holds ``tag``, compared ignoring case.

    JSONField's ``contains`` does not exist on SQLite and text matching on the JSON would
    trip over escaping, so each database gets its own set-returning JSON function. ``LOWER``
    folds ASCII on SQLite and, on PostgreSQL, whatever the database locale knows.
    """

    output_field = BooleanField()

    def __init__(self, tag: str) -> None:
        super().__init__(F("hashtags"), Value(tag, output_field=CharField()))

    def _sql(self, compiler: Any, elements: str) -> tuple[str, list[Any]]:
        column, column_params = compiler.compile(self.source_expressions[0])
        tag, tag_params = compiler.compile(self.source_expressions[1])
        source = elements.format(column)
        sql = f"EXISTS (SELECT 1 FROM {source} WHERE LOWER(t.value) = LOWER({tag}))"
        return sql, [*column_params, *tag_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self._sql(compiler, "json_each({}) AS t")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self._sql(compiler, "jsonb_array_elements_text({}) AS t(value)")

    def as_sql(self, *args: Any, **kwargs: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError("hashtag: is implemented for SQLite and PostgreSQL only")


def starts_with(expression: Expression | str, prefix: str) -> Q:
    """Case-sensitive prefix test (``__startswith`` is LIKE, case-insensitive on SQLite)."""
    column = F(expression) if isinstance(expression, str) else expression
    value = Value(prefix, output_field=CharField())
    return Q(Exact(Left(column, len(prefix)), value)) if prefix else TRUE


def ends_with(expression: Expression | str, suffix: str) -> Q:
    """Case-sensitive suffix test (``__endswith`` is LIKE, case-insensitive on SQLite)."""
    column = F(expression) if isinstance(expression, str) else expression
    value = Value(suffix, output_field=CharField())
    return Q(Exact(Right(column, len(suffix)), value)) if suffix else TRUE


def ref_starts_with(prefix: str) -> Q:
    """``full_ref()`` starts with ``prefix``, on the ``branch`` column itself: branches
    are stored without ``refs/heads/``, other refs whole."""
    stored_whole = starts_with("branch", prefix) & starts_with("branch", "refs/")
    if prefix.startswith(HEADS):
        under_heads = starts_with("branch", prefix.removeprefix(HEADS))
    elif HEADS.startswith(prefix):
        under_heads = TRUE
    else:
        return stored_whole
    return stored_whole | (under_heads & ~starts_with("branch", "refs/"))


def full_ref() -> Case:
    """The change's destination as a full ref. Gerrit reports branches under refs/heads/
    without the prefix and other refs (refs/meta/config) whole; ``branch`` stores that."""
    return Case(
        When(starts_with("branch", "refs/"), then=F("branch")),
        default=Concat(Value(HEADS), F("branch")),
        output_field=CharField(),
    )


def full_name(ref: str) -> str:
    """Gerrit's RefNames.fullName: ``master`` → ``refs/heads/master``."""
    return ref if ref.startswith("refs/") or ref == "HEAD" else HEADS + ref


def branch_of(ref: str) -> str:
    """The ``Change.branch`` value of a full ref (see ``full_ref``)."""
    return ref.removeprefix(HEADS)
