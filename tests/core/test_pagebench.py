"""The page benchmark's preparation of a team (``core.pagebench``), on a tiny forge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from dashboard.core import pagebench
from dashboard.gerrit.bulkload import load_forge
from dashboard.gerrit.simulator.forge import Forge
from dashboard.reviews.models import Dashboard, GerritIdentity

pytestmark = pytest.mark.django_db


def test_preparing_a_team_twice_keeps_its_one_core_user_and_dashboard():
    end = datetime(2026, 12, 1, tzinfo=UTC)
    load_forge(forge=Forge(seed=4, teams=1, repositories=2, changes=80, accounts=20, end=end))
    team = pagebench.busiest_team()
    first = pagebench.prepare_team(team)
    again = pagebench.prepare_team(team)
    assert again == first
    assert get_user_model().objects.filter(username=first.username).count() == 1
    assert GerritIdentity.objects.filter(user=first).count() == 1
    assert Dashboard.objects.filter(team=team).count() == 1
    assert first.groups.exists()
