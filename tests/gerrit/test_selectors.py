"""Page-shaped reads: what each page is given, independent of HTML."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.gerrit import selectors
from dashboard.gerrit.models import ChangeStatus, SyncRunStatus, VoteSource
from dashboard.gerrit.selectors import ChangeFilters
from tests.gerrit.factories import (
    AccountFactory,
    ApprovalFactory,
    ChangeFactory,
    ChangeFileFactory,
    CoreMembershipFactory,
    MessageFactory,
    PatchSetFactory,
    RepositoryFactory,
    SyncRunFactory,
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


def numbers(changes) -> list[int]:
    return [change.number for change in changes]


def test_change_list_shows_only_open_changes_of_the_team_by_default(team, repo):
    mine = ChangeFactory(repository=repo, number=1)
    ChangeFactory(repository=repo, number=2, status=ChangeStatus.MERGED)
    ChangeFactory(number=3)  # another team's

    assert numbers(selectors.change_list(team=team, filters=ChangeFilters())) == [mine.number]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", [1]), ("merged", [2]), ("abandoned", [3]), ("all", [1, 2, 3])],
)
def test_change_list_filters_by_status(team, repo, status, expected):
    now = timezone.now()
    ChangeFactory(repository=repo, number=1, updated=now)
    ChangeFactory(repository=repo, number=2, status=ChangeStatus.MERGED, updated=now - timedelta(1))
    ChangeFactory(
        repository=repo, number=3, status=ChangeStatus.ABANDONED, updated=now - timedelta(2)
    )

    changes = selectors.change_list(team=team, filters=ChangeFilters(status=status))

    assert numbers(changes) == expected


def test_change_list_filters_by_repository_branch_and_topic(team, repo):
    other_repo = RepositoryFactory(team=team, name="openstack/glance_store")
    ChangeFactory(repository=repo, number=1, branch="master", topic="quota")
    ChangeFactory(repository=repo, number=2, branch="stable/2024.2", topic="quota")
    ChangeFactory(repository=other_repo, number=3, topic="quota")
    ChangeFactory(repository=repo, number=4, topic="other")

    def matching(**filters: str) -> list[int]:
        changes = selectors.change_list(team=team, filters=ChangeFilters(**filters))
        return sorted(numbers(changes))

    assert matching(repository="openstack/glance_store") == [3]
    assert matching(branch="stable/2024.2") == [2]
    assert matching(topic="quota") == [1, 2, 3]
    assert matching(repository="openstack/glance", topic="quota", branch="master") == [1]


def test_change_list_owner_matches_username_or_name_substring(team, repo):
    jane = AccountFactory(server=team.server, username="jroe", name="Jane Roe")
    john = AccountFactory(server=team.server, username="jdoe", name="John Doe")
    ChangeFactory(repository=repo, number=1, owner=jane)
    ChangeFactory(repository=repo, number=2, owner=john)

    def owned_by(owner: str) -> list[int]:
        return sorted(numbers(selectors.change_list(team=team, filters=ChangeFilters(owner=owner))))

    assert owned_by("JROE") == [1]
    assert owned_by("roe") == [1]
    assert owned_by("jd") == []  # a username must match whole, a name in part
    assert owned_by("Doe") == [2]


def test_change_list_sorts_by_update_creation_or_number(team, repo):
    now = timezone.now()
    ChangeFactory(repository=repo, number=10, updated=now, created=now - timedelta(days=5))
    ChangeFactory(
        repository=repo, number=30, updated=now - timedelta(2), created=now - timedelta(1)
    )
    ChangeFactory(
        repository=repo, number=20, updated=now - timedelta(1), created=now - timedelta(9)
    )

    def order(sort: str) -> list[int]:
        return numbers(selectors.change_list(team=team, filters=ChangeFilters(sort=sort)))

    assert order("updated") == [10, 20, 30]
    assert order("created") == [30, 10, 20]
    assert order("number") == [30, 20, 10]


def test_change_filters_describe_themselves_in_plain_words():
    assert ChangeFilters().describe() == "open changes, most recently updated first"
    filters = ChangeFilters(
        repository="openstack/glance",
        branch="stable/2024.2",
        status="all",
        owner="jane",
        topic="quota",
        sort="number",
    )
    assert filters.describe() == (
        "changes in openstack/glance on branch stable/2024.2 owned by “jane” with topic “quota”,"
        " highest number first"
    )
    assert ChangeFilters(sort="created").is_default
    assert not ChangeFilters(owner="jane").is_default


def test_team_overview_counts_recent_merges_and_abandons_within_thirty_days(team, repo):
    now = timezone.now()
    ChangeFactory.create_batch(2, repository=repo)
    merged, abandoned = ChangeStatus.MERGED, ChangeStatus.ABANDONED
    ChangeFactory(repository=repo, status=merged, closed=now - timedelta(days=3))
    ChangeFactory(repository=repo, status=merged, closed=now - timedelta(days=40))
    ChangeFactory(repository=repo, status=abandoned, closed=now - timedelta(days=2))
    # Abandoned long ago, commented on yesterday: not a recent abandon.
    ChangeFactory(
        repository=repo, status=abandoned, closed=now - timedelta(90), updated=now - timedelta(1)
    )
    ChangeFactory()  # another team's

    overview = selectors.team_overview(team=team, now=now)

    assert overview.open_count == 2
    assert overview.merged_recently == 1
    assert overview.abandoned_recently == 1
    assert [(r.name, r.open_count) for r in overview.repositories] == [("openstack/glance", 2)]


def test_team_overview_lists_current_core_members_only(team):
    current = CoreMembershipFactory(team=team)
    CoreMembershipFactory(team=team, left=timezone.now())

    overview = selectors.team_overview(team=team)

    assert overview.core_members == [current]


def test_team_overview_needs_attention_without_sync_or_after_a_failed_one(team):
    assert selectors.team_overview(team=team).sync_needs_attention
    SyncRunFactory(team=team, started=timezone.now() - timedelta(hours=2))
    assert not selectors.team_overview(team=team).sync_needs_attention
    SyncRunFactory(team=team, status=SyncRunStatus.FAILED, error="boom")
    assert selectors.team_overview(team=team).sync_needs_attention


def test_change_detail_groups_votes_by_patch_set_newest_first(team, repo):
    change = ChangeFactory(repository=repo, current_patch_set=2)
    PatchSetFactory(change=change, number=1)
    PatchSetFactory(change=change, number=2)
    early = VoteFactory(change=change, patch_set=1, value=-1)
    removal = VoteFactory(change=change, patch_set=1, value=0, removal=True)
    copied = VoteFactory(change=change, patch_set=2, value=2, source=VoteSource.LABEL)
    orphan = VoteFactory(change=change, patch_set=7)  # no PatchSet row for 7

    detail = selectors.change_detail(team=team, number=change.number)

    assert detail is not None
    assert [(g.number, g.votes) for g in detail.patch_sets] == [
        (7, [orphan]),
        (2, [copied]),
        (1, [early, removal]),
    ]
    assert detail.patch_sets[0].patch_set is None


def test_change_detail_collects_approvals_messages_and_files(team, repo):
    change = ChangeFactory(repository=repo)
    cr = ApprovalFactory(change=change, label="Code-Review", value=2)
    verified = ApprovalFactory(change=change, label="Verified", value=1)
    second = MessageFactory(change=change, date=timezone.now() - timedelta(hours=1))
    first = MessageFactory(change=change, date=timezone.now() - timedelta(hours=2))
    ChangeFileFactory(change=change, path="b.py")
    ChangeFileFactory(change=change, path="a.py")

    detail = selectors.change_detail(team=team, number=change.number)

    assert detail is not None
    assert detail.approvals == {"Code-Review": [cr], "Verified": [verified]}
    assert detail.messages == [first, second]
    assert detail.files == ["a.py", "b.py"]


def test_change_detail_is_none_for_another_teams_change(team):
    elsewhere = ChangeFactory()

    assert selectors.change_detail(team=team, number=elsewhere.number) is None


def test_change_detail_is_none_for_a_change_of_another_team_on_the_same_server(team):
    neighbour = TeamFactory(server=team.server)
    theirs = ChangeFactory(repository=RepositoryFactory(team=neighbour))

    assert selectors.change_detail(team=team, number=theirs.number) is None
    assert selectors.change_detail(team=neighbour, number=theirs.number) is not None


def test_change_detail_looks_the_change_up_by_its_servers_unique_number(team, repo):
    """By the team alone, a database scans the team's changes for the number; the server's
    (server, number) unique index finds it at once whatever the team's size."""
    change = ChangeFactory(repository=repo)

    with CaptureQueriesContext(connection) as captured:
        selectors.change_detail(team=team, number=change.number)

    change_sql = captured.captured_queries[0]["sql"]
    assert '"gerrit_change"."server_id" =' in change_sql
    assert '"gerrit_change"."number" =' in change_sql


def test_sync_panels_keep_the_last_runs_of_each_team(team):
    other = TeamFactory()
    now = timezone.now()
    for hours in range(5):
        SyncRunFactory(team=team, started=now - timedelta(hours=hours + 1))
    SyncRunFactory(team=other)

    panels = selectors.sync_panels(teams=[team, other], limit=3)

    assert [len(panel.runs) for panel in panels] == [3, 1]
    assert panels[0].runs[0].started == now - timedelta(hours=1)
    assert panels[0].current is None and panels[0].can_start


def test_sync_panel_reports_the_running_run_with_rate_and_percentage(team):
    now = timezone.now()
    SyncRunFactory(
        team=team,
        status=SyncRunStatus.RUNNING,
        started=now - timedelta(seconds=100),
        heartbeat=now,
        changes_fetched=250,
        changes_expected=1000,
    )

    panel = selectors.sync_panels(teams=[team], now=now)[0]

    assert panel.current is not None
    assert panel.current.elapsed == 100
    assert panel.current.rate == 2.5
    assert panel.current.percent == 25
    assert not panel.current.stale
    assert not panel.can_start


def test_sync_panel_lets_a_stale_run_be_replaced(team):
    long_ago = timezone.now() - timedelta(hours=3)
    SyncRunFactory(team=team, status=SyncRunStatus.RUNNING, started=long_ago, heartbeat=long_ago)

    panel = selectors.sync_panel(team=team)

    assert panel.current is not None and panel.current.stale
    assert panel.can_start


def test_sync_panel_waits_until_a_run_newer_than_after_exists(team):
    old = SyncRunFactory(team=team)

    assert selectors.sync_panel(team=team, after=old.pk).waiting
    assert not selectors.sync_panel(team=team).waiting

    SyncRunFactory(team=team, started=timezone.now())
    assert not selectors.sync_panel(team=team, after=old.pk).waiting
