"""Core-group history estimated from +2 votes, for the time before Tiller's first sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dashboard.gerrit.corehistory import infer_core_history
from dashboard.gerrit.models import CoreMembership, Vote

from .factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def core_team():
    return TeamFactory(core_group="glance-core")


def plus_two(team, account, *, days_ago: float, branch: str = "master", **kwargs):
    change = ChangeFactory(repository=RepositoryFactory(team=team), branch=branch)
    return VoteFactory(
        change=change,
        account=account,
        value=2,
        granted=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


def test_an_observed_stretch_moves_back_to_the_first_plus_two(core_team):
    core = AccountFactory(server=core_team.server)
    observed = CoreMembershipFactory(team=core_team, account=core, joined=timezone.now())
    first = plus_two(core_team, core, days_ago=300)
    plus_two(core_team, core, days_ago=20)
    assert infer_core_history(team=core_team) == 1
    observed.refresh_from_db()
    assert observed.joined == first.granted
    assert observed.inferred and observed.left is None


def test_a_past_plus_two_voter_gets_a_closed_stretch_covering_all_their_plus_twos(core_team):
    gone = AccountFactory(server=core_team.server)
    first = plus_two(core_team, gone, days_ago=400)
    last = plus_two(core_team, gone, days_ago=100)
    assert infer_core_history(team=core_team) == 1
    stretch = CoreMembership.objects.get(account=gone)
    assert stretch.joined == first.granted
    assert stretch.joined <= last.granted < stretch.left
    assert stretch.left - last.granted == timedelta(seconds=1)
    assert stretch.inferred


def test_stable_branch_bot_and_plus_one_votes_are_no_evidence(core_team):
    stable_maint = AccountFactory(server=core_team.server)
    plus_two(core_team, stable_maint, days_ago=50, branch="stable/ocata")
    bot = AccountFactory(server=core_team.server, is_bot=True)
    plus_two(core_team, bot, days_ago=50)
    plus_one = AccountFactory(server=core_team.server)
    VoteFactory(
        change=ChangeFactory(repository=RepositoryFactory(team=core_team)), account=plus_one
    )
    removed = AccountFactory(server=core_team.server)
    plus_two(core_team, removed, days_ago=50, removal=True)
    assert infer_core_history(team=core_team) == 0
    assert not CoreMembership.objects.exists()


def test_other_teams_votes_are_no_evidence(core_team):
    person = AccountFactory(server=core_team.server)
    plus_two(TeamFactory(server=core_team.server, core_group="nova-core"), person, days_ago=30)
    assert infer_core_history(team=core_team) == 0


def test_running_it_again_changes_nothing(core_team):
    core = AccountFactory(server=core_team.server)
    CoreMembershipFactory(team=core_team, account=core, joined=timezone.now())
    plus_two(core_team, core, days_ago=90)
    plus_two(core_team, AccountFactory(server=core_team.server), days_ago=60)
    infer_core_history(team=core_team)
    before = list(CoreMembership.objects.values_list("account", "joined", "left", "inferred"))
    assert infer_core_history(team=core_team) == 0
    after = list(CoreMembership.objects.values_list("account", "joined", "left", "inferred"))
    assert after == before


def test_only_the_earliest_stretch_of_a_returning_core_moves(core_team):
    core = AccountFactory(server=core_team.server)
    early = CoreMembershipFactory(
        team=core_team,
        account=core,
        joined=timezone.now() - timedelta(days=200),
        left=timezone.now() - timedelta(days=100),
    )
    later = CoreMembershipFactory(team=core_team, account=core, joined=timezone.now())
    first = plus_two(core_team, core, days_ago=300)
    infer_core_history(team=core_team)
    early.refresh_from_db()
    later.refresh_from_db()
    assert (early.joined, early.inferred) == (first.granted, True)
    assert not later.inferred


def test_a_team_without_a_core_group_is_left_alone():
    team = TeamFactory(core_group="", core_usernames=[])
    plus_two(team, AccountFactory(server=team.server), days_ago=10)
    assert infer_core_history(team=team) == 0


def test_after_a_first_sync_every_plus_two_on_master_falls_in_a_core_stretch(team, sim, gerrit):
    """The simulator only lets cores +2, so the estimate must explain each of its +2s."""
    from dashboard.gerrit.client import GerritClient
    from dashboard.gerrit.sync import sync_team

    client = GerritClient(gerrit.url, timeout=5.0, retries=1, sleep=lambda _s: None)
    sync_team(team=team, client=client)
    covered = CoreMembership.objects.filter(
        Q(left__isnull=True) | Q(left__gt=OuterRef("granted")),
        team=team,
        account=OuterRef("account"),
        joined__lte=OuterRef("granted"),
    )
    plus_twos = Vote.objects.filter(
        label="Code-Review", value=2, removal=False, is_bot=False, change__branch="master"
    )
    assert plus_twos.exists()
    assert not plus_twos.filter(~Exists(covered)).exists()
    assert CoreMembership.objects.filter(inferred=True).exists()
