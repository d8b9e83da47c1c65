"""The bulk loaders behind the page benchmarks: they must write what a sync writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.db.models import F

from dashboard.gerrit.bulkload import (
    FORGE_URL,
    ForgeLoadError,
    load_forge,
    load_history,
    store_history,
    team_definition,
)
from dashboard.gerrit.client import SYNC_OPTIONS
from dashboard.gerrit.models import (
    Account,
    Change,
    CoreMembership,
    GerritServer,
    PatchSet,
    Review,
    ReviewClocks,
    Team,
    Vote,
)
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.simulator.forge import Forge
from dashboard.gerrit.teams import import_team, simulated_team
from tests.gerrit.rows import stored_rows

pytestmark = pytest.mark.django_db


def test_loaded_patch_sets_carry_their_changes_repository():
    team = import_team(definition=simulated_team(), gerrit_url="http://gerrit.test").team
    stored = load_history(team=team, simulator=Simulator(seed=3, changes=40))
    assert stored == Change.objects.count() > 0
    assert PatchSet.objects.count() >= stored
    assert not PatchSet.objects.exclude(repository=F("change__repository")).exists()
    # The simulated team has several repositories, so a constant would not pass.
    assert PatchSet.objects.values("repository").distinct().count() > 1


# -- load_forge: a server of teams, bulk-loaded -------------------------------------------

# A forge small enough for a test, big enough that every kind of row occurs (vote
# removals, inferred core stretches, disagreements, people in several teams).
SMALL = {"seed": 4, "teams": 3, "repositories": 7, "changes": 400, "accounts": 36}


def _synced_contents(forge: Forge) -> dict[str, list[tuple[object, ...]]]:
    """What syncs of every team write (the sync's store, team by team), rolled back."""
    pages = [[json.loads(text) for text in page] for page in _pages(forge)]
    server_time = datetime.fromtimestamp(forge.now, UTC)
    savepoint = transaction.savepoint_create()
    for forge_team in forge.teams:
        team = import_team(definition=team_definition(forge_team), gerrit_url=FORGE_URL).team
        members = [a.info(detailed=True) for a in forge_team.core_members(forge.now)]
        store_history(team=team, pages=pages, core_members=members, server_time=server_time)
    contents = stored_rows()
    transaction.savepoint_rollback(savepoint)
    return contents


def _pages(forge: Forge) -> list[list[str]]:
    return list(forge.rendered_pages(size=100, options=frozenset(SYNC_OPTIONS)))


def test_forge_load_writes_the_rows_syncs_of_every_team_write():
    forge = Forge(**SMALL)
    synced = _synced_contents(forge)
    assert not Change.objects.exists()  # the sync's rows were rolled back
    loaded = load_forge(forge=forge, page_size=150)
    assert loaded.changes == len(forge) == 400
    assert stored_rows() == synced
    # Not an empty comparison: every kind of row the history can produce is there.
    assert {name: len(rows) > 0 for name, rows in synced.items()} == dict.fromkeys(synced, True)
    assert Vote.objects.filter(removal=True).exists()
    assert Vote.objects.filter(source="label").exists()
    assert Review.objects.filter(by_core=True).exists()
    assert Review.objects.filter(disagreed_at__isnull=False).exists()
    assert CoreMembership.objects.filter(inferred=True).exists()
    # The open changes' review clocks, derived alike (a run cut short by a -1 included).
    assert ReviewClocks.objects.filter(no_negative__gt=F("first")).exists()


def test_forge_load_gives_each_team_its_own_repositories_and_changes():
    forge = Forge(**SMALL)
    load_forge(forge=forge)
    for forge_team in forge.teams:
        team = Team.objects.get(name=forge_team.name)
        assert team.core_group == forge_team.core_group
        assert set(team.repositories.values_list("name", flat=True)) == set(forge_team.repositories)
        assert Change.objects.in_team(team).count() == len(forge_team.generator) > 0
    # One server, one account per person, however many teams they review for.
    assert GerritServer.objects.count() == 1
    owners = Account.objects.filter(owned_changes__isnull=False).distinct()
    in_several = [
        account
        for account in owners
        if Team.objects.filter(repositories__changes__votes__account=account).distinct().count() > 1
    ]
    assert in_several


def test_forge_load_refuses_a_server_that_holds_changes():
    forge = Forge(**{**SMALL, "changes": 40})
    load_forge(forge=forge)
    counts = (Change.objects.count(), Vote.objects.count())
    with pytest.raises(ForgeLoadError, match="already holds changes"):
        load_forge(forge=forge)
    assert (Change.objects.count(), Vote.objects.count()) == counts


def test_forge_load_reports_progress_per_page():
    seen: list[tuple[int, int]] = []
    load_forge(
        forge=Forge(**{**SMALL, "changes": 50}),
        page_size=20,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(20, 50), (40, 50), (50, 50)]


@pytest.mark.django_db(transaction=True)
def test_a_forge_load_on_postgresql_leaves_its_tables_vacuumed_as_autovacuum_would():
    """Without the visibility map no scan of the fresh tables can be index-only, so the
    pages would be timed in a state no running server stays in."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and its statistics are PostgreSQL's; SQLite has no such state")
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (before,) = cursor.fetchone()
        load_forge(forge=Forge(**{**SMALL, "changes": 30}))
        cursor.execute(
            "SELECT last_vacuum >= %s FROM pg_stat_user_tables WHERE relname = %s",
            [before, "gerrit_change"],
        )
        assert cursor.fetchone() == (True,)
