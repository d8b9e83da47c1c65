"""Reviewer activity figures, computed by hand on small explicit histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dashboard.gerrit.models import ChangeStatus, VoteSource
from dashboard.health.reviewers import reviewer_activity, sort_rows
from dashboard.health.window import last_days, parse_window
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


@pytest.fixture
def team():
    return TeamFactory(name="glance")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def people(team):
    names = ("alice", "bob", "carol", "dave", "erin", "owner")
    return {name: AccountFactory(server=team.server, username=name) for name in names}


def ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def vote(account, change, value, days, *, ps=1, label="Code-Review", **extra):
    return VoteFactory(
        change=change,
        account=account,
        value=value,
        granted=ago(days),
        patch_set=ps,
        label=label,
        **extra,
    )


def rows_by_name(activity):
    return {row.reviewer: row for row in activity.reviewers}


def activity(team, days=30, **kwargs):
    return reviewer_activity(team=team, window=last_days(days, now=timezone.now()), **kwargs)


def test_counts_each_value_once_per_patch_set_with_the_latest_vote(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    alice = people["alice"]
    vote(alice, change, 1, 5)
    vote(alice, change, -1, 4)  # replaces the +1 on patch set 1
    vote(alice, change, 2, 3, ps=2)
    vote(alice, change, -2, 2, ps=3)
    vote(alice, change, 1, 2, ps=4)
    vote(alice, change, 1, 2, ps=4, label="Workflow")
    vote(alice, change, -1, 1, ps=3, label="Workflow")  # not +A
    row = rows_by_name(activity(team))["alice"]
    assert (row.reviews, row.minus2, row.minus1, row.plus1, row.plus2, row.approvals) == (
        4,
        1,
        1,
        1,
        1,
        1,
    )
    assert row.plus_ratio == 50.0


def test_bots_self_votes_removals_zeros_and_copied_votes_are_not_reviews(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    bot = AccountFactory(server=team.server, username="zuul", is_bot=True)
    vote(bot, change, 1, 2)
    vote(people["owner"], change, 2, 2)
    vote(people["alice"], change, 0, 2, removal=True)
    vote(people["alice"], change, 0, 2, ps=2)
    vote(people["bob"], change, 1, 2, ps=2, source=VoteSource.LABEL)
    vote(people["carol"], change, 1, 2)
    assert set(rows_by_name(activity(team))) == {"carol"}


def test_a_removal_does_not_hide_the_vote_it_removed(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["alice"], change, -1, 3)
    vote(people["alice"], change, 0, 2, removal=True)
    assert rows_by_name(activity(team))["alice"].minus1 == 1


def test_window_bounds_include_start_and_exclude_end(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    alice = people["alice"]
    VoteFactory(change=change, account=alice, granted=datetime(2017, 2, 1, tzinfo=UTC))
    VoteFactory(
        change=change,
        account=alice,
        patch_set=2,
        granted=datetime(2017, 2, 28, 23, 59, 59, tzinfo=UTC),
    )
    VoteFactory(change=change, account=alice, patch_set=3, granted=datetime(2017, 3, 1, tzinfo=UTC))
    VoteFactory(
        change=change,
        account=alice,
        patch_set=4,
        granted=datetime(2017, 1, 31, 23, 59, 59, tzinfo=UTC),
    )
    window = parse_window(
        {"start": "2017-02-01", "end": "2017-02-28"}, now=timezone.now(), cycles={}
    )
    result = reviewer_activity(team=team, window=window)
    assert rows_by_name(result)["alice"].reviews == 2


def test_rolling_window_drops_votes_older_than_its_days(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["alice"], change, 1, 29)
    vote(people["alice"], change, 1, 31, ps=2)
    assert rows_by_name(activity(team, days=30))["alice"].reviews == 1
    assert rows_by_name(activity(team, days=90))["alice"].reviews == 2


def test_disagreement_counts_plus_before_core_minus_and_minus_before_core_plus(team, repo, people):
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(100))
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["alice"], change, 1, 5)  # before carol's -1: disagreement
    vote(people["bob"], change, -1, 5, ps=2)  # before carol's +2: disagreement
    vote(people["carol"], change, -1, 4)
    vote(people["carol"], change, 2, 4, ps=2)
    vote(people["dave"], change, 1, 3)  # after the core -1: agrees with nobody, not counted
    vote(people["erin"], change, -1, 5)  # same sign as the core: agreement
    rows = rows_by_name(activity(team))
    assert rows["alice"].disagreements == 1
    assert rows["bob"].disagreements == 1
    assert rows["dave"].disagreements == 0
    assert rows["erin"].disagreements == 0
    assert rows["carol"].disagreements == 0
    assert rows["alice"].disagreement_share == 100.0


def test_disagreement_uses_the_latest_core_vote_of_each_sign(team, repo, people):
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(100))
    CoreMembershipFactory(team=team, account=people["dave"], joined=ago(100))
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["carol"], change, -2, 6)
    vote(people["alice"], change, 1, 5)  # after carol's -2 but before dave's -1
    vote(people["dave"], change, -1, 4)
    rows = rows_by_name(activity(team))
    assert rows["alice"].disagreements == 1
    # carol's -2 preceded dave's -1: same sign, so no disagreement for the core either.
    assert rows["carol"].disagreements == 0


def test_disagreement_needs_the_later_voter_to_be_core_when_voting(team, repo, people):
    # carol left the core before voting; dave joined only after his vote.
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(100), left=ago(10))
    CoreMembershipFactory(team=team, account=people["dave"], joined=ago(2))
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["alice"], change, 1, 9)
    vote(people["carol"], change, -1, 8)
    vote(people["bob"], change, -1, 9, ps=2)
    vote(people["dave"], change, 2, 3, ps=2)
    rows = rows_by_name(activity(team))
    assert rows["alice"].disagreements == 0
    assert rows["bob"].disagreements == 0
    # Now a core as of the vote: erin, core since 50 days, disagrees with bob's -1.
    CoreMembershipFactory(team=team, account=people["erin"], joined=ago(50))
    vote(people["erin"], change, 1, 1, ps=2)
    assert rows_by_name(activity(team))["bob"].disagreements == 1


def test_core_reviews_count_only_votes_cast_while_core(team, repo, people):
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(10))
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["carol"], change, 1, 20)
    vote(people["carol"], change, 1, 5, ps=2)
    vote(people["alice"], change, 1, 5, ps=2)
    result = activity(team)
    rows = rows_by_name(result)
    assert (rows["carol"].core_reviews, rows["carol"].core) == (1, True)
    assert (rows["alice"].core_reviews, rows["alice"].core) == (0, False)
    assert result.totals.core_reviews == 1
    assert result.totals.core_team_size == 1


def test_core_flag_is_membership_at_the_window_end(team, repo, people):
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(100), left=ago(1))
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["carol"], change, 1, 5)
    rows = rows_by_name(activity(team))
    assert rows["carol"].core is False
    assert rows["carol"].core_reviews == 1


def test_received_counts_reviews_by_others_on_own_changes(team, repo, people):
    mine = ChangeFactory(repository=repo, owner=people["alice"])
    vote(people["bob"], mine, 1, 3)
    vote(people["bob"], mine, -1, 2)  # same patch set: still one review
    vote(people["carol"], mine, 2, 2, ps=2)
    vote(people["alice"], mine, 2, 2, ps=2)  # self-vote: neither a review nor received
    vote(people["carol"], mine, 1, 2, ps=2, label="Workflow")  # +A is not a review
    other = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["alice"], other, 1, 2)
    rows = rows_by_name(activity(team))
    assert rows["alice"].received == 2
    assert rows["bob"].received == 0


def test_repository_filter_counts_only_that_repository(team, repo, people):
    client_repo = RepositoryFactory(team=team, name="openstack/python-glanceclient")
    other_team_repo = RepositoryFactory(name="openstack/nova")
    vote(people["alice"], ChangeFactory(repository=repo, owner=people["owner"]), 1, 2)
    vote(people["alice"], ChangeFactory(repository=client_repo, owner=people["owner"]), 1, 2)
    vote(people["alice"], ChangeFactory(repository=other_team_repo), 1, 2)
    assert rows_by_name(activity(team))["alice"].reviews == 2
    assert rows_by_name(activity(team, repository=client_repo))["alice"].reviews == 1


def test_totals_follow_reviewstats_formulas(team, repo, people):
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(100))
    owner = people["owner"]
    merged = ChangeFactory(
        repository=repo, owner=owner, created=ago(20), status=ChangeStatus.MERGED, closed=ago(1)
    )
    abandoned = ChangeFactory(
        repository=repo,
        owner=owner,
        created=ago(40),
        status=ChangeStatus.ABANDONED,
        closed=ago(2),
    )
    wip = ChangeFactory(repository=repo, owner=owner, created=ago(5), work_in_progress=True)
    ChangeFactory(repository=repo, owner=owner, created=ago(3))  # open, no patch set stored
    old = ChangeFactory(repository=repo, owner=owner, created=ago(60))
    for change, numbers, days in ((merged, (1, 2, 3), 20), (wip, (1, 2), 5), (old, (1,), 60)):
        for number in numbers:
            PatchSetFactory(change=change, number=number, created=ago(days - number / 10))
    PatchSetFactory(change=abandoned, number=1, created=ago(40))
    vote(people["alice"], merged, 1, 10)
    vote(people["carol"], merged, 2, 9)
    vote(people["carol"], wip, -1, 4)
    totals = activity(team).totals
    assert totals.reviews == 3
    assert totals.reviewers == 2
    assert totals.core_reviews == 2
    assert totals.reviews_per_day == pytest.approx(3 / 30)
    assert totals.core_reviews_per_core_per_day == pytest.approx(2 / 30)
    assert totals.new_patch_sets == 5
    assert totals.changes_involved == 2
    assert (totals.created, totals.merged, totals.abandoned, totals.wip) == (3, 1, 1, 1)
    assert totals.queue_growth == 3 - 1 - 1 - 1
    assert totals.patch_sets_per_change == 2.5


def test_sort_orders_rows_and_breaks_ties_by_name(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["bob"], change, 1, 2)
    vote(people["alice"], change, -1, 2)
    vote(people["carol"], change, 1, 2)
    vote(people["carol"], change, 1, 2, ps=2)
    result = activity(team, sort="-reviews")
    assert [row.reviewer for row in result.reviewers] == ["carol", "alice", "bob"]
    assert [row.reviewer for row in sort_rows(list(result.reviewers), "minus1")] == [
        "bob",
        "carol",
        "alice",
    ]
    assert activity(team, sort="nonsense").sort == "-reviews"


def test_json_rows_have_exactly_the_published_keys(team, repo, people):
    CoreMembershipFactory(team=team, account=people["carol"], joined=ago(100))
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["carol"], change, -2, 2)
    vote(people["carol"], change, 1, 2, label="Workflow")
    [row] = activity(team).as_json()["reviewers"]
    assert row == {
        "reviewer": "carol",
        "reviews": 1,
        "-2": 1,
        "-1": 0,
        "+1": 0,
        "+2": 0,
        "+A": 1,
        "disagreements": 0,
        "received": 0,
        "core": True,
    }


def test_two_votes_at_the_same_moment_take_the_later_recorded_one(team, repo, people):
    moment = ago(2)
    first = ChangeFactory(repository=repo, owner=people["owner"])
    VoteFactory(change=first, account=people["alice"], value=-1, granted=moment)
    VoteFactory(change=first, account=people["alice"], value=1, granted=moment)
    second = ChangeFactory(repository=repo, owner=people["owner"])
    VoteFactory(change=second, account=people["alice"], value=2, granted=moment)
    VoteFactory(change=second, account=people["alice"], value=-2, granted=moment)
    row = rows_by_name(activity(team))["alice"]
    assert (row.reviews, row.plus1, row.minus2, row.minus1, row.plus2) == (2, 1, 1, 0, 0)


def test_a_copied_vote_does_not_replace_the_reviewers_own_vote(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["alice"], change, -1, 3)
    vote(people["alice"], change, 2, 1, source=VoteSource.LABEL)
    row = rows_by_name(activity(team))["alice"]
    assert (row.reviews, row.minus1, row.plus2) == (1, 1, 0)


def test_plus_a_counts_once_per_patch_set_and_only_as_the_latest_workflow(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    vote(people["carol"], change, 1, 5, label="Workflow")
    vote(people["carol"], change, 1, 4, label="Workflow")
    vote(people["carol"], change, 1, 3, ps=2, label="Workflow")
    vote(people["carol"], change, -1, 2, ps=2, label="Workflow")
    row = rows_by_name(activity(team))["carol"]
    assert (row.approvals, row.reviews) == (1, 0)


def test_a_review_changed_after_the_window_end_counts_in_the_later_window_only(team, repo, people):
    change = ChangeFactory(repository=repo, owner=people["owner"])
    alice = people["alice"]
    VoteFactory(change=change, account=alice, value=1, granted=datetime(2017, 2, 10, tzinfo=UTC))
    VoteFactory(change=change, account=alice, value=-1, granted=datetime(2017, 3, 5, tzinfo=UTC))
    february = parse_window(
        {"start": "2017-02-01", "end": "2017-02-28"}, now=timezone.now(), cycles={}
    )
    march = parse_window(
        {"start": "2017-03-01", "end": "2017-03-31"}, now=timezone.now(), cycles={}
    )
    assert "alice" not in rows_by_name(reviewer_activity(team=team, window=february))
    in_march = rows_by_name(reviewer_activity(team=team, window=march))["alice"]
    assert (in_march.reviews, in_march.plus1, in_march.minus1) == (1, 0, 1)


def test_on_postgresql_the_teams_repositories_are_an_array_computed_before_the_scan(
    team, repo, people
):
    """PostgreSQL joins ``IN (subquery)`` and reads the whole server's window of reviews;
    ``= ANY(ARRAY(subquery))`` lets it read the team's repositories by index. SQLite keeps
    ``IN (subquery)``, which it already runs that way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        activity = reviewer_activity(team=team, window=last_days(30, now=now))
    assert activity.totals.reviews == 0
    team_scoped = [q["sql"] for q in captured.captured_queries if "team_id" in q["sql"]]
    form = "= ANY(ARRAY(SELECT" if connection.vendor == "postgresql" else "IN (SELECT"
    # The reviewer query and the totals over patch sets and changes all name the team's
    # repositories this way (the membership count needs no repository).
    assert sum(form in sql for sql in team_scoped) >= 5
