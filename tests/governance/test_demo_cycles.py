"""The demo's generated cycles: around today, with freezes, team events and leaders."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.governance.demo import seed_demo_cycles
from dashboard.governance.models import Cycle, CycleEvent, EventKind, Leader
from dashboard.governance.selectors import current_cycle, freeze_date, next_freeze
from tests.gerrit.factories import CoreMembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_demo_cycles_cover_the_history_and_the_next_cycle() -> None:
    team = TeamFactory(name="glance")
    for _ in range(3):
        CoreMembershipFactory(team=team)
    today = date(2026, 12, 1)
    cycles = seed_demo_cycles(team, today=today)
    assert [(c.name, c.release_id, c.start, c.end) for c in cycles] == [
        ("flamingo", "2025.2", date(2025, 4, 7), date(2025, 9, 29)),
        ("gazpacho", "2026.1", date(2025, 10, 6), date(2026, 3, 30)),
        ("hibiscus", "2026.2", date(2026, 4, 6), date(2026, 9, 28)),
        ("indri", "2027.1", date(2026, 10, 5), date(2027, 3, 29)),
        ("2027.2", "2027.2", date(2027, 4, 5), date(2027, 9, 27)),
    ]
    ilex = current_cycle(today)
    assert ilex.name == "indri" and ilex.status == "development"
    # Feature freeze in R-5, on its Thursday: 2027-03-29 - 5 weeks + 3 days.
    assert freeze_date(cycle=ilex, team=team, kind=EventKind.FEATURE_FREEZE) == date(2027, 2, 25)
    # Glance's spec freeze in R-17 (2026-11-30 week), due Thursday 2026-12-03.
    assert next_freeze(team, today).title == "Glance spec freeze"
    assert CycleEvent.objects.filter(cycle=ilex, team=team, kind=EventKind.TEAM).count() == 2
    leaders = list(Leader.objects.filter(cycle=ilex).values_list("account", flat=True))
    assert len(leaders) == len(set(leaders)) == 3  # three different core reviewers


def test_demo_seeding_twice_replaces_its_own_rows() -> None:
    team = TeamFactory(name="glance")
    seed_demo_cycles(team, today=date(2026, 12, 1))
    counts = (Cycle.objects.count(), CycleEvent.objects.count())
    seed_demo_cycles(team, today=date(2026, 12, 1))
    assert (Cycle.objects.count(), CycleEvent.objects.count()) == counts
