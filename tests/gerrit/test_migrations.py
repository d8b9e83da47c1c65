"""Data migrations of the gerrit app, run on rows as an older database would hold them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from dashboard.gerrit.models import PatchSet, ReviewClocks
from tests.gerrit.factories import PatchSetFactory, RepositoryFactory, VoteFactory

pytestmark = pytest.mark.django_db


def test_patch_set_repositories_are_filled_from_their_changes():
    fill = importlib.import_module("dashboard.gerrit.migrations.0008_patchset_repository")
    first, second = PatchSetFactory(), PatchSetFactory()
    stray = RepositoryFactory()
    PatchSet.objects.update(repository=stray)  # what the column holds before the fill
    fill.fill_repositories(apps, None)
    assert {ps.pk: ps.repository_id for ps in PatchSet.objects.all()} == {
        first.pk: first.change.repository_id,
        second.pk: second.change.repository_id,
    }


def test_review_clocks_are_filled_for_the_open_changes_stored_before():
    fill = importlib.import_module("dashboard.gerrit.migrations.0016_review_clocks")
    open_ps, _ = PatchSetFactory(), PatchSetFactory(change__status="MERGED")
    vote = VoteFactory(change=open_ps.change, patch_set=1)
    fill.fill_clocks(apps, None)
    assert list(ReviewClocks.objects.values_list("change", "current")) == [
        (open_ps.change_id, vote.granted)
    ]
