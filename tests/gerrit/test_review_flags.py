"""``Review.by_core`` and ``Review.disagreed_at`` stay equal to their definition after every
write path: a sync's pages, joins and leaves observed by a sync, the inferred core history,
the admin, and the migration that fills them.

The expected flags are recomputed here from scratch, in Python over every row, straight
from the definition (``gerrit.models.Review``), never with the SQL under test.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.corehistory import infer_core_history
from dashboard.gerrit.models import CoreMembership, Repository, Review
from dashboard.gerrit.reviews import refresh_review_flags
from dashboard.gerrit.sync import sync_team
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

from .test_sync import fast

pytestmark = pytest.mark.django_db
Flags = dict[int, tuple[bool, datetime | None]]


def flags_from_scratch() -> Flags:
    """Each review's (by_core, disagreed_at) by the definition, from all rows."""
    team_of = dict(Repository.objects.values_list("pk", "team_id"))
    stretches = defaultdict(list)
    for team_id, account_id, joined, left in CoreMembership.objects.values_list(
        "team", "account", "joined", "left"
    ):
        stretches[team_id, account_id].append((joined, left))
    reviews = list(Review.objects.all())

    def core(review: Review) -> bool:
        return any(
            joined <= review.granted and (left is None or review.granted < left)
            for joined, left in stretches[team_of[review.repository_id], review.account_id]
        )

    by_core = {review.pk: core(review) for review in reviews}
    patch_sets = defaultdict(list)
    for review in reviews:
        if review.label == "Code-Review":
            patch_sets[review.change_id, review.patch_set].append(review)
    flags: Flags = {}
    for review in reviews:
        disagreed = None
        if review.label == "Code-Review":
            later = [
                other.granted
                for other in patch_sets[review.change_id, review.patch_set]
                if by_core[other.pk]
                and other.granted > review.granted
                and other.value * review.value < 0
            ]
            disagreed = min(later, default=None)
        flags[review.pk] = (by_core[review.pk], disagreed)
    return flags


def stored_flags() -> Flags:
    return {
        pk: (by_core, disagreed_at)
        for pk, by_core, disagreed_at in Review.objects.values_list("pk", "by_core", "disagreed_at")
    }


def assert_flags_follow_the_definition() -> Flags:
    expected = flags_from_scratch()
    assert stored_flags() == expected
    return expected


def test_synced_pages_and_core_joins_and_leaves_keep_the_flags(team, sim, gerrit, sleeps):
    sync_team(team=team, client=fast(gerrit, sleeps), page_size=25)
    flags = assert_flags_follow_the_definition()
    # The history has cores and disagreements, so the equality above says something.
    assert any(core for core, _ in flags.values())
    assert any(disagreed for _, disagreed in flags.values())

    cores = {account.account_id for account in sim.core_members()}
    leaving = sorted(cores)[0]
    joining = next(a for a in sorted(sim.accounts) if a not in cores and not sim.accounts[a].tags)
    sim.advance(3600, activity=False)
    sim.set_core_members((cores - {leaving}) | {joining})
    sim.advance(60, activity=False)
    # Later votes on patch sets others reviewed: the newcomer's count as core, the leaver's not.
    numbers = sorted(sim.numbers())[:6]
    for number in numbers[:3]:
        sim.touch(number, author=joining, votes={"Code-Review": -1})
    for number in numbers[3:]:
        sim.touch(number, author=leaving, votes={"Code-Review": -2})
    run = sync_team(team=team, client=fast(gerrit, sleeps), page_size=25)
    assert (run.core_joined, run.core_left) == (1, 1)
    flags = assert_flags_follow_the_definition()
    newcomer = Review.objects.filter(account__account_id=joining, change__number__in=numbers)
    assert newcomer.exists() and all(review.by_core for review in newcomer)
    leaver = Review.objects.filter(account__account_id=leaving, change__number__in=numbers[3:])
    assert leaver.exists() and not any(review.by_core for review in leaver)


@pytest.fixture
def history():
    """alice +1 on a patch set that carol, core only by inference, later voted -1 on."""
    team = TeamFactory(core_group="glance-core")
    repo = RepositoryFactory(team=team)
    carol, alice = AccountFactory(server=team.server), AccountFactory(server=team.server)
    now = timezone.now()
    change = ChangeFactory(repository=repo)
    VoteFactory(
        change=ChangeFactory(repository=repo),
        account=carol,
        value=2,
        granted=now - timedelta(days=60),
    )
    VoteFactory(change=change, account=alice, value=1, granted=now - timedelta(days=55))
    VoteFactory(change=change, account=carol, value=-1, granted=now - timedelta(days=50))
    stretch = CoreMembershipFactory(team=team, account=carol, joined=now - timedelta(minutes=1))
    alices = Review.objects.get(account=alice)
    return team, stretch, alices, now


def test_inferred_core_history_moves_the_flags_with_it(history):
    team, stretch, alices, now = history
    assert not Review.objects.filter(by_core=True).exists()  # carol joined only now
    infer_core_history(team=team)
    assert_flags_follow_the_definition()
    alices.refresh_from_db()
    assert alices.disagreed_at == now - timedelta(days=50)


def edit_in_admin(client, stretch: CoreMembership, *, team, joined: datetime) -> int:
    """Save the stretch through its admin change form; returns the status code."""
    response = client.post(
        reverse("admin:gerrit_coremembership_change", args=[stretch.pk]),
        {
            "team": team.pk,
            "account": stretch.account_id,
            "joined_0": joined.strftime("%Y-%m-%d"),
            "joined_1": joined.strftime("%H:%M:%S"),
            "left_0": "",
            "left_1": "",
            "joined_sync": "",
            "left_sync": "",
        },
    )
    return response.status_code


def test_admin_edits_and_deletes_of_a_stretch_keep_the_flags(admin_client, history):
    team, stretch, alices, now = history
    joined = now - timedelta(days=70)
    assert edit_in_admin(admin_client, stretch, team=team, joined=joined) == 302
    assert_flags_follow_the_definition()
    alices.refresh_from_db()
    assert alices.disagreed_at == now - timedelta(days=50)

    # Moved to another team: no longer core on this one's reviews.
    other = TeamFactory(server=team.server)
    assert edit_in_admin(admin_client, stretch, team=other, joined=joined) == 302
    assert not Review.objects.filter(by_core=True).exists()
    assert_flags_follow_the_definition()

    stretch.refresh_from_db()
    stretch.team = team
    stretch.save()
    refresh_review_flags(team=team)
    assert Review.objects.filter(by_core=True).exists()
    response = admin_client.post(
        reverse("admin:gerrit_coremembership_delete", args=[stretch.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Review.objects.filter(by_core=True).exists()
    assert_flags_follow_the_definition()


def test_admin_bulk_delete_of_stretches_keeps_the_flags(admin_client, history):
    team, stretch, alices, now = history
    CoreMembership.objects.filter(pk=stretch.pk).update(joined=now - timedelta(days=70))
    refresh_review_flags(team=team, account_ids=[stretch.account_id])
    assert Review.objects.filter(by_core=True).exists()
    response = admin_client.post(
        reverse("admin:gerrit_coremembership_changelist"),
        {"action": "delete_selected", "_selected_action": [stretch.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CoreMembership.objects.exists()
    assert_flags_follow_the_definition()
    alices.refresh_from_db()
    assert alices.disagreed_at is None


def test_a_refresh_touches_only_the_team_it_names(history):
    team, stretch, alices, now = history
    CoreMembership.objects.filter(pk=stretch.pk).update(joined=now - timedelta(days=70))
    other_repo = RepositoryFactory()
    other = CoreMembershipFactory(team=other_repo.team, joined=now - timedelta(days=90))
    VoteFactory(change=ChangeFactory(repository=other_repo), account=other.account, value=1)
    refresh_review_flags(team=other_repo.team)
    assert not Review.objects.filter(repository__team=team, by_core=True).exists()
    assert Review.objects.get(account=other.account).by_core
    refresh_review_flags(team=team)
    assert_flags_follow_the_definition()


def test_the_migration_fills_the_flags_of_existing_reviews(history):
    team, stretch, alices, now = history
    fill = importlib.import_module("dashboard.gerrit.migrations.0012_review_core_flags")
    CoreMembership.objects.filter(pk=stretch.pk).update(joined=now - timedelta(days=70))
    Review.objects.update(by_core=False, disagreed_at=None)  # what the new columns hold
    fill.fill_flags(apps, None)
    expected = assert_flags_follow_the_definition()
    assert any(disagreed for _, disagreed in expected.values())

    Review.objects.all().delete()  # a database that 0007 never filled
    fill.fill_flags(apps, None)
    assert Review.objects.count() == 3
    assert_flags_follow_the_definition()
