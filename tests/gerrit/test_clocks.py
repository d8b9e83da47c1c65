"""The open-reviews clocks kept on open changes, derived from their patch sets and votes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from dashboard.gerrit.clocks import refresh_review_clocks
from dashboard.gerrit.models import Change, ReviewClocks, VoteSource
from tests.gerrit.factories import AccountFactory, ChangeFactory, PatchSetFactory, VoteFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
CLOCKS = ("current", "first", "no_negative")


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def make_change(uploads: list[float], *, current: int | None = None, **kwargs: object) -> Change:
    """An open change with patch sets uploaded ``uploads`` days ago (oldest first)."""
    number = current or len(uploads)
    change = ChangeFactory(
        created=ago(uploads[0] + 1),
        current_patch_set=number,
        current_patch_set_created=ago(uploads[number - 1]) if number <= len(uploads) else None,
        **kwargs,
    )
    for n, days in enumerate(uploads, start=1):
        PatchSetFactory(change=change, number=n, created=ago(days))
    return change


def clocks(change: Change) -> tuple[datetime, ...] | None:
    """The change's stored clocks (None: it has no row)."""
    return ReviewClocks.objects.filter(change=change).values_list(*CLOCKS).first()


def test_a_negative_vote_on_the_current_patch_set_does_not_break_the_run():
    change = make_change([30, 20])
    VoteFactory(change=change, patch_set=2, value=-1, granted=ago(19))
    refresh_review_clocks([change.pk])
    assert clocks(change) == (ago(19), ago(30), ago(30))


def test_the_run_starts_after_the_latest_patch_set_with_a_standing_negative():
    change = make_change([40, 30, 20, 10])
    VoteFactory(change=change, patch_set=1, value=-2, granted=ago(39))
    VoteFactory(change=change, patch_set=2, value=-1, granted=ago(29))
    refresh_review_clocks(None)
    assert clocks(change) == (ago(10), ago(39), ago(20))


def test_only_votes_announced_in_a_message_date_a_patch_set():
    change = make_change([30, 20])
    copied = AccountFactory(server=change.server)
    VoteFactory(
        change=change, patch_set=2, account=copied, granted=ago(25), source=VoteSource.LABEL
    )
    VoteFactory(change=change, patch_set=2, granted=ago(18))
    refresh_review_clocks(None)
    assert clocks(change)[0] == ago(18)


def test_patch_sets_after_the_current_one_are_ignored():
    change = make_change([30, 20, 10], current=2)
    VoteFactory(change=change, patch_set=3, value=-1, granted=ago(9))
    refresh_review_clocks(None)
    assert clocks(change) == (ago(20), ago(30), ago(30))


def test_without_the_current_patch_set_row_the_changes_columns_stand_in():
    change = make_change([30], current=2)
    Change.objects.filter(pk=change.pk).update(current_patch_set_created=ago(5))
    bare = ChangeFactory(created=ago(12), current_patch_set_created=None)
    refresh_review_clocks(None)
    assert clocks(change) == (ago(5), ago(30), ago(5))
    assert clocks(bare) == (ago(12), ago(12), ago(12))


def test_only_the_named_open_changes_are_refreshed():
    named, other = make_change([3]), make_change([4])
    closed = make_change([5], status="MERGED", closed=ago(1))
    refresh_review_clocks([named.pk, closed.pk])
    assert clocks(named) == (ago(3), ago(3), ago(3))
    assert clocks(other) is None
    assert clocks(closed) is None


def test_a_refresh_replaces_the_clocks_and_drops_those_of_a_change_now_closed():
    change, closing = make_change([30, 20]), make_change([5])
    refresh_review_clocks(None)
    VoteFactory(change=change, patch_set=2, granted=ago(19))
    Change.objects.filter(pk=closing.pk).update(status="ABANDONED", closed=ago(1))
    refresh_review_clocks([change.pk, closing.pk])
    assert clocks(change) == (ago(19), ago(30), ago(30))
    assert clocks(closing) is None
