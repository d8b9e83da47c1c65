"""Live status of the week's items, and what the dashboards mark."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.gerrit.models import ChangeStatus
from dashboard.governance.weekly_selectors import marked_changes, weekly_status
from tests.gerrit.factories import ChangeFactory, RepositoryFactory
from tests.governance.priority_factories import SpecFactory
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory

pytestmark = pytest.mark.django_db

LAST_MEETING = date(2017, 4, 6)
BEFORE = datetime(2017, 4, 1, tzinfo=UTC)
AFTER = datetime(2017, 4, 8, tzinfo=UTC)


@pytest.fixture
def repo():
    return RepositoryFactory(name="openstack/glance", team__server__url="https://review.example")


def _status(repo, **change):
    WeeklyListFactory(team=repo.team, week=LAST_MEETING)
    weekly_list = WeeklyListFactory(team=repo.team, week=date(2017, 4, 13))
    ChangeFactory(repository=repo, number=100, **{"current_patch_set_created": BEFORE, **change})
    WeeklyItemFactory(weekly_list=weekly_list, kind="change", change_number=100, text="")
    return weekly_status(weekly_list=weekly_list).items[0]


@pytest.mark.parametrize(
    ("change", "keys"),
    [
        ({"status": ChangeStatus.MERGED, "closed": AFTER}, ["merged since last week"]),
        ({"status": ChangeStatus.MERGED, "closed": BEFORE}, ["merged"]),
        ({"status": ChangeStatus.ABANDONED, "closed": AFTER}, ["abandoned since last week"]),
        ({"cr_plus2_count": 1, "cr_max": 2}, ["1 +2, needs one more +2"]),
        ({"cr_plus2_count": 2, "cr_max": 2}, ["2 +2s, needs approval"]),
        ({"cr_plus2_count": 2, "workflow": 1}, ["approved, waiting to merge"]),
        ({}, ["no +2 yet"]),
        ({"verified": -1}, ["CI failing", "no +2 yet", "waiting on the submitter"]),
        ({"cr_min": -1}, ["no +2 yet", "waiting on the submitter"]),
        ({"cr_min": -2}, ["a core's -2 blocks it", "waiting on the submitter"]),
        ({"mergeable": False}, ["merge conflict", "no +2 yet"]),
        (
            {"current_patch_set_created": AFTER, "current_patch_set": 4},
            ["new patch set 4", "no +2 yet"],
        ),
    ],
)
def test_a_change_items_status_says_what_changed_since_last_meeting(repo, change, keys):
    status = _status(repo, **change)
    assert [badge.text for badge in status.badges] == keys


def test_an_unsynced_change_is_shown_as_missing_with_its_gerrit_link(repo):
    weekly_list = WeeklyListFactory(team=repo.team)
    WeeklyItemFactory(weekly_list=weekly_list, kind="change", change_number=4242, text="")
    status = weekly_status(weekly_list=weekly_list).items[0]
    assert status.missing
    assert status.url == "https://review.example/c/4242"
    assert status.title == "Change 4242"


def test_a_topic_counts_open_and_recently_merged_changes(repo):
    WeeklyListFactory(team=repo.team, week=LAST_MEETING)
    weekly_list = WeeklyListFactory(team=repo.team, week=date(2017, 4, 13))
    ChangeFactory(repository=repo, topic="bp/import")
    ChangeFactory(repository=repo, topic="bp/import", status=ChangeStatus.MERGED, closed=AFTER)
    ChangeFactory(repository=repo, topic="bp/import", status=ChangeStatus.MERGED, closed=BEFORE)
    WeeklyItemFactory(weekly_list=weekly_list, kind="topic", topic="bp/import", text="")
    status = weekly_status(weekly_list=weekly_list).items[0]
    assert status.summary == "1 open; 1 merged since last week"
    assert status.url == "https://review.example/q/topic:bp/import"


def test_a_deleted_spec_is_shown_as_gone(repo):
    weekly_list = WeeklyListFactory(team=repo.team)
    spec = SpecFactory(team=repo.team)
    WeeklyItemFactory(weekly_list=weekly_list, kind="spec", spec=spec, spec_title="Old spec")
    spec.delete()
    status = weekly_status(weekly_list=weekly_list).items[0]
    assert status.missing and status.title == "Old spec"


def test_status_of_a_long_list_takes_a_fixed_number_of_queries(repo, django_assert_num_queries):
    weekly_list = WeeklyListFactory(team=repo.team)
    for n in range(30):
        ChangeFactory(repository=repo, number=n + 1)
        WeeklyItemFactory(weekly_list=weekly_list, kind="change", change_number=n + 1, text="")
    WeeklyItemFactory(weekly_list=weekly_list, kind="topic", topic="t", text="")
    WeeklyItemFactory(weekly_list=weekly_list, kind="spec", spec=SpecFactory(team=repo.team))
    assert weekly_list.team.server.url  # the caller has the team and its server
    with django_assert_num_queries(4):  # previous list, items, changes, topics
        assert len(weekly_status(weekly_list=weekly_list).items) == 32


def test_dashboards_mark_the_list_in_force_today(repo):
    old = WeeklyListFactory(team=repo.team, week=date(2017, 4, 6))
    WeeklyItemFactory(weekly_list=old, kind="change", change_number=1, text="")
    now = WeeklyListFactory(team=repo.team, week=date(2017, 4, 13))
    WeeklyItemFactory(weekly_list=now, kind="change", change_number=2, text="")
    WeeklyItemFactory(weekly_list=now, kind="topic", topic="bp/x", text="")
    future = WeeklyListFactory(team=repo.team, week=date(2017, 4, 20))
    WeeklyItemFactory(weekly_list=future, kind="change", change_number=3, text="")
    marked = marked_changes(team=repo.team, today=date(2017, 4, 15))
    assert marked.numbers == {2} and marked.topics == {"bp/x"}
    assert marked.marks(ChangeFactory(repository=repo, number=50, topic="bp/x"))
    assert not marked.marks(ChangeFactory(repository=repo, number=3))
    assert marked_changes(team=repo.team, today=date(2017, 4, 1)).week is None
