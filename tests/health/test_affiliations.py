"""Affiliation services: moves, overlaps, dates, aliases and who may edit."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from dashboard.core.roles import PTL, ensure_role_groups
from dashboard.health.affiliations import (
    AffiliationError,
    add_affiliation,
    can_edit_affiliations,
    edit_affiliation,
    end_affiliation,
    find_organisation,
)
from dashboard.health.models import Affiliation
from dashboard.reviews.models import GerritIdentity
from tests.gerrit.factories import AccountFactory
from tests.health.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def stretches(account):
    return [
        (a.organisation.name if a.organisation else None, a.start, a.end)
        for a in Affiliation.objects.filter(account=account)
    ]


def test_adding_a_later_start_ends_the_open_stretch_there():
    account = AccountFactory()
    add_affiliation(account=account, organisation="Red Co", start=date(2020, 1, 1))

    add_affiliation(account=account, organisation="independent", start=date(2022, 5, 1))

    assert stretches(account) == [
        ("Red Co", date(2020, 1, 1), date(2022, 5, 1)),
        (None, date(2022, 5, 1), None),
    ]


def test_an_overlapping_closed_stretch_is_refused():
    account = AccountFactory()
    add_affiliation(account=account, organisation="Red Co", start=None, end=date(2021, 1, 1))

    with pytest.raises(AffiliationError, match="already has Red Co from the beginning"):
        add_affiliation(account=account, organisation="Blue Co", start=date(2020, 6, 1))
    # Touching is not overlapping: [.., 2021-01-01) then [2021-01-01, ..).
    add_affiliation(account=account, organisation="Blue Co", start=date(2021, 1, 1))
    assert len(stretches(account)) == 2


def test_an_end_before_the_start_is_refused():
    with pytest.raises(AffiliationError, match="must be after the start"):
        add_affiliation(
            account=AccountFactory(),
            organisation="Red Co",
            start=date(2021, 1, 1),
            end=date(2021, 1, 1),
        )


def test_edit_and_end_keep_stretches_apart():
    account = AccountFactory()
    first = add_affiliation(
        account=account, organisation="Red Co", start=None, end=date(2021, 1, 1)
    )
    second = add_affiliation(account=account, organisation="Blue Co", start=date(2021, 1, 1))

    with pytest.raises(AffiliationError, match="overlap Blue Co"):
        edit_affiliation(affiliation=first, organisation="Red Co", start=None, end=date(2021, 6, 1))
    end_affiliation(affiliation=second, end=date(2023, 3, 1))

    assert stretches(account)[-1] == ("Blue Co", date(2021, 1, 1), date(2023, 3, 1))


def test_an_alias_finds_the_organisation_instead_of_creating_one():
    OrganisationFactory(name="Red Co", aliases=["Red Company", "RedCo Inc"])
    account = AccountFactory()

    add_affiliation(account=account, organisation="redco inc", start=None)

    assert find_organisation("RED COMPANY").name == "Red Co"
    assert stretches(account) == [("Red Co", None, None)]


def test_the_ptl_and_the_person_may_edit_nobody_else():
    ensure_role_groups()
    account = AccountFactory()
    ptl = User.objects.create_user("ptl")
    ptl.groups.add(Group.objects.get(name=PTL))
    me = User.objects.create_user("me")
    GerritIdentity.objects.create(user=me, account=account)
    other = User.objects.create_user("other")
    GerritIdentity.objects.create(user=other, account=AccountFactory(server=account.server))

    assert can_edit_affiliations(user=ptl, account=account)
    assert can_edit_affiliations(user=User.objects.get(pk=me.pk), account=account)
    assert not can_edit_affiliations(user=User.objects.get(pk=other.pk), account=account)
    assert not can_edit_affiliations(user=User.objects.create_user("nobody"), account=account)
    assert not can_edit_affiliations(user=AnonymousUser(), account=account)
