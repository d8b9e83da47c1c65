"""Deriving ``gerrit.Review`` from vote events: which votes count, and which one is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.gerrit.models import Change, Review, Vote, VoteSource
from dashboard.gerrit.reviews import rebuild_reviews
from tests.gerrit.factories import AccountFactory, ChangeFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2017, 3, 1, 12, 0, tzinfo=UTC)


def vote(change: Change, account, minutes: int, value: int, **fields) -> Vote:
    """A raw Vote row (no factory hook), so each test calls ``rebuild_reviews`` itself."""
    return Vote.objects.create(
        change=change,
        repository=change.repository,
        patch_set=fields.pop("patch_set", 1),
        label=fields.pop("label", "Code-Review"),
        value=value,
        account=account,
        granted=T0 + timedelta(minutes=minutes),
        source=fields.pop("source", VoteSource.MESSAGE),
        **fields,
    )


def rows() -> list[tuple]:
    return list(
        Review.objects.order_by("change_id", "patch_set", "label", "account_id").values_list(
            "change_id", "patch_set", "label", "account_id", "value", "granted", "first_granted"
        )
    )


def test_review_keeps_the_latest_value_and_the_first_and_latest_times():
    change = ChangeFactory()
    bob = AccountFactory(server=change.server)
    vote(change, bob, 0, -1)
    vote(change, bob, 30, 1)
    vote(change, bob, 10, 2)  # stored out of order: time decides, not id
    vote(change, bob, 40, 0, removal=True)  # a removal is not a vote
    vote(change, bob, 50, 2, patch_set=2)
    rebuild_reviews([change.pk])
    assert rows() == [
        (change.pk, 1, "Code-Review", bob.pk, 1, T0 + timedelta(minutes=30), T0),
        (
            change.pk,
            2,
            "Code-Review",
            bob.pk,
            2,
            T0 + timedelta(minutes=50),
            T0 + timedelta(minutes=50),
        ),
    ]


def test_a_tie_on_the_time_goes_to_the_later_vote_id():
    change = ChangeFactory()
    bob = AccountFactory(server=change.server)
    vote(change, bob, 5, 2)
    vote(change, bob, 5, -1)
    rebuild_reviews([change.pk])
    assert [row[4] for row in rows()] == [-1]


def test_bots_copied_votes_zeros_self_reviews_and_other_labels_are_not_reviews():
    change = ChangeFactory()
    zuul = AccountFactory(server=change.server, is_bot=True)
    bob = AccountFactory(server=change.server)
    vote(change, zuul, 0, -1, is_bot=True)
    vote(change, bob, 1, 2, patch_set=2, source=VoteSource.LABEL)  # copied on a rebase
    vote(change, bob, 2, 0)
    vote(change, change.owner, 3, 1)
    vote(change, bob, 4, 1, label="Verified")
    vote(change, bob, 5, 1, label="Workflow")
    rebuild_reviews([change.pk])
    assert [(row[2], row[3], row[4]) for row in rows()] == [("Workflow", bob.pk, 1)]


def test_owner_and_repository_are_copied_from_the_change():
    change = ChangeFactory()
    bob = AccountFactory(server=change.server)
    vote(change, bob, 0, 1)
    rebuild_reviews([change.pk])
    review = Review.objects.get()
    assert (review.owner_id, review.repository_id) == (change.owner_id, change.repository_id)


def test_rebuild_replaces_the_rows_of_the_given_changes_only():
    first, second = ChangeFactory(), ChangeFactory()
    bob = AccountFactory(server=first.server)
    vote(first, bob, 0, 1)
    vote(second, bob, 0, -1)
    rebuild_reviews(None)
    assert [(row[0], row[4]) for row in rows()] == [(first.pk, 1), (second.pk, -1)]
    Vote.objects.filter(change=first).update(value=-2)
    Vote.objects.filter(change=second).update(value=2)
    rebuild_reviews([first.pk])
    assert [(row[0], row[4]) for row in rows()] == [(first.pk, -2), (second.pk, -1)]


def test_vote_factory_keeps_reviews_in_step():
    from tests.gerrit.factories import VoteFactory

    first = VoteFactory(value=1)
    VoteFactory(change=first.change, account=first.account, value=-1, granted=first.granted)
    assert list(Review.objects.values_list("account_id", "value")) == [(first.account_id, -1)]
