"""Many teams at once: syncs queued per team and run by several task worker processes
(``manage.py db_worker``), never two of one team at a time, within the server's rate."""

from __future__ import annotations

import time
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from dashboard.gerrit.models import Change, GerritServer, Repository, SyncRun, SyncRunStatus, Team
from dashboard.gerrit.simulator import DEFAULT_REPOSITORIES
from dashboard.gerrit.tasks import sync_team_task

from .factories import TeamFactory
from .processes import (
    assert_never_ahead_of,
    finish,
    record_arrivals,
    run_python,
    shared_database,
    spawn,
    start_at,
)


@pytest.fixture
def dummy_tasks(settings):
    """Enqueued tasks are recorded, not run."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_sync_gerrit_enqueue_queues_one_task_per_team(
    db, dummy_tasks, django_capture_on_commit_callbacks
):
    teams = TeamFactory.create_batch(3)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_gerrit", "--enqueue", stdout=out)

    queued = [result.kwargs["team_id"] for result in dummy_tasks.results]
    assert sorted(queued) == sorted(team.pk for team in teams)
    assert {result.task.name for result in dummy_tasks.results} == {"sync_team_task"}
    assert out.getvalue().count("Queued a sync of") == 3
    assert not SyncRun.objects.exists()


# Each child tries to take the sync lock of one team at the same moment.
TAKE_LOCK = """
import json, sys, time
from dashboard.gerrit.models import Team
from dashboard.gerrit.sync import SyncAlreadyRunning, _acquire

team_id, start = int(sys.argv[1]), float(sys.argv[2])
team = Team.objects.get(pk=team_id)
time.sleep(max(0.0, start - time.time()))
try:
    _acquire(team=team, full=False, since=None)
except SyncAlreadyRunning:
    print(json.dumps("refused"))
else:
    print(json.dumps("acquired"))
"""


@pytest.mark.django_db(transaction=True)
def test_one_running_sync_per_team_holds_across_processes(tmp_path: Path):
    team = TeamFactory()

    with shared_database(tmp_path) as database_url:
        answers = run_python(database_url, TAKE_LOCK, [[team.pk, start_at()]] * 4)

    assert sorted(answers) == ["acquired", "refused", "refused", "refused"]
    assert SyncRun.objects.filter(team=team, status=SyncRunStatus.RUNNING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_task_workers_share_the_teams_never_sync_one_twice_at_once_and_keep_the_rate(
    gerrit, sim, settings, tmp_path: Path
):
    """Four teams (one simulated repository each) on one server limited to 25 requests a
    second; two syncs queued per team; two ``db_worker --batch`` processes run them all."""
    rate = 25.0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    server = GerritServer.objects.create(url=gerrit.url, requests_per_second=rate)
    for name, _ in DEFAULT_REPOSITORIES:
        team = Team.objects.create(name=name.rsplit("/", 1)[-1].replace("_", "-"), server=server)
        Repository.objects.create(team=team, name=name)
    for team in Team.objects.all():
        sync_team_task.enqueue(team_id=team.pk)
        sync_team_task.enqueue(team_id=team.pk)
    arrivals = record_arrivals(gerrit)
    began = time.time()

    with shared_database(tmp_path) as database_url:
        worker_args = ["manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
        workers = [spawn(database_url, worker_args) for _ in range(2)]
        for worker in workers:
            finish(worker)

    # (The workers also ran the backlog snapshot each successful sync queues.)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    tasks = list(DBTaskResult.objects.filter(task_path=sync_team_task.module_path))
    assert len(tasks) == 8
    first_runs = []
    for team in Team.objects.all():
        runs = sorted(team.sync_runs.all(), key=lambda run: run.started)
        # Each team synced (its second task either ran after the first or was turned away)...
        assert runs and runs[0].status == SyncRunStatus.SUCCEEDED
        first_runs.append(runs[0])
        # ...and no two of its runs overlapped.
        for earlier, later in zip(runs, runs[1:], strict=False):
            assert earlier.finished <= later.started
    assert sum(run.changes_fetched for run in first_runs) == len(sim.numbers())
    assert Change.objects.count() == len(sim.numbers())
    skipped = Counter(task.return_value.get("status") for task in tasks)
    assert skipped["skipped"] + SyncRun.objects.count() == 8
    # Every request to the server took a slot, and none came ahead of the rate.
    assert_never_ahead_of(arrivals, since=began, rate=rate)
    server.refresh_from_db()
    assert server.next_request_at >= began + len(arrivals) / rate - 0.001
