"""factory_boy factories for the governance models (cycles, events, leaders)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from dashboard.governance.models import Cycle, CycleEvent, CycleStatus, EventKind, Leader
from dashboard.governance.models.leaders import LeaderRole
from tests.gerrit.factories import TeamFactory


class CycleFactory(DjangoModelFactory):
    """A 26-week cycle starting on a Monday (R-25 to R+0)."""

    class Meta:
        model = Cycle
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"cycle{n}")
    start = date(2017, 3, 6)
    end = factory.LazyAttribute(lambda cycle: cycle.start + timedelta(weeks=25))
    status = CycleStatus.DEVELOPMENT


class CycleEventFactory(DjangoModelFactory):
    class Meta:
        model = CycleEvent

    cycle = factory.SubFactory(CycleFactory)
    team = None
    kind = EventKind.MILESTONE
    label = factory.Sequence(lambda n: f"x-event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    start = factory.LazyAttribute(lambda event: event.cycle.start)
    end = factory.LazyAttribute(lambda event: event.start + timedelta(days=4))
    due = factory.LazyAttribute(lambda event: event.start + timedelta(days=3))


class LeaderFactory(DjangoModelFactory):
    class Meta:
        model = Leader

    team = factory.SubFactory(TeamFactory)
    cycle = factory.SubFactory(CycleFactory)
    role = LeaderRole.PTL
    name = factory.Sequence(lambda n: f"Leader {n}")
    irc = factory.Sequence(lambda n: f"leader{n}")
    email = factory.LazyAttribute(lambda leader: f"{leader.irc}@example.org")
