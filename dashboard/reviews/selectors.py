"""Page-shaped reads over Gerrit queries: a search page, and sections of queries (my reviews,
later the team dashboards), each a bounded number of SQL queries whatever the data size.

Queries are parsed and evaluated by ``dashboard.reviews.evaluate``; what this module adds is
what a page needs around them: the plain-words description, the rows with what the shared
change row shows joined in (including each change's team, for its link), a count, and a bad
query turned into a ``QueryProblem`` the page shows instead of a 500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.db.models import Count, F, OrderBy, QuerySet, Window
from django.utils import timezone
from django.utils.text import slugify

from dashboard.gerrit.models import Account, Change, Team
from dashboard.governance.spec_selectors import with_spec_marker
from dashboard.governance.weekly_selectors import with_weekly_marker
from dashboard.reviews.evaluate import SearchContext, search
from dashboard.reviews.query import (
    NeedsSignIn,
    QueryError,
    UnknownGroup,
    UnsupportedOperator,
    describe,
)

# Sort keys as they appear in ``?sort=``, mapped to ORDER BY; -number breaks ties so the
# order is stable when many changes share a timestamp.
# "waiting" is by the current patch set's upload, oldest first (unknown times last).
SECTION_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "updated": ("-updated", "-number"),
    "number": ("-number",),
    "waiting": (F("current_patch_set_created").asc(nulls_last=True), "number"),
}
SECTION_SORT_WORDS = {
    "updated": "Last updated",
    "number": "Number",
    "waiting": "Waiting longest",
}


@dataclass(frozen=True)
class QueryProblem:
    """Why a query has no results: ``message`` to show, ``position`` (0-based) in ``text``
    to point at (None: no single place is to blame), and ``kind``: ``syntax`` (the text),
    ``unsupported`` (Tiller's data), ``sign-in`` (the visitor) or ``group`` (a name)."""

    text: str
    message: str
    position: int | None
    kind: str

    @property
    def marker(self) -> str:
        """A caret under the culprit when the query is printed above it in monospace."""
        return "" if self.position is None else " " * self.position + "^"

    @classmethod
    def from_error(cls, text: str, error: QueryError) -> QueryProblem:
        if isinstance(error, NeedsSignIn):
            kind = "sign-in"
        elif isinstance(error, UnsupportedOperator):
            kind = "unsupported"
        elif isinstance(error, UnknownGroup):
            kind = "group"
        else:
            kind = "syntax"
        position = error.position
        if position is not None:
            position = max(0, min(position, len(text)))
        return cls(text=text, message=str(error), position=position, kind=kind)


@dataclass(frozen=True)
class ChangeSearch:
    """A search page's answer: ``changes`` is unevaluated (paginate it), most recently
    updated first, ``limit:`` already applied; ``problem`` is set instead when the query
    cannot be answered, and ``changes`` is then empty."""

    text: str
    description: str
    changes: QuerySet[Change]
    problem: QueryProblem | None = None


# What ``gerrit/change_list.html#change-row`` reads, and nothing more: a dashboard shows
# hundreds of rows, and loading each change's commit message, JSON and a dozen timestamps
# it never shows cost more than the SQL. A field missing here costs a query per row, which
# the query-count tests of the pages catch.
ROW_FIELDS = (
    "number",
    "subject",
    "branch",
    "status",
    "updated",
    "current_patch_set",
    "current_patch_set_created",
    "work_in_progress",
    "mergeable",
    "topic",
    "verified",
    "workflow",
    "cr_max",
    "cr_min",
    "cr_plus2_count",
    "repository__name",
    "repository__team__name",
    "repository__team__display_name",
    "owner__name",
    "owner__username",
    "owner__account_id",
    "server__url",
)


def _with_row_data(changes: QuerySet[Change]) -> QuerySet[Change]:
    """What ``gerrit/change_list.html#change-row`` shows, in the same query as the rows,
    with the markers of linked specs and of this week's review priorities."""
    rows = changes.select_related("repository__team", "owner", "server").only(*ROW_FIELDS)
    return with_weekly_marker(with_spec_marker(rows), today=timezone.localdate())


def search_changes(*, text: str, context: SearchContext) -> ChangeSearch:
    """The changes of ``context.server`` matching ``text``; no SQL is run here (counting and
    one page of rows are two queries, done by the caller's paginator)."""
    try:
        result = search(text, context=context)
    except QueryError as error:
        problem = QueryProblem.from_error(text, error)
        return ChangeSearch(text, "", Change.objects.none(), problem)
    changes = _with_row_data(result.changes)
    if result.limit is not None:
        changes = changes[: result.limit]
    return ChangeSearch(text, describe(result.root), changes)


def search_teams(*, name: str | None) -> tuple[Team | None, list[Team]]:
    """The team whose server a search runs on (``name``'s, else the first by name; None
    when there is no such team) and every team to choose from, in one query."""
    teams = list(Team.objects.select_related("server").order_by("name"))
    if name:
        return next((team for team in teams if team.name == name), None), teams
    return (teams[0] if teams else None), teams


@dataclass(frozen=True)
class SectionResult:
    """One titled query of a dashboard: up to ``per_section`` ``rows`` in ``sort`` order,
    ``count`` of all matches (``limit:`` honoured), or ``error`` (then rows are empty and
    count is 0). ``slug`` names the section in URLs and element ids."""

    title: str
    query: str
    description: str
    rows: list[Change]
    count: int
    error: QueryProblem | None = None
    sort: str = "updated"
    slug: str = ""

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


def section_slug(title: str) -> str:
    return slugify(title) or "section"


def evaluate_sections(
    *,
    sections: Sequence[tuple[str, str]],
    context: SearchContext,
    per_section: int = 25,
    sorts: Mapping[str, str] | None = None,
    rows: Mapping[str, int] | None = None,
) -> list[SectionResult]:
    """Each ``(title, query)`` evaluated for ``context``: one SQL query per section (its
    first ``per_section`` change ids, each carrying the count of all matches), then one
    query for the shown rows of every section together; none for a section whose query
    fails, whose error is reported on it while the other sections still render.

    Counting in the ids' own query (``COUNT(*) OVER ()``) and fetching every section's rows
    at once halves the statements Django has to build: building them, not running them,
    was most of a ten-section dashboard's server time.

    ``sorts`` maps a section's slug to a key of ``SECTION_SORTS`` (default ``updated``);
    unknown keys fall back to the default. ``rows`` maps a section's slug to how many rows
    it shows instead of ``per_section`` (a section the visitor expanded).
    """
    results: list[SectionResult] = []
    shown_ids: list[list[int]] = []
    for title, query in sections:
        slug = section_slug(title)
        sort = (sorts or {}).get(slug, "updated")
        if sort not in SECTION_SORTS:
            sort = "updated"
        try:
            found = search(query, context=context)
        except QueryError as error:
            problem = QueryProblem.from_error(query, error)
            results.append(SectionResult(title, query, "", [], 0, problem, sort, slug))
            shown_ids.append([])
            continue
        matching = found.changes
        if found.limit is not None:
            # limit: keeps Gerrit's newest-first choice; the sort orders what it kept.
            matching = Change.objects.filter(pk__in=found.limited().values("pk"))
        ids = list(
            matching.annotate(section_total=Window(Count("pk")))
            .order_by(*SECTION_SORTS[sort])
            .values_list("pk", "section_total")[: (rows or {}).get(slug, per_section)]
        )
        count = ids[0][1] if ids else 0
        description = describe(found.root)
        results.append(SectionResult(title, query, description, [], count, None, sort, slug))
        shown_ids.append([pk for pk, _ in ids])
    wanted = {pk for ids in shown_ids for pk in ids}
    if not wanted:
        return results
    by_pk = {c.pk: c for c in _with_row_data(Change.objects.filter(pk__in=wanted))}
    return [
        replace(result, rows=[by_pk[pk] for pk in ids])
        for result, ids in zip(results, shown_ids, strict=True)
    ]


def linkable_accounts(*, name: str) -> QuerySet[Account]:
    """Synced human accounts whose Gerrit user name or e-mail is ``name`` (any case)."""
    name = name.strip()
    by_username = Account.objects.filter(username__iexact=name)
    by_email = Account.objects.filter(email__iexact=name)
    return (by_username | by_email).filter(is_bot=False).select_related("server")
