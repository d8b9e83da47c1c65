"""Backlog snapshots: live figures agree with open reviews; rebuilt days follow history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeStatus, Repository, SyncRunStatus
from dashboard.gerrit.tasks import sync_team_task
from dashboard.gerrit.teams import import_team
from dashboard.health.models import BacklogSnapshot, SnapshotSource
from dashboard.health.openreviews import open_reviews
from dashboard.health.snapshots import (
    figures_on,
    rebuild_backlog_snapshots,
    take_backlog_snapshot,
)
from tests.gerrit.conftest import GLANCE, gerrit, sim  # noqa: F401 (fixtures)
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    PatchSetFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

DAY = timezone.now().astimezone(UTC).date() - timedelta(days=10)


def at(offset_days: float, day: date = DAY) -> datetime:
    """Noon UTC of ``DAY`` plus ``offset_days``."""
    return datetime.combine(day, time(12), tzinfo=UTC) + timedelta(days=offset_days)


@pytest.fixture
def repo() -> Repository:
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


def change_with(repo: Repository, *, uploads: list[float], **kwargs: object) -> Change:
    change = ChangeFactory(
        repository=repo,
        created=at(uploads[0]),
        current_patch_set=len(uploads),
        current_patch_set_created=at(uploads[-1]),
        **kwargs,
    )
    for number, offset in enumerate(uploads, start=1):
        PatchSetFactory(change=change, number=number, created=at(offset))
    return change


@pytest.fixture
def history(repo):
    server = repo.team.server
    ci, core = AccountFactory(server=server, is_bot=True), AccountFactory(server=server)
    a = change_with(repo, uploads=[-5], subject="A")
    VoteFactory(change=a, account=ci, label="Verified", value=1, granted=at(-4))
    VoteFactory(change=a, account=core, value=-2, granted=at(2))  # two days after DAY
    b = change_with(repo, uploads=[-3], status=ChangeStatus.MERGED, closed=at(-1), subject="B")
    VoteFactory(change=b, account=ci, label="Verified", value=1, granted=at(-2))
    change_with(repo, uploads=[1], subject="C")  # created the day after DAY
    d = change_with(repo, uploads=[-10, -2], subject="D")
    VoteFactory(change=d, account=core, patch_set=1, value=-1, granted=at(-9))
    e = change_with(repo, uploads=[-4], subject="E")
    VoteFactory(change=e, account=e.owner, label="Workflow", value=-1, granted=at(-3))
    f = change_with(repo, uploads=[-6], subject="F")
    VoteFactory(change=f, account=ci, label="Verified", value=1, granted=at(-5))
    VoteFactory(change=f, account=ci, label="Verified", value=-1, granted=at(-1))
    g = change_with(repo, uploads=[-6], branch="stable/pike", subject="G")
    VoteFactory(change=g, account=ci, label="Verified", value=1, granted=at(-5))
    return repo.team


def test_rebuilt_day_counts_open_reviewable_and_waiting_from_the_votes_standing(history):
    # Open at the end of DAY: A, D, E, F, G (B merged the day before, C not yet created).
    # In scope: A, D, F (E is Workflow -1, G is on a stable branch).
    # Reviewable: A and G (Verified +1, no Workflow, no -2); F's CI vote turned -1.
    # On the submitter: F (Verified -1); D's -1 was on patch set 1, D is now on 2.
    assert figures_on(team=history, day=DAY) == {
        "open_changes": 5,
        "in_scope": 3,
        "reviewable": 2,
        "waiting_on_submitter": 1,
        "waiting_on_reviewer": 2,
        "merge_conflicts": None,
    }


def test_rebuilt_days_before_and_after_follow_the_history(history):
    # At the end of DAY-5: A (created at -5, its CI +1 at -4 not yet cast), D (its -1
    # standing on patch set 1, then current), F (created -6, CI +1 at -5) and G.
    earlier = figures_on(team=history, day=DAY - timedelta(days=5))
    assert earlier["open_changes"] == 4
    assert earlier["reviewable"] == 2  # F and G
    assert earlier["waiting_on_submitter"] == 1  # D, -1 on its then-current patch set
    later = figures_on(team=history, day=DAY + timedelta(days=2))
    # A got a -2 on DAY+2; C (created DAY+1) has no votes and waits on reviewers.
    assert later["open_changes"] == 6
    assert later["reviewable"] == 1  # G only
    assert later["waiting_on_submitter"] == 2  # A and F


def test_rebuild_writes_each_day_and_keeps_live_snapshots(history):
    team = history  # noqa: F811
    live_day = DAY - timedelta(days=1)
    BacklogSnapshot.objects.create(
        team=team,
        day=live_day,
        open_changes=99,
        in_scope=0,
        reviewable=0,
        waiting_on_submitter=0,
        waiting_on_reviewer=0,
        source=SnapshotSource.LIVE,
        taken_at=timezone.now(),
    )
    written = rebuild_backlog_snapshots(team=team, since=DAY - timedelta(days=2), until=DAY)
    assert written == 2
    rows = {s.day: s for s in BacklogSnapshot.objects.filter(team=team)}
    assert rows[live_day].open_changes == 99 and rows[live_day].source == SnapshotSource.LIVE
    assert rows[DAY].open_changes == 5 and rows[DAY].source == SnapshotSource.REBUILT
    assert rebuild_backlog_snapshots(team=team, since=DAY, until=DAY) == 1
    assert BacklogSnapshot.objects.filter(team=team, day=DAY).count() == 1


def test_todays_snapshot_is_live_and_agrees_with_open_reviews(repo):
    change_with(repo, uploads=[-1], verified=1)
    change_with(repo, uploads=[-1], cr_min=-1, mergeable=False)
    change_with(repo, uploads=[-1], work_in_progress=True)
    change_with(repo, uploads=[-1], verified=1, cr_min=-2)
    snapshot = take_backlog_snapshot(team=repo.team)
    report = open_reviews(team=repo.team)
    assert snapshot.source == SnapshotSource.LIVE
    assert snapshot.day == timezone.now().astimezone(UTC).date()
    assert (snapshot.open_changes, snapshot.in_scope, snapshot.reviewable) == (4, 3, 1)
    assert snapshot.waiting_on_submitter == report.waiting_on_submitter == 2
    assert snapshot.waiting_on_reviewer == report.waiting_on_reviewer == 1
    assert snapshot.merge_conflicts == report.merge_conflicts == 1
    again = take_backlog_snapshot(team=repo.team)
    assert again.pk == snapshot.pk


def test_a_past_day_snapshot_is_rebuilt(history):
    snapshot = take_backlog_snapshot(team=history, day=DAY)
    assert snapshot.source == SnapshotSource.REBUILT
    assert snapshot.open_changes == 5


def test_command_rebuilds_since_a_day_and_takes_today(history):
    out = StringIO()
    since = (DAY - timedelta(days=1)).isoformat()
    call_command("snapshot_backlog", "--team", "glance", "--rebuild", "--since", since, stdout=out)
    days = (timezone.now().astimezone(UTC).date() - DAY).days + 1  # DAY-1 .. yesterday
    assert f"Rebuilt {days} day(s)" in out.getvalue()
    assert BacklogSnapshot.objects.filter(team=history).count() == days + 1
    assert BacklogSnapshot.objects.get(team=history, day=DAY).open_changes == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "nope"], "No team named 'nope'"),
        (["--team", "glance", "--rebuild", "--since", "last week"], "is not a date"),
        (["--team", "glance", "--rebuild", "--since", "2999-01-01"], "before today"),
    ],
)
def test_command_refuses_bad_input_in_one_line(repo, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("snapshot_backlog", *args)


@pytest.fixture
def sim_team(gerrit):  # noqa: F811
    return import_team(definition=GLANCE, gerrit_url=gerrit.url).team


def test_a_successful_background_sync_queues_todays_snapshot(
    sim_team, django_capture_on_commit_callbacks
):
    team = sim_team
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_team_task.call(team_id=team.pk)
    assert result["status"] == SyncRunStatus.SUCCEEDED
    snapshot = BacklogSnapshot.objects.get(team=team)
    assert snapshot.source == SnapshotSource.LIVE
    assert snapshot.open_changes == Change.objects.in_team(team).open().count() > 0


def test_a_foreground_sync_gerrit_also_queues_todays_snapshot(
    sim_team, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_gerrit", "--team", sim_team.name, "--no-progress", stdout=out)
    assert "Queued take_backlog_snapshot_task" in out.getvalue()
    assert BacklogSnapshot.objects.filter(team=sim_team, source=SnapshotSource.LIVE).exists()


def test_a_failed_sync_queues_no_snapshot(sim_team, django_capture_on_commit_callbacks):
    sim_team.repositories.create(name="openstack/no-such-repository")
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_team_task.call(team_id=sim_team.pk)
    assert result["status"] == SyncRunStatus.FAILED
    assert not BacklogSnapshot.objects.exists()
