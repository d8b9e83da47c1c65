"""factory_boy factories for the health models (affiliations)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from dashboard.health.models import Affiliation, Organisation
from tests.gerrit.factories import AccountFactory


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Company {n}")


class AffiliationFactory(DjangoModelFactory):
    """An open-ended stretch at an organisation; pass ``organisation=None`` for independent."""

    class Meta:
        model = Affiliation

    account = factory.SubFactory(AccountFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    start = None
    end = None
