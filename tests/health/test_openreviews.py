"""Open reviews: scope, each waiting rule, each clock, quartiles and the > N days count,
computed by hand on small histories (made by factories, then their clocks derived as the
store derives them after writing a change's rows)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from dashboard.gerrit.clocks import refresh_review_clocks
from dashboard.gerrit.models import Change, ChangeStatus, Repository, VoteSource
from dashboard.health import openreviews
from dashboard.health.openreviews import OpenReviews, quartiles
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    PatchSetFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def make_change(repo: Repository, *, uploads: list[float], **kwargs: object) -> Change:
    """A change whose patch sets were uploaded ``uploads`` days ago (oldest first)."""
    change = ChangeFactory(
        repository=repo,
        created=ago(uploads[0]),
        current_patch_set=len(uploads),
        current_patch_set_created=ago(uploads[-1]),
        **kwargs,
    )
    for number, days in enumerate(uploads, start=1):
        PatchSetFactory(change=change, number=number, created=ago(days))
    return change


def open_reviews(**kwargs: object) -> OpenReviews:
    """The report, once the clocks of every open change are derived from its rows."""
    refresh_review_clocks(None)
    return openreviews.open_reviews(**kwargs)


@pytest.fixture
def repo() -> Repository:
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


def test_scope_leaves_out_wip_approved_stable_closed_and_other_teams(repo):
    make_change(repo, uploads=[5])
    make_change(repo, uploads=[5], work_in_progress=True)
    make_change(repo, uploads=[5], workflow=-1)  # WIP the old way
    make_change(repo, uploads=[5], workflow=1)  # approved
    make_change(repo, uploads=[5], branch="stable/pike")
    make_change(repo, uploads=[5], status=ChangeStatus.MERGED, closed=ago(1))
    make_change(RepositoryFactory(), uploads=[5])
    report = open_reviews(team=repo.team, now=NOW)
    assert (report.total, report.waiting_on_reviewer, report.waiting_on_submitter) == (1, 1, 0)


@pytest.mark.parametrize(
    ("columns", "on_submitter"),
    [
        ({"cr_min": -1}, True),
        ({"cr_min": -2}, True),
        ({"verified": -1}, True),
        ({"cr_max": 2, "cr_min": -1}, True),
        ({"cr_max": 1}, False),
        ({"verified": 1, "cr_max": 2}, False),
        ({}, False),
    ],
)
def test_waiting_on_submitter_means_a_negative_review_or_ci_vote(repo, columns, on_submitter):
    make_change(repo, uploads=[3], **columns)
    report = open_reviews(team=repo.team, now=NOW)
    assert report.waiting_on_submitter == int(on_submitter)
    assert report.waiting_on_reviewer == int(not on_submitter)


def test_merge_conflicts_are_counted_beside_the_split(repo):
    make_change(repo, uploads=[3], mergeable=False)
    make_change(repo, uploads=[3], mergeable=False, cr_min=-1)
    make_change(repo, uploads=[3], mergeable=True)
    make_change(repo, uploads=[3], mergeable=None)
    report = open_reviews(team=repo.team, now=NOW)
    assert report.total == 4
    assert report.merge_conflicts == 2
    assert report.merge_conflicts_waiting_on_reviewer == 1


def test_the_three_clocks_of_a_change_with_three_patch_sets(repo):
    change = make_change(repo, uploads=[30, 20, 10])
    reviewer, ci = (
        AccountFactory(server=repo.team.server),
        AccountFactory(server=repo.team.server, is_bot=True),
    )
    # PS1: a -1 still standing (it was cast 29 days ago, the earliest vote on PS1).
    VoteFactory(change=change, patch_set=1, account=reviewer, value=-1, granted=ago(29))
    # PS2: CI reported a day after upload; that vote dates the patch set.
    VoteFactory(change=change, patch_set=2, account=ci, label="Verified", value=1, granted=ago(19))
    # PS3: only a vote Gerrit copied forward (cast long before): it does not date PS3.
    VoteFactory(
        change=change,
        patch_set=3,
        account=reviewer,
        value=1,
        granted=ago(25),
        source=VoteSource.LABEL,
    )
    clocks = {c.key: c for c in open_reviews(team=repo.team, now=NOW).clocks}
    assert clocks["current"].median == timedelta(days=10)
    assert clocks["first"].median == timedelta(days=29)
    assert clocks["no_negative"].median == timedelta(days=19)


def test_a_negative_vote_changed_later_does_not_stop_the_no_negative_clock(repo):
    change = make_change(repo, uploads=[30, 10])
    reviewer = AccountFactory(server=repo.team.server)
    VoteFactory(change=change, patch_set=1, account=reviewer, value=-1, granted=ago(28))
    VoteFactory(change=change, patch_set=1, account=reviewer, value=1, granted=ago(27))
    clocks = {c.key: c for c in open_reviews(team=repo.team, now=NOW).clocks}
    assert clocks["no_negative"].median == timedelta(days=28)
    assert clocks["current"].median == timedelta(days=10)


def test_a_removed_negative_vote_does_not_count_as_negative(repo):
    change = make_change(repo, uploads=[30, 10])
    reviewer = AccountFactory(server=repo.team.server)
    VoteFactory(change=change, patch_set=1, account=reviewer, value=-2, granted=ago(28))
    VoteFactory(
        change=change, patch_set=1, account=reviewer, value=0, removal=True, granted=ago(26)
    )
    clocks = {c.key: c for c in open_reviews(team=repo.team, now=NOW).clocks}
    assert clocks["no_negative"].median == timedelta(days=28)


def test_a_ci_minus_one_on_an_older_patch_set_stops_the_no_negative_clock(repo):
    change = make_change(repo, uploads=[30, 20, 10])
    ci = AccountFactory(server=repo.team.server, is_bot=True)
    VoteFactory(change=change, patch_set=2, account=ci, label="Verified", value=-1, granted=ago(19))
    clocks = {c.key: c for c in open_reviews(team=repo.team, now=NOW).clocks}
    assert clocks["no_negative"].median == timedelta(days=10)
    assert clocks["first"].median == timedelta(days=30)


def test_changes_waiting_on_submitter_are_not_in_the_clocks(repo):
    make_change(repo, uploads=[40], cr_min=-1)
    make_change(repo, uploads=[4])
    clocks = {c.key: c for c in open_reviews(team=repo.team, now=NOW).clocks}
    assert clocks["current"].count == 1
    assert clocks["current"].mean == timedelta(days=4)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([1, 2, 3, 4, 5], (2, 3, 4)),
        ([4, 3, 2, 1], (2, 3, 4)),
        ([7], (7, 7, 7)),
        ([1, 10], (1, 10, 10)),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], (3, 5, 7)),
    ],
)
def test_quartiles_are_reviewstats_sorted_len_times_q_div_4(days, expected):
    assert quartiles([timedelta(days=d) for d in days]) == tuple(
        timedelta(days=d) for d in expected
    )


def test_quartiles_of_nothing_are_none():
    assert quartiles([]) is None


def test_mean_quartiles_over_days_and_longest_of_the_current_clock(repo):
    for days in [3, 7, 8, 15, 1, 30]:
        make_change(repo, uploads=[days])
    current = open_reviews(team=repo.team, now=NOW).clocks[0]
    assert current.key == "current"
    # sorted: 1, 3, 7, 8, 15, 30 -> [6//4]=3, [12//4]=8, [18//4]=15; mean 64/6 days.
    assert (current.q1, current.median, current.q3) == (
        timedelta(days=3),
        timedelta(days=8),
        timedelta(days=15),
    )
    assert current.mean == timedelta(days=64) / 6
    assert current.over_days == 3  # 8, 15, 30: exactly 7 days is not "more than 7"
    assert [round(w.days) for w in current.longest] == [30, 15, 8, 7, 3]
    assert open_reviews(team=repo.team, now=NOW, days=10).clocks[0].over_days == 2


def test_an_empty_team_has_zero_counts_and_no_figures(repo):
    report = open_reviews(team=repo.team, now=NOW)
    assert report.total == 0
    assert all(clock.median is None and clock.longest == [] for clock in report.clocks)
    assert report.as_json()["clocks"]["current"]["median_days"] is None


@pytest.mark.parametrize("waiting", [3, 12])
def test_report_runs_two_queries_whatever_the_number_of_changes(
    repo, django_assert_num_queries, waiting
):
    for days in range(3, 3 + waiting):
        change = make_change(repo, uploads=[days + 5, days], mergeable=days % 2 == 0)
        VoteFactory(change=change, patch_set=1, value=-1, granted=ago(days + 4))
    make_change(repo, uploads=[2], cr_min=-1, mergeable=False)
    refresh_review_clocks(None)
    with django_assert_num_queries(2):
        report = openreviews.open_reviews(team=repo.team, now=NOW)
    assert report.total == waiting + 1
    assert all(isinstance(w.change, Change) for clock in report.clocks for w in clock.longest)
    assert [w.change.subject for w in report.clocks[0].longest]  # whole rows, for the page
    assert len(report.conflicted) == report.merge_conflicts


def test_only_the_longest_waiting_merge_conflicts_are_listed_and_all_are_counted(repo, monkeypatch):
    monkeypatch.setattr(openreviews, "CONFLICTS_LISTED", 2)
    oldest = make_change(repo, uploads=[9], mergeable=False)
    older = make_change(repo, uploads=[6], mergeable=False, cr_min=-1)
    make_change(repo, uploads=[3], mergeable=False)
    report = open_reviews(team=repo.team, now=NOW)
    assert report.merge_conflicts == 3
    assert [change.pk for change in report.conflicted] == [oldest.pk, older.pk]


def test_merge_conflicts_are_listed_oldest_patch_set_first(repo):
    newer = make_change(repo, uploads=[3], mergeable=False, cr_min=-1)
    older = make_change(repo, uploads=[9], mergeable=False)
    make_change(repo, uploads=[20], mergeable=True)
    report = open_reviews(team=repo.team, now=NOW)
    assert [change.pk for change in report.conflicted] == [older.pk, newer.pk]
