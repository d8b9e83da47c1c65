"""The demo's priorities: generated from the synced team, through the services."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.gerrit.models import ChangeStatus
from dashboard.governance.models import (
    Cycle,
    FeatureFreezeException,
    Priority,
    PriorityAction,
    PriorityChange,
)
from dashboard.governance.priorities_demo import demo_cycles, seed_demo_priorities
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_demo_cycles_are_made_by_name_when_missing_and_reused_when_present():
    current, previous = demo_cycles(today=date(2026, 12, 1))
    assert (current.name, current.start, current.end) == (
        "2027.1",
        date(2026, 9, 28),
        date(2027, 3, 29),
    )
    assert previous.name == "2026.2"
    assert demo_cycles(today=date(2026, 12, 1)) == (current, previous)
    assert Cycle.objects.count() == 2


def test_seed_builds_lists_from_the_busiest_blueprint_topics():
    team = TeamFactory(name="glance")
    repo = RepositoryFactory(team=team)
    erno = AccountFactory(server=team.server, name="Erno")
    ann = AccountFactory(server=team.server, name="Ann")
    # Three changes on bp/import (two by Erno, one open), one on bp/upgrades by Ann.
    ChangeFactory(repository=repo, topic="bp/image-import", owner=erno)
    ChangeFactory(repository=repo, topic="bp/image-import", owner=erno, status=ChangeStatus.MERGED)
    ChangeFactory(repository=repo, topic="bp/image-import", owner=ann, number=101)
    ChangeFactory(repository=repo, topic="bp/upgrades", owner=ann, status=ChangeStatus.MERGED)
    ChangeFactory(repository=repo, topic="bug/1", owner=ann)
    seed_demo_priorities(team)
    current, previous = demo_cycles()
    items = list(Priority.objects.for_list(team_id=team.pk, cycle_id=current.pk))
    assert len(items) == 6
    # Created busiest first, then the last one moved to the top (a reorder in the history).
    assert items[1].title == "Image import"
    assert items[1].owner_names == ["Erno"]
    assert items[1].topics == ["bp/image-import"]
    assert len(items[1].change_numbers) == 2 and 101 in items[1].change_numbers  # the open ones
    assert items[2].title == "Upgrades" and items[2].owner_names == ["Ann"]
    assert PriorityChange.objects.filter(cycle=current, action=PriorityAction.MOVED).count() == 1
    done = Priority.objects.filter(cycle=previous).values_list("status", flat=True)
    assert sorted(done) == ["deprioritized", "done", "done", "missed"]
    assert FeatureFreezeException.objects.filter(cycle=current).count() == 2
    assert FeatureFreezeException.objects.filter(decision="granted").count() == 1
    # A second run changes nothing.
    rows = PriorityChange.objects.count()
    seed_demo_priorities(team)
    assert PriorityChange.objects.count() == rows
