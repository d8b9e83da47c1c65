"""factory_boy factories for specs (named apart from factories.py, which the cycles area owns)."""

from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from dashboard.governance.models import (
    Cycle,
    CycleEvent,
    EventKind,
    Spec,
    SpecState,
    SpecStateChange,
)
from tests.gerrit.factories import TeamFactory


class CycleFactory(DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("name",)

    name = factory.Iterator(["ocata", "pike", "queens", "rocky"])


class SpecFreezeFactory(DjangoModelFactory):
    class Meta:
        model = CycleEvent

    cycle = factory.SubFactory(CycleFactory)
    team = None
    kind = EventKind.SPEC_FREEZE
    title = "Spec freeze"
    start = date(2017, 6, 5)
    end = date(2017, 6, 9)
    due = date(2017, 6, 8)  # the Thursday, as import_schedule sets it


class SpecFactory(DjangoModelFactory):
    class Meta:
        model = Spec

    team = factory.SubFactory(TeamFactory)
    slug = factory.Sequence(lambda n: f"spec-{n}")
    title = factory.Sequence(lambda n: f"Spec number {n}")
    deliverable = "glance"
    cycle = factory.SubFactory(CycleFactory, name="pike")
    state = SpecState.APPROVED
    path = factory.LazyAttribute(
        lambda spec: (
            f"specs/{spec.cycle.name if spec.cycle else 'untargeted'}/approved/"
            f"{spec.deliverable}/{spec.slug}.rst"
        )
    )
    html = factory.LazyAttribute(lambda spec: f"<p>Text of {spec.title}.</p>")


class SpecStateChangeFactory(DjangoModelFactory):
    class Meta:
        model = SpecStateChange

    spec = factory.SubFactory(SpecFactory)
    state = SpecState.APPROVED
    cycle = factory.SelfAttribute("spec.cycle")
    date = date(2017, 4, 11)
    source = SpecStateChange.Source.GIT
