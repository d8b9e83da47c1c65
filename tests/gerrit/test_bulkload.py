"""The bulk loader behind the page benchmarks: it must write what a sync writes."""

from __future__ import annotations

import pytest
from django.db.models import F

from dashboard.gerrit.bulkload import load_history
from dashboard.gerrit.models import Change, PatchSet
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.teams import import_team, simulated_team

pytestmark = pytest.mark.django_db


def test_loaded_patch_sets_carry_their_changes_repository():
    team = import_team(definition=simulated_team(), gerrit_url="http://gerrit.test").team
    stored = load_history(team=team, simulator=Simulator(seed=3, changes=40))
    assert stored == Change.objects.count() > 0
    assert PatchSet.objects.count() >= stored
    assert not PatchSet.objects.exclude(repository=F("change__repository")).exists()
    # The simulated team has several repositories, so a constant would not pass.
    assert PatchSet.objects.values("repository").distinct().count() > 1
