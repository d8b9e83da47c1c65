"""factory_boy factories for the weekly review priorities."""

from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from dashboard.governance.models import ItemKind, WeeklyItem, WeeklyList
from tests.gerrit.factories import TeamFactory


class WeeklyListFactory(DjangoModelFactory):
    class Meta:
        model = WeeklyList

    team = factory.SubFactory(TeamFactory)
    week = date(2017, 4, 13)


class WeeklyItemFactory(DjangoModelFactory):
    class Meta:
        model = WeeklyItem

    weekly_list = factory.SubFactory(WeeklyListFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = ItemKind.TEXT
    text = factory.Sequence(lambda n: f"Item {n}")
