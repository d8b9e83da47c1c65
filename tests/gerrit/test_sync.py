"""Incremental sync against the simulated Gerrit: completeness, increments, faults, the lock."""

from __future__ import annotations

import gc
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from dashboard.gerrit import sync as sync_module
from dashboard.gerrit.client import ChangePage, GerritClient, GerritUnavailable
from dashboard.gerrit.models import (
    Change,
    CoreMembership,
    GerritServer,
    Message,
    PatchSet,
    SyncRun,
    SyncRunStatus,
    Vote,
)
from dashboard.gerrit.sync import (
    OVERLAP,
    SYNC_GC_THRESHOLDS,
    SYNC_WAL_AUTOCHECKPOINT,
    SyncAlreadyRunning,
    sync_team,
)
from dashboard.gerrit.tasks import sync_team_task

from .conftest import PASSWORD, USER

pytestmark = pytest.mark.django_db


def fast(gerrit, sleeps, **kwargs) -> GerritClient:
    return GerritClient(gerrit.url, timeout=2.0, retries=2, sleep=sleeps, **kwargs)


def team_numbers(sim) -> set[int]:
    return set(sim.numbers())


def stored_state() -> dict[int, tuple]:
    return {
        number: (status, updated, ps)
        for number, status, updated, ps in Change.objects.values_list(
            "number", "status", "updated", "current_patch_set"
        )
    }


def simulator_state(sim) -> dict[int, tuple]:
    state = {}
    for number in sim.numbers():
        snapshot = sim.change(number).state
        state[number] = (
            snapshot.status,
            datetime.fromtimestamp(snapshot.updated, UTC),
            snapshot.current.number,
        )
    return state


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Change, PatchSet, Message, Vote))


def test_first_sync_fetches_the_whole_history(team, sim, gerrit, sleeps):
    run = sync_team(team=team, client=fast(gerrit, sleeps), page_size=25)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert run.window_start is None
    assert stored_state() == simulator_state(sim)
    assert run.changes_fetched == run.changes_created == len(sim.numbers())
    assert run.server_time == datetime.fromtimestamp(sim.now, UTC)
    assert Vote.objects.filter(label="Code-Review", value=2).exists()
    assert Vote.objects.filter(removal=True).exists()


def test_core_group_is_recorded_and_joins_and_leaves_are_observed(team, sim, gerrit, sleeps):
    sync_team(team=team, client=fast(gerrit, sleeps))
    first = {a.account_id for a in sim.core_members()}
    current = set(
        CoreMembership.objects.filter(left__isnull=True).values_list(
            "account__account_id", flat=True
        )
    )
    assert current == first
    leaving = sorted(first)[0]
    joining = next(a for a in sorted(sim.accounts) if a not in first and not sim.accounts[a].tags)
    sim.advance(3600, activity=False)
    sim.set_core_members((first - {leaving}) | {joining})
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    assert (run.core_joined, run.core_left) == (1, 1)
    gone = CoreMembership.objects.get(account__account_id=leaving)
    assert gone.left == datetime.fromtimestamp(sim.now, UTC) and gone.left_sync == run
    assert (
        CoreMembership.objects.get(account__account_id=joining, left__isnull=True).joined_sync
        == run
    )


def test_a_sync_with_nothing_new_asks_one_change_query_and_stores_nothing_new(team, gerrit, sleeps):
    sync_team(team=team, client=fast(gerrit, sleeps))
    before = counts()
    gerrit.requests.reset()
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    change_queries = [r for r in gerrit.requests.entries() if r.path == "/changes/"]
    assert run.status == SyncRunStatus.SUCCEEDED
    assert len(change_queries) == 1
    assert counts() == before
    assert run.changes_created == 0


def test_later_runs_fetch_only_what_changed_since_the_last_success(team, sim, gerrit, sleeps):
    first = sync_team(team=team, client=fast(gerrit, sleeps))
    sim.advance(600, activity=False)
    touched = sorted(sim.numbers())[:3]
    for number in touched:
        sim.touch(number, votes={"Code-Review": 1})
    new = sim.add_change(project="openstack/glance", subject="A brand new change")
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    assert run.window_start == first.server_time - OVERLAP
    assert run.changes_created == 1
    assert run.changes_fetched < len(sim.numbers())
    assert stored_state() == simulator_state(sim)
    assert Change.objects.get(number=new).subject == "A brand new change"
    now = datetime.fromtimestamp(sim.now, UTC)
    assert Vote.objects.filter(change__number=touched[0], value=1, granted__gte=now).exists()


def test_rerunning_adds_no_duplicates(team, gerrit, sleeps):
    sync_team(team=team, client=fast(gerrit, sleeps))
    before = counts()
    run = sync_team(team=team, full=True, client=fast(gerrit, sleeps))
    assert run.window_start is None and run.changes_created == 0
    assert counts() == before


def test_since_limits_the_first_sync_to_recent_changes(team, sim, gerrit, sleeps):
    since = datetime.fromtimestamp(sim.now, UTC) - timedelta(days=60)
    run = sync_team(team=team, since=since, client=fast(gerrit, sleeps))
    assert run.status == SyncRunStatus.SUCCEEDED
    assert 0 < Change.objects.count() < len(sim.numbers())
    assert not Change.objects.filter(updated__lt=since).exists()


def test_a_failed_run_keeps_what_it_stored_and_the_next_run_completes_it(team, sim, gerrit, sleeps):
    client = fast(gerrit, sleeps)
    pages_seen = []

    def progress(run: SyncRun) -> None:
        pages_seen.append(run.changes_fetched)
        if len(pages_seen) == 2:  # two pages stored: every later page request fails
            gerrit.inject("error", status=503, count=10, path_prefix="/changes/")

    failed = sync_team(team=team, client=client, page_size=20, progress=progress)
    assert failed.status == SyncRunStatus.FAILED
    assert "503" in failed.error and "\n" not in failed.error
    stored = Change.objects.count()
    assert stored >= 20 and failed.covered_from is not None

    gerrit.faults.clear()
    done = sync_team(team=team, client=fast(gerrit, sleeps), page_size=20)
    assert done.status == SyncRunStatus.SUCCEEDED
    assert stored_state() == simulator_state(sim)
    assert done.changes_fetched < len(sim.numbers())  # it did not start over
    assert done.window_start is None


class FailsFromPage(GerritClient):
    """A client whose change query fails from the page at ``fail_at`` on, telling when."""

    def __init__(self, *args, fail_at: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fail_at = fail_at
        self.failed = threading.Event()

    def query_changes(self, query: str, **kwargs) -> ChangePage:
        if kwargs.get("start", 0) >= self.fail_at:
            self.failed.set()
            raise GerritUnavailable(f"Gerrit at {self.base_url} failed with HTTP 503")
        return super().query_changes(query, **kwargs)


def test_a_fetch_error_on_the_next_page_keeps_the_page_being_stored(
    team, sim, gerrit, sleeps, monkeypatch
):
    """The next page is fetched while this one is stored; when that fetch fails, the page
    in hand is still stored and checkpointed before the run fails with the fetch's error."""
    client = FailsFromPage(gerrit.url, timeout=2.0, retries=0, sleep=sleeps, fail_at=20)
    store = sync_module.store_changes
    overlapped = []

    def store_after_the_next_fetch_failed(**kwargs):
        overlapped.append(client.failed.wait(timeout=30))
        return store(**kwargs)

    monkeypatch.setattr(sync_module, "store_changes", store_after_the_next_fetch_failed)
    failed = sync_team(team=team, client=client, page_size=20)

    assert overlapped == [True]
    assert failed.status == SyncRunStatus.FAILED
    assert failed.error == f"Gerrit at {gerrit.url} failed with HTTP 503"
    assert Change.objects.count() == failed.changes_fetched == 20
    assert failed.covered_from == min(Change.objects.values_list("updated", flat=True))
    monkeypatch.undo()
    done = sync_team(team=team, client=fast(gerrit, sleeps), page_size=20)
    assert done.status == SyncRunStatus.SUCCEEDED
    assert stored_state() == simulator_state(sim)
    assert done.changes_fetched < len(sim.numbers())  # it did not start over


def test_each_fetched_page_is_stored_once(team, sim, gerrit, sleeps, monkeypatch):
    store = sync_module.store_changes
    stored_pages: list[list[int]] = []

    def recording_store(**kwargs):
        stored_pages.append([info["_number"] for info in kwargs["changes"]])
        return store(**kwargs)

    monkeypatch.setattr(sync_module, "store_changes", recording_store)
    run = sync_team(team=team, client=fast(gerrit, sleeps), page_size=20)

    assert run.status == SyncRunStatus.SUCCEEDED
    numbers = [number for page in stored_pages for number in page]
    assert sorted(numbers) == sorted(sim.numbers())  # every change, none twice
    queries = [e for e in gerrit.requests.entries() if e.path == "/changes/"]
    assert len(queries) == len(stored_pages)
    assert run.changes_fetched == len(numbers)


@pytest.mark.parametrize("ending", ["finished", "interrupted"])
def test_the_garbage_collector_runs_less_during_a_sync_and_as_before_after(
    team, gerrit, sleeps, ending
):
    before = gc.get_threshold()
    during = []

    def progress(run: SyncRun) -> None:
        during.append(gc.get_threshold())
        if ending == "interrupted" and run.changes_fetched:
            raise KeyboardInterrupt

    if ending == "interrupted":
        with pytest.raises(KeyboardInterrupt):
            sync_team(team=team, client=fast(gerrit, sleeps), page_size=20, progress=progress)
    else:
        sync_team(team=team, client=fast(gerrit, sleeps), page_size=20, progress=progress)
    assert during and all(t[0] >= SYNC_GC_THRESHOLDS[0] for t in during)
    assert gc.get_threshold() == before


def sqlite_settings() -> tuple[int, int]:
    """(foreign keys enforced, write-ahead log pages between checkpoints)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        (enforced,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint")
        (autocheckpoint,) = cursor.fetchone()
    return enforced, autocheckpoint


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite's settings change")
@pytest.mark.parametrize("ending", ["finished", "interrupted"])
def test_sqlite_stores_pages_unchecked_and_checkpoints_less_then_as_before(
    team, gerrit, sleeps, ending
):
    """Outside a transaction (a real sync, not a test's) pages are written without
    SQLite's foreign key checks and with rarer checkpoints; both are back however the
    run ends."""
    before = sqlite_settings()
    assert before[0] == 1
    while_storing = []

    def progress(run: SyncRun) -> None:
        if run.changes_fetched:
            while_storing.append(sqlite_settings())
            if ending == "interrupted":
                raise KeyboardInterrupt

    if ending == "interrupted":
        with pytest.raises(KeyboardInterrupt):
            sync_team(team=team, client=fast(gerrit, sleeps), page_size=20, progress=progress)
    else:
        run = sync_team(team=team, client=fast(gerrit, sleeps), page_size=20, progress=progress)
        assert run.status == SyncRunStatus.SUCCEEDED
    assert while_storing
    assert set(while_storing) == {(0, SYNC_WAL_AUTOCHECKPOINT)}
    assert sqlite_settings() == before


def test_ctrl_c_keeps_fetched_pages_and_the_next_run_completes(team, sim, gerrit, sleeps):
    def interrupt_after_two_pages(run: SyncRun) -> None:
        if run.changes_fetched >= 40:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_team(
            team=team, client=fast(gerrit, sleeps), page_size=20, progress=interrupt_after_two_pages
        )
    interrupted = SyncRun.objects.get()
    assert interrupted.status == SyncRunStatus.INTERRUPTED
    assert Change.objects.count() == 40
    sim.advance(120, activity=False)
    sim.touch(sorted(sim.numbers())[-1], votes={"Code-Review": -1})
    done = sync_team(team=team, client=fast(gerrit, sleeps), page_size=20)
    assert done.status == SyncRunStatus.SUCCEEDED
    assert stored_state() == simulator_state(sim)


def test_changes_updated_while_paging_are_caught_by_the_next_run(team, sim, gerrit, sleeps):
    """Rows that jump to the top mid-paging are missed by that pass (Gerrit's own offset
    paging cannot help it); they were updated after the run began, so the next run,
    starting from this run's server time minus the overlap, fetches them."""
    gerrit.inject("paging", seen=2, unseen=3, count=3, path_prefix="/changes/")
    sync_team(team=team, client=fast(gerrit, sleeps), page_size=15)
    assert stored_state() != simulator_state(sim)
    sync_team(team=team, client=fast(gerrit, sleeps), page_size=15)
    assert stored_state() == simulator_state(sim)


@pytest.mark.parametrize("fault", ["truncate", "html"])
def test_a_persistently_broken_page_fails_the_run_and_loses_nothing(
    team, sim, gerrit, sleeps, fault
):
    sync_team(team=team, client=fast(gerrit, sleeps))
    before = counts()
    sim.advance(60)
    gerrit.inject(fault, count=10, path_prefix="/changes/")
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    assert run.status == SyncRunStatus.FAILED and "JSON" in run.error
    assert counts() == before
    gerrit.faults.clear()
    assert sync_team(team=team, client=fast(gerrit, sleeps)).status == SyncRunStatus.SUCCEEDED
    assert stored_state() == simulator_state(sim)


def test_unknown_repository_fails_with_its_name(team, gerrit, sleeps):
    team.repositories.create(name="openstack/glancee")
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("Repository openstack/glancee does not exist on Gerrit at")


def test_unknown_core_group_fails_with_its_name(team, gerrit, sleeps):
    team.core_group = "glance-cores"
    team.save()
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    assert run.status == SyncRunStatus.FAILED
    assert run.error.startswith("Core group glance-cores does not exist")


def test_credentials_come_from_the_named_environment_variable(team, gerrit, monkeypatch):
    server = team.server
    server.username, server.password_env = USER, "TEST_GERRIT_PASSWORD"
    server.save()
    monkeypatch.setenv("TEST_GERRIT_PASSWORD", PASSWORD)
    run = sync_team(team=team)
    assert run.status == SyncRunStatus.SUCCEEDED
    assert {r.target[:3] for r in gerrit.requests.entries()} == {"/a/"}


def test_a_wrong_password_fails_the_run_without_showing_it(team, gerrit, monkeypatch):
    server = team.server
    server.username, server.password_env = USER, "TEST_GERRIT_PASSWORD"
    server.save()
    monkeypatch.setenv("TEST_GERRIT_PASSWORD", "not-the-password")
    run = sync_team(team=team)
    assert run.status == SyncRunStatus.FAILED
    assert "401" in run.error and "not-the-password" not in run.error


def test_a_second_sync_of_the_same_team_is_refused(team, gerrit, sleeps):
    now = timezone.now()
    SyncRun.objects.create(team=team, started=now, heartbeat=now)
    with pytest.raises(SyncAlreadyRunning, match="already running"):
        sync_team(team=team, client=fast(gerrit, sleeps))


def test_a_dead_sync_s_lock_is_taken_over(team, gerrit, sleeps):
    long_ago = timezone.now() - timedelta(hours=2)
    dead = SyncRun.objects.create(team=team, started=long_ago, heartbeat=long_ago)
    run = sync_team(team=team, client=fast(gerrit, sleeps))
    dead.refresh_from_db()
    assert dead.status == SyncRunStatus.INTERRUPTED
    assert run.status == SyncRunStatus.SUCCEEDED


def test_command_prints_a_summary_and_fails_loudly(team, gerrit):
    out = StringIO()
    call_command("sync_gerrit", "--team", "glance", "--no-progress", stdout=out)
    assert "glance: succeeded, all history: " in out.getvalue()
    team.core_group = "nope"
    team.save()
    with pytest.raises(CommandError, match="Sync failed for glance"):
        call_command("sync_gerrit", "--no-progress", stdout=StringIO(), stderr=StringIO())


def test_command_says_when_another_sync_is_running(team):
    now = timezone.now()
    SyncRun.objects.create(team=team, started=now, heartbeat=now)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "sync_gerrit", "--team", "glance", "--no-progress", stdout=StringIO(), stderr=err
        )
    assert "already running" in err.getvalue()


def test_command_refuses_an_unknown_team_and_a_bad_date(team):
    with pytest.raises(CommandError, match="No team named 'nova'"):
        call_command("sync_gerrit", "--team", "nova")
    with pytest.raises(CommandError, match="--since takes a date"):
        call_command("sync_gerrit", "--since", "last tuesday")


def test_background_task_runs_the_same_sync(team, sim):
    result = sync_team_task.enqueue(team_id=team.pk)
    assert result.return_value["status"] == SyncRunStatus.SUCCEEDED
    assert Change.objects.count() == len(sim.numbers())


def test_servers_are_kept_apart(team, gerrit, sleeps):
    other = GerritServer.objects.create(url="http://other.test")
    assert team.server != other
    sync_team(team=team, client=fast(gerrit, sleeps))
    assert not Change.objects.filter(server=other).exists()
