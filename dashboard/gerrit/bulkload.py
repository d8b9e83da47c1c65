"""Filling the database from the Gerrit simulator in-process, without HTTP.

For page benchmarks only (``bench_dashboard``, ``bench_reviewers``, ``load_forge``): they
need a large synced history quickly and measure the pages, not the sync. Sync benchmarks
(``bench_sync``) still go over HTTP. Changes are rendered by the simulator's own
ChangeInfo writer with the sync's options and stored by the store's own row-building code,
so the rows are what a sync would have written:

* ``load_history`` fills one team from a one-team ``Simulator`` with the sync's
  ``store_changes``, one page of 250 per transaction (``store_history``);
* ``load_forge`` fills a whole server of teams (``simulator.forge``) into an empty
  database with ``store_new_changes``: large pages across teams, no reads of what is
  stored, reviews derived once at the end, and the rendering optionally in worker
  processes. ``tests/gerrit/test_bulkload.py`` pins that both write the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from dashboard.gerrit.client import SYNC_OPTIONS
from dashboard.gerrit.clocks import refresh_review_clocks
from dashboard.gerrit.corehistory import infer_core_history
from dashboard.gerrit.models import (
    Approval,
    Change,
    ChangeFile,
    CoreMembership,
    GerritServer,
    Message,
    PatchSet,
    Repository,
    Reviewer,
    SyncRun,
    SyncRunStatus,
    Team,
    Vote,
)
from dashboard.gerrit.reviews import insert_reviews, refresh_review_flags
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.simulator.forge import Forge, ForgeTeam
from dashboard.gerrit.simulator.pages import ChangePages
from dashboard.gerrit.store import KnownAccounts, store_changes, store_new_changes, upsert_accounts
from dashboard.gerrit.teams import TeamDefinition, import_team

PAGE_SIZE = 250
FORGE_URL = "http://forge.gerrit.invalid"  # never contacted: the forge is loaded in-process


class ForgeLoadError(Exception):
    """The server already holds changes: a bulk load only fills an empty one."""


def load_history(
    *, team: Team, simulator: Simulator, progress: Callable[[int], None] | None = None
) -> int:
    """Store every change of ``simulator`` for ``team`` and make the simulator's current
    core members the team's, joined now (the simulator's clock, as a sync records it).

    Returns the number of changes stored; ``progress`` gets the running count per page.
    """
    pages = ChangePages(simulator, cache_bytes=0, prefetch=False)
    options = frozenset(SYNC_OPTIONS)
    numbers = simulator.numbers()
    rendered = (
        [
            json.loads(pages.render(simulator.row(number), options))
            for number in numbers[start : start + PAGE_SIZE]
        ]
        for start in range(0, len(numbers), PAGE_SIZE)
    )
    return store_history(
        team=team,
        pages=rendered,
        core_members=[account.info(detailed=True) for account in simulator.core_members()],
        server_time=datetime.fromtimestamp(simulator.now, UTC),
        progress=progress,
    )


def store_history(
    *,
    team: Team,
    pages: Iterable[list[dict[str, Any]]],
    core_members: list[dict[str, Any]],
    server_time: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The sync's way of storing a history: ``store_changes`` page by page (each in its
    own transaction; changes of other teams' repositories are skipped, as a sync skips
    them), then the core group as a sync observes it at ``server_time`` (AccountInfos),
    then the core history inferred from +2 votes. Returns the number of changes stored."""
    stored = 0
    for page in pages:
        with transaction.atomic():
            stats = store_changes(team=team, changes=page, synced_at=timezone.now())
        stored += stats.changes
        if progress is not None:
            progress(stored)
    with transaction.atomic():
        _observe_core_group(team, core_members, server_time)
    infer_core_history(team=team)
    return stored


@dataclass(frozen=True)
class ForgeLoad:
    """What ``load_forge`` stored."""

    teams: int
    repositories: int
    changes: int
    votes: int
    messages: int


def load_forge(
    *,
    forge: Forge,
    gerrit_url: str = FORGE_URL,
    page_size: int = 1000,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ForgeLoad:
    """Create the forge's teams and repositories on the server at ``gerrit_url`` and
    store its whole history, as syncs of every team would have left it (``store_history``
    per team writes the same rows, more slowly), down to each team's succeeded first
    ``SyncRun`` stamped at the forge's clock: the next ``sync_gerrit`` against the forge
    served over HTTP (``ForgeSimulator``, same sizes, the team's server URL pointing at
    it) is incremental and fetches only the overlap.

    The server must hold no change yet (ForgeLoadError otherwise): the load writes new
    rows only, so a second load, or one over synced data, is refused rather than mixed
    in. Pages of ``page_size`` changes are stored in one transaction each, in the
    server's order; ``workers`` > 0 renders them in that many processes meanwhile.
    ``progress`` gets (changes stored, changes in all) after each page. Memory stays flat:
    a few pages are in flight at a time, whatever the forge's size.
    """
    started = timezone.now()
    server, _ = GerritServer.objects.get_or_create(url=gerrit_url.rstrip("/"))
    if Change.objects.filter(server=server).exists():
        raise ForgeLoadError(
            f"{server.url} already holds changes: load the forge into an empty database"
        )
    teams = [
        import_team(definition=team_definition(team), gerrit_url=server.url).team
        for team in forge.teams
    ]
    repositories = dict(
        Repository.objects.filter(team__in=teams).values_list("name", "pk").order_by()
    )
    pages = forge.rendered_pages(size=page_size, options=frozenset(SYNC_OPTIONS), workers=workers)
    server_time = datetime.fromtimestamp(forge.now, UTC)
    with _bulk_session():
        with _indexes_built_afterwards():
            changes, votes, messages = _store_pages(
                pages, server, repositories, len(forge), progress
            )
        _analyze()  # the reviews' INSERT … SELECT below is planned on fresh statistics
        with transaction.atomic():
            for forge_team, team in zip(forge.teams, teams, strict=True):
                members = [a.info(detailed=True) for a in forge_team.core_members(forge.now)]
                _observe_core_group(team, members, server_time)
                infer_core_history(team=team)
            # With every membership in place, one pass derives each review and its flags.
            insert_reviews(None)
            refresh_review_clocks(None)
            record_first_syncs(teams=teams, server_time=server_time, started=started)
    _analyze(vacuum=True)  # and the pages that read the new reviews
    return ForgeLoad(
        teams=len(teams),
        repositories=len(repositories),
        changes=changes,
        votes=votes,
        messages=messages,
    )


def record_first_syncs(*, teams: list[Team], server_time: datetime, started: datetime) -> None:
    """Record for each team the succeeded first sync that would have stored what the
    load stored: the run's repositories and ``server_time`` (Gerrit's clock) are what
    ``sync.plan_windows`` continues from, so a later sync of the team is incremental.
    Counts are the team's stored rows; a load makes no request."""
    per_team = {
        row["repository__team"]: row
        for row in Change.objects.filter(repository__team__in=teams)
        .order_by()
        .values("repository__team")
        .annotate(changes=Count("pk"), oldest=Min("updated"))
    }
    votes = _count_per_team(Vote, teams)
    messages = _count_per_team(Message, teams)
    names: dict[int, list[str]] = {}
    for team_id, name in Repository.objects.filter(team__in=teams).values_list("team", "name"):
        names.setdefault(team_id, []).append(name)
    cores = dict(
        CoreMembership.objects.filter(team__in=teams, left__isnull=True)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values_list("team", "n")
    )
    finished = timezone.now()
    runs = []
    for team in teams:
        stored = per_team.get(team.pk, {"changes": 0, "oldest": None})
        runs.append(
            SyncRun(
                team=team,
                status=SyncRunStatus.SUCCEEDED,
                repositories=sorted(names.get(team.pk, [])),
                server_time=server_time,
                covered_from=stored["oldest"],
                covered_to=server_time,
                started=started,
                heartbeat=finished,
                finished=finished,
                changes_fetched=stored["changes"],
                changes_created=stored["changes"],
                votes_recorded=votes.get(team.pk, 0),
                messages_recorded=messages.get(team.pk, 0),
                core_joined=cores.get(team.pk, 0),
            )
        )
    SyncRun.objects.bulk_create(runs)


def _count_per_team(model: type[Vote] | type[Message], teams: list[Team]) -> dict[int, int]:
    return dict(
        model.objects.filter(change__repository__team__in=teams)
        .order_by()
        .values("change__repository__team")
        .annotate(n=Count("pk"))
        .values_list("change__repository__team", "n")
    )


def _store_pages(
    pages: Iterable[list[str]],
    server: GerritServer,
    repositories: dict[str, int],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int, int]:
    """Store rendered pages, one transaction each; returns (changes, votes, messages)."""
    accounts = KnownAccounts()
    synced_at = timezone.now()
    changes = votes = messages = 0
    for page in pages:
        infos = [json.loads(text) for text in page]
        with transaction.atomic():
            stats = store_new_changes(
                server=server,
                repositories=repositories,
                changes=infos,
                synced_at=synced_at,
                accounts=accounts,
            )
        changes += stats.changes
        votes += stats.votes
        messages += stats.messages
        if progress is not None:
            progress(changes, total)
    return changes, votes, messages


# The tables a load fills page by page; their secondary indexes are built after the pages.
_PAGE_TABLES = (Change, PatchSet, Message, Vote, Approval, Reviewer, ChangeFile)


@contextmanager
def _indexes_built_afterwards() -> Iterator[None]:
    """Drop the ``Meta.indexes`` of the tables pages fill, and build them again at the end.

    Keeping a dozen indexes in step row by row was most of a large load's time on SQLite
    (each insert lands at a random place in each index); building an index once over the
    finished table is a sort. Unique constraints stay: the load's own lookups use them.
    Plain ``DROP INDEX``/``CREATE INDEX`` statements from the schema editor's own SQL,
    so this works inside a transaction too (tests). A load killed before the end leaves
    the indexes missing: load into a fresh database again.
    """
    editor = connection.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # what entering it sets; entering is refused in a transaction
    dropped = [(model, index) for model in _PAGE_TABLES for index in model._meta.indexes]
    with connection.cursor() as cursor:
        for model, index in dropped:
            cursor.execute(str(index.remove_sql(model, editor)))
    try:
        yield
    finally:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # PostgreSQL builds no index over rows with foreign-key checks still pending
            # (deferred to the commit): run them now. Only inside a transaction (tests);
            # a load commits each page.
            connection.check_constraints()
        with connection.cursor() as cursor:
            for model, index in dropped:
                cursor.execute(str(index.create_sql(model, editor)))


@contextmanager
def _bulk_session() -> Iterator[None]:
    """On SQLite, a page cache of 256 MB for the load (the default is 2 MB): the tables'
    unique indexes and the indexes built at the end then stay in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _analyze(*, vacuum: bool = False) -> None:
    """PostgreSQL: table statistics now, not when autovacuum gets round to it. Planned on
    the empty tables' statistics, a query over a million freshly loaded votes may pick a
    plan for a few rows. With ``vacuum`` (at the end of a load, outside any transaction)
    also the visibility map, as autovacuum leaves a table once its inserts settle: without
    it no scan of the fresh tables can be index-only, and page benchmarks would time a
    state no running server stays in. VACUUM cannot run inside a transaction: a load
    wrapped in one (a test's) gets the statistics only."""
    if connection.vendor == "postgresql":
        vacuum = vacuum and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def team_definition(team: ForgeTeam) -> TeamDefinition:
    """How a forge team is imported: its name, repositories and core group."""
    return TeamDefinition(
        slug=team.name,
        name=team.display_name,
        repositories=team.repositories,
        core_group=team.core_group,
    )


def _observe_core_group(team: Team, members: list[dict[str, Any]], joined: datetime) -> None:
    """Make ``members`` (AccountInfos) the team's current core group, joined at
    ``joined``, as a sync that sees the group records it."""
    pks = upsert_accounts(team=team, infos=members).values()
    replaced = list(
        team.core_memberships.filter(left__isnull=True).values_list("account", flat=True)
    )
    team.core_memberships.filter(left__isnull=True).delete()
    CoreMembership.objects.bulk_create(
        CoreMembership(team=team, account_id=pk, joined=joined) for pk in pks
    )
    refresh_review_flags(team=team, account_ids=[*replaced, *pks])
