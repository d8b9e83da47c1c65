"""The forge served over HTTP: what the sync asks of it, and syncs on a bulk-loaded forge."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import transaction

from dashboard.gerrit.bulkload import load_forge, team_definition
from dashboard.gerrit.client import GerritClient
from dashboard.gerrit.models import Change, CoreMembership, SyncRun, SyncRunStatus, Team
from dashboard.gerrit.nochange import NoChangeSyncError, no_change_syncs
from dashboard.gerrit.simulator import Simulator, SimulatorServer, start_simulator
from dashboard.gerrit.simulator.forge import Forge
from dashboard.gerrit.simulator.forgesim import ForgeSimulator
from dashboard.gerrit.simulator.process import SimulatorProcess
from dashboard.gerrit.sync import OVERLAP, sync_team
from dashboard.gerrit.teams import import_team
from tests.gerrit.rows import stored_rows

pytestmark = pytest.mark.django_db

# Small, but with three teams of different sizes and people shared between teams.
SIZES = {"seed": 5, "teams": 3, "repositories": 7, "changes": 300, "accounts": 36}


@pytest.fixture
def forge() -> Forge:
    return Forge(**SIZES)


@pytest.fixture
def served(forge: Forge) -> Iterator[SimulatorServer]:
    # The server gets a forge of its own: what it serves must not depend on sharing state.
    with start_simulator(ForgeSimulator(Forge(**SIZES))) as server:
        yield server


def _numbers_of(forge: Forge, team_name: str) -> set[int]:
    return {
        snapshot.spec.number
        for position, snapshot in enumerate(forge.snapshots())
        if forge.team_of(position).name == team_name
    }


def _query(team_repositories: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f'project:"{name}"' for name in team_repositories) + ")"


def test_a_teams_query_pages_through_exactly_that_teams_changes(forge, served):
    client = GerritClient(served.url)
    for forge_team in forge.teams:
        pages = list(client.iter_change_pages(_query(forge_team.repositories), page_size=40))
        numbers = [change["_number"] for page in pages for change in page.changes]
        assert len(numbers) == len(set(numbers))
        assert set(numbers) == _numbers_of(forge, forge_team.name)
    assert len(pages) > 1  # the last team's query took several pages


def test_changes_are_served_as_the_forge_renders_them(forge, served):
    options = frozenset({"DETAILED_ACCOUNTS", "LABELS", "MESSAGES"})
    expected = {
        json.loads(text)["_number"]: json.loads(text) for text in forge.render(0, 30, options)
    }
    client = GerritClient(served.url)
    for number, change in expected.items():
        served_change = client.get(f"changes/{number}", params={"o": sorted(options)})
        assert served_change == change


def test_each_teams_core_group_lists_its_members_at_the_servers_clock(forge, served):
    client = GerritClient(served.url)
    for forge_team in forge.teams:
        members = client.group_members(forge_team.core_group)
        expected = forge_team.core_members(forge.now)
        assert {m["_account_id"] for m in members} == {a.account_id for a in expected}
        assert len(members) >= 3
    names = set(client.get("projects/"))
    assert names == {name for team in forge.teams for name in team.repositories}


def _sync_every_team(forge: Forge, url: str) -> list[SyncRun]:
    teams = [import_team(definition=team_definition(t), gerrit_url=url).team for t in forge.teams]
    return [sync_team(team=team) for team in teams]


# A sync links each membership it observed to its run; a load has no run to link to.
_RUN_LINKS = frozenset({(CoreMembership, "joined_sync"), (CoreMembership, "left_sync")})


def test_syncs_over_http_of_every_team_store_the_rows_load_forge_stores(forge, served):
    savepoint = transaction.savepoint_create()
    runs = _sync_every_team(forge, served.url)
    assert [run.status for run in runs] == [SyncRunStatus.SUCCEEDED] * 3
    assert sum(run.changes_fetched for run in runs) == len(forge) == 300
    synced = stored_rows(_RUN_LINKS)
    transaction.savepoint_rollback(savepoint)
    assert not Change.objects.exists()

    load_forge(forge=forge, gerrit_url=served.url, page_size=70)
    assert stored_rows(_RUN_LINKS) == synced
    assert {name: len(rows) > 0 for name, rows in synced.items()} == dict.fromkeys(synced, True)


def test_load_forge_records_each_teams_first_sync_at_the_forges_clock(forge):
    load_forge(forge=forge)
    clock = datetime.fromtimestamp(forge.now, UTC)
    for forge_team in forge.teams:
        run = Team.objects.get(name=forge_team.name).sync_runs.get()
        assert run.status == SyncRunStatus.SUCCEEDED
        assert run.server_time == run.covered_to == clock
        assert run.repositories == sorted(forge_team.repositories)
        assert run.changes_fetched == len(forge_team.generator)


def _updated_in_overlap(forge: Forge, team_name: str) -> int:
    floor = forge.now - OVERLAP.total_seconds()
    return sum(
        1
        for position, snapshot in enumerate(forge.snapshots())
        if forge.team_of(position).name == team_name and snapshot.state.updated >= floor
    )


def test_after_load_forge_a_sync_asks_for_the_group_and_one_page_of_the_overlap(forge, served):
    load_forge(forge=forge, gerrit_url=served.url)
    team = Team.objects.get(name=forge.teams[0].name)
    served.requests.reset()
    run = sync_team(team=team)
    assert run.status == SyncRunStatus.SUCCEEDED
    assert run.window_start == datetime.fromtimestamp(forge.now, UTC) - OVERLAP
    assert run.changes_fetched == _updated_in_overlap(forge, team.name)
    assert run.core_joined == run.core_left == 0
    paths = [request.path for request in served.requests.entries()]
    assert paths == [f"/groups/{team.core_group}/members/", "/changes/"]
    assert run.requests == 2


def test_after_load_forge_a_sync_fetches_what_changed_on_the_forge_since(forge, served):
    load_forge(forge=forge, gerrit_url=served.url)
    team = Team.objects.get(name=forge.teams[1].name)
    number = min(_numbers_of(forge, team.name))
    served.sim.advance(3600, activity=False)
    served.sim.touch(number, message="Still relevant?")
    run = sync_team(team=team)
    assert run.changes_fetched == 1 + _updated_in_overlap(forge, team.name)
    assert Change.objects.get(number=number).messages.filter(text__contains="Still").exists()


def test_no_change_syncs_report_one_team_and_every_team(forge, served):
    load_forge(forge=forge, gerrit_url="http://forge.gerrit.invalid")
    report = no_change_syncs(gerrit_url=served.url, team=forge.teams[2].name)
    overlap = {t.name: _updated_in_overlap(forge, t.name) for t in forge.teams}
    assert report["one_team"]["team"] == forge.teams[2].name
    assert report["one_team"]["requests"] == 2
    assert report["one_team"]["changes_fetched"] == overlap[forge.teams[2].name]
    assert report["one_team"]["ms"] > 0
    assert report["all_teams"]["teams"] == 3
    assert report["all_teams"]["requests"] == 6
    assert report["all_teams"]["changes_fetched"] == sum(overlap.values())
    assert report["all_teams"]["ms"] >= report["all_teams"]["slowest_team_ms"] > 0
    # The run the load recorded, then the one-team sync and the all-teams round.
    assert SyncRun.objects.filter(team__name=forge.teams[2].name).count() == 3


def test_no_change_syncs_refuse_a_database_without_recorded_first_syncs(forge, served):
    import_team(definition=team_definition(forge.teams[0]), gerrit_url=served.url)
    with pytest.raises(NoChangeSyncError, match="read all history"):
        no_change_syncs(gerrit_url=served.url)


def test_the_forge_runs_in_a_process_of_its_own():
    sizes = {**SIZES, "changes": 60, "end": datetime(2020, 1, 1, tzinfo=UTC)}
    with SimulatorProcess(forge=sizes) as process:
        with urllib.request.urlopen(f"{process.url}/groups/?m=-core", timeout=10) as response:
            groups = json.loads(response.read().decode().split("\n", 1)[1])
        with urllib.request.urlopen(f"{process.url}/changes/?q=status:merged&n=500") as response:
            changes = json.loads(response.read().decode().split("\n", 1)[1])
    assert sorted(groups) == sorted(t.core_group for t in Forge(**sizes).teams)
    assert 0 < len(changes) < 60
    assert max(change["updated"] for change in changes) < "2020-01-01 00:00:00.000000000"


def test_activity_on_the_forge_reaches_only_the_teams_it_touched(forge, served):
    load_forge(forge=forge, gerrit_url=served.url)
    touched = served.sim.advance(6 * 3600)
    assert touched
    by_team: dict[str, set[int]] = {t.name: set() for t in forge.teams}
    for number in touched:
        project = served.sim.snapshot(served.sim.row(number)).spec.project
        by_team[served.sim.generator.team_of(project).name].add(number)
    for forge_team in forge.teams:
        run = sync_team(team=Team.objects.get(name=forge_team.name))
        fetched = set(
            Change.objects.filter(
                repository__team__name=forge_team.name, synced_at__gte=run.started
            ).values_list("number", flat=True)
        )
        assert by_team[forge_team.name] <= fetched
        assert run.changes_fetched == len(fetched) < len(forge_team.generator)


def _post_core(server: SimulatorServer, payload: dict) -> tuple[int, object]:
    request = urllib.request.Request(
        f"{server.url}/__sim__/core", data=json.dumps(payload).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_control_api_changes_the_core_group_of_the_team_it_names(served):
    first, second = served.sim.forge.teams[:2]
    first_cores = [a.account_id for a in served.sim.core_members(first.name)]
    newcomers = sorted(second.people.accounts)[:3]
    status, answer = _post_core(served, {"team": second.name, "members": newcomers})
    assert status == 200
    assert set(answer["members"]) == set(newcomers)
    assert {a.account_id for a in served.sim.core_members(second.name)} == set(newcomers)
    assert [a.account_id for a in served.sim.core_members(first.name)] == first_cores


def test_the_control_api_refuses_an_unknown_team_by_name(served):
    status, answer = _post_core(served, {"team": "no-such-team", "members": [1, 2, 3]})
    assert status == 400
    assert "no team called 'no-such-team'" in answer


def test_the_one_team_simulator_refuses_a_team_name_for_its_core_group():
    with start_simulator(Simulator(seed=1, changes=20)) as server:
        members = [a.account_id for a in server.sim.core_members()]
        status, answer = _post_core(server, {"team": "glance", "members": members})
    assert status == 400
    assert "serves one team" in answer
