"""factory_boy factories for cycles, specs, priorities and FFEs (the prio area's tests).

Named apart from tests/governance/factories.py, which the cycles and specs areas write.
"""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory

from dashboard.governance.models import (
    Cycle,
    FeatureFreezeException,
    Priority,
    Spec,
    SpecState,
)
from tests.gerrit.factories import TeamFactory


class CycleFactory(DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"cycle{n}")
    start = date(2016, 10, 3)
    end = date(2017, 2, 20)


class SpecFactory(DjangoModelFactory):
    class Meta:
        model = Spec

    team = factory.SubFactory(TeamFactory)
    slug = factory.Sequence(lambda n: f"spec-{n}")
    title = factory.Sequence(lambda n: f"Spec number {n}")
    deliverable = "glance"
    state = SpecState.APPROVED


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = Priority

    team = factory.SubFactory(TeamFactory)
    cycle = factory.SubFactory(CycleFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}")


class FFEFactory(DjangoModelFactory):
    class Meta:
        model = FeatureFreezeException

    team = factory.SubFactory(TeamFactory)
    cycle = factory.SubFactory(CycleFactory)
    spec = factory.SubFactory(SpecFactory, team=factory.SelfAttribute("..team"))
    title = factory.Sequence(lambda n: f"Late feature {n}")
    requester_name = "Erno"


def user_with_role(username: str, role: str | None = None, **extra: object) -> User:
    user = User.objects.create_user(username, **extra)  # no password: tests force_login
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user
