"""Trend series by hand: core reviews per week, time to first review, opened vs closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from dashboard.gerrit.models import ChangeStatus, Repository
from dashboard.health.models import BacklogSnapshot, SnapshotSource
from dashboard.health.trends import (
    Window,
    backlog_series,
    core_reviews_per_week,
    opened_and_closed_per_week,
    reviews_by_core_reviewer,
    time_to_first_review,
)
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    PatchSetFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

WINDOW = Window.last_weeks(3)
W0, W1, W2 = WINDOW.weeks()


def at(week: date, days: float = 0) -> datetime:
    """Noon UTC of a week's Monday plus ``days``."""
    return datetime.combine(week, time(12), tzinfo=UTC) + timedelta(days=days)


def monday(week: date) -> datetime:
    return datetime.combine(week, time.min, tzinfo=UTC)


@pytest.fixture
def repo() -> Repository:
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


def test_window_is_whole_weeks_ending_with_this_one():
    today = timezone.now().astimezone(UTC).date()
    assert W0.weekday() == 0 and W2 <= today < W2 + timedelta(days=7)
    assert WINDOW.end == W2 + timedelta(days=7)


def test_core_reviews_count_once_per_patch_set_and_use_core_status_at_the_vote(repo):
    team, server = repo.team, repo.team.server
    c1, c2, other = (AccountFactory(server=server) for _ in range(3))
    CoreMembershipFactory(team=team, account=c1, joined=monday(W0) - timedelta(days=100))
    CoreMembershipFactory(team=team, account=c2, joined=monday(W1))
    x = ChangeFactory(repository=repo)
    y = ChangeFactory(repository=repo)
    own = ChangeFactory(repository=repo, owner=c1)
    VoteFactory(change=x, account=c1, value=1, granted=at(W0))
    VoteFactory(change=x, account=c1, value=2, granted=at(W0, 1))  # same review as above
    VoteFactory(change=x, account=c2, value=-1, granted=at(W0, 2))  # not core yet
    VoteFactory(change=x, account=other, value=1, granted=at(W0, 2))  # never core
    VoteFactory(change=x, account=c1, patch_set=2, value=1, granted=at(W1))
    VoteFactory(change=x, account=c1, patch_set=2, value=0, removal=True, granted=at(W1, 1))
    VoteFactory(change=x, account=c2, patch_set=2, value=1, granted=at(W1))
    VoteFactory(change=y, account=c1, value=1, granted=at(W0, 3))
    VoteFactory(change=y, account=c1, value=2, granted=at(W1, 2))  # the review lands in W1
    VoteFactory(change=own, account=c1, value=2, granted=at(W2))  # self-review
    VoteFactory(change=x, account=c1, label="Workflow", patch_set=3, value=1, granted=at(W2))
    series = core_reviews_per_week(team=team, window=WINDOW)
    by_reviewer = reviews_by_core_reviewer(team=team, window=WINDOW)
    assert [(r.name, r.reviews, r.per_week) for r in by_reviewer] == [
        (c1.name, 3, 1.0),  # x PS1, x PS2, y PS1 (the own change is a self-review)
        (c2.name, 1, 0.3),  # x PS2 only: its W0 vote predates its core membership
    ]
    assert series.reviews == [(W0, 1.0), (W1, 3.0), (W2, 0.0)]
    assert series.cores == [(W0, 1.0), (W1, 2.0), (W2, 2.0)]
    assert series.per_core == [(W0, 1.0), (W1, 1.5), (W2, 0.0)]


def test_a_core_who_left_counts_only_while_core(repo):
    team, server = repo.team, repo.team.server
    gone = AccountFactory(server=server)
    CoreMembershipFactory(
        team=team, account=gone, joined=monday(W0) - timedelta(days=50), left=monday(W1)
    )
    change = ChangeFactory(repository=repo)
    VoteFactory(change=change, account=gone, value=2, granted=at(W0))
    VoteFactory(change=change, account=gone, patch_set=2, value=2, granted=at(W1))
    series = core_reviews_per_week(team=team, window=WINDOW)
    assert series.reviews == [(W0, 1.0), (W1, 0.0), (W2, 0.0)]
    assert series.per_core == [(W0, 1.0)]  # no core at all in W1 and W2: no ratio


def test_time_to_first_review_is_the_weekly_median_from_the_first_patch_set(repo):
    server = repo.team.server
    human, bot = AccountFactory(server=server), AccountFactory(server=server, is_bot=True)

    def change(created: datetime):
        c = ChangeFactory(repository=repo, created=created)
        PatchSetFactory(change=c, number=1, created=created)
        return c

    p = change(at(W0))
    VoteFactory(change=p, account=bot, value=1, granted=at(W0, 0.2))  # bots do not count
    VoteFactory(change=p, account=p.owner, value=1, granted=at(W0, 0.5))  # nor the owner
    VoteFactory(change=p, account=human, value=-1, granted=at(W0, 2))
    q = change(at(W0, 1))
    VoteFactory(change=q, account=human, value=1, granted=at(W0, 5))
    change(at(W1))  # nobody reviewed it yet
    s = change(at(W1, 1))
    VoteFactory(change=s, account=human, value=2, granted=at(W1, 2))
    series = time_to_first_review(team=repo.team, window=WINDOW)
    assert series.median_days == [(W0, 3.0), (W1, 1.0)]  # median of 2 and 4 days; 1 day
    assert (series.reviewed, series.not_reviewed) == (3, 1)


def test_opened_merged_and_abandoned_per_week(repo):
    ChangeFactory(repository=repo, created=at(W0))
    ChangeFactory(repository=repo, created=at(W0, 1), status=ChangeStatus.MERGED, closed=at(W1, 3))
    ChangeFactory(repository=repo, created=at(W1))
    ChangeFactory(
        repository=repo,
        created=at(W0, -30),
        status=ChangeStatus.ABANDONED,
        closed=at(W2),
    )
    flow = opened_and_closed_per_week(team=repo.team, window=WINDOW)
    assert flow.opened == [(W0, 2.0), (W1, 1.0), (W2, 0.0)]
    assert flow.merged == [(W0, 0.0), (W1, 1.0), (W2, 0.0)]
    assert flow.abandoned == [(W0, 0.0), (W1, 0.0), (W2, 1.0)]


def test_backlog_series_reads_the_snapshots_in_the_window(repo):
    for offset, (open_changes, reviewable, source) in enumerate(
        [(10, 4, SnapshotSource.REBUILT), (12, 5, SnapshotSource.REBUILT), (11, 6, "live")]
    ):
        BacklogSnapshot.objects.create(
            team=repo.team,
            day=W1 + timedelta(days=offset),
            open_changes=open_changes,
            in_scope=open_changes,
            reviewable=reviewable,
            waiting_on_submitter=1,
            waiting_on_reviewer=open_changes - 1,
            source=source,
            taken_at=timezone.now(),
        )
    BacklogSnapshot.objects.create(
        team=repo.team,
        day=W0 - timedelta(days=1),
        open_changes=99,
        in_scope=0,
        reviewable=0,
        waiting_on_submitter=0,
        waiting_on_reviewer=0,
        source=SnapshotSource.REBUILT,
        taken_at=timezone.now(),
    )
    series = backlog_series(team=repo.team, window=WINDOW)
    assert series.open_changes == [(W1, 10.0), (W1 + timedelta(1), 12.0), (W1 + timedelta(2), 11.0)]
    assert [v for _, v in series.reviewable] == [4.0, 5.0, 6.0]
    assert (series.rebuilt_days, series.live_days) == (2, 1)


def test_core_reviews_leave_out_votes_copied_onto_a_rebased_patch_set(repo):
    from dashboard.gerrit.models import VoteSource

    team, core = repo.team, AccountFactory(server=repo.team.server)
    CoreMembershipFactory(team=team, account=core, joined=monday(W0) - timedelta(days=10))
    change = ChangeFactory(repository=repo)
    VoteFactory(change=change, account=core, value=2, granted=at(W0))
    VoteFactory(
        change=change, account=core, patch_set=2, value=2, granted=at(W1), source=VoteSource.LABEL
    )
    series = core_reviews_per_week(team=team, window=WINDOW)
    assert series.reviews == [(W0, 1.0), (W1, 0.0), (W2, 0.0)]
