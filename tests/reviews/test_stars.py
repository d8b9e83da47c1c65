"""Starring a change from its page, and what stars feed: is:starred and My reviews."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dashboard.reviews.models import Star
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def change():
    return ChangeFactory(repository=RepositoryFactory(team=TeamFactory(name="glance")))


@pytest.fixture
def user():
    return User.objects.create_user("cora", password="pw")


def star_url(change) -> str:
    return reverse("reviews:star", args=["glance", change.number])


def test_the_change_page_loads_a_star_button_for_signed_in_users_only(client, change, user):
    page = reverse("gerrit:change", args=["glance", change.number])
    assert star_url(change) not in client.get(page).content.decode()
    client.force_login(user)
    assert f'hx-get="{star_url(change)}"' in client.get(page).content.decode()


def test_htmx_post_stars_and_unstars_and_answers_with_the_button(client, change, user):
    client.force_login(user)
    response = client.post(star_url(change), {"starred": "1"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="star-button"')
    assert 'aria-pressed="true"' in html
    assert Star.objects.filter(user=user, change=change).exists()
    html = client.post(star_url(change), {"starred": "0"}, **HTMX).content.decode()
    assert 'aria-pressed="false"' in html
    assert not Star.objects.exists()


def test_a_repeated_star_post_does_not_undo_itself(client, change, user):
    client.force_login(user)
    client.post(star_url(change), {"starred": "1"}, **HTMX)
    client.post(star_url(change), {"starred": "1"}, **HTMX)
    assert Star.objects.filter(user=user, change=change).count() == 1


def test_without_htmx_the_post_returns_to_the_change_page(client, change, user):
    client.force_login(user)
    response = client.post(star_url(change), {"starred": "1"})
    assert response.status_code == 302
    assert response.url == reverse("gerrit:change", args=["glance", change.number])


def test_get_shows_the_current_state(client, change, user):
    Star.objects.create(user=user, change=change)
    client.force_login(user)
    assert 'aria-pressed="true"' in client.get(star_url(change), **HTMX).content.decode()
    assert "<html" in client.get(star_url(change)).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, change):
    response = client.post(star_url(change), {"starred": "1"})
    assert response.status_code == 302 and reverse("login") in response.url
    assert not Star.objects.exists()


def test_an_unknown_change_is_404(client, change, user):
    client.force_login(user)
    assert client.get(reverse("reviews:star", args=["glance", 1])).status_code == 404


def test_a_starred_change_shows_in_an_is_starred_search(client, change, user):
    from dashboard.reviews.models import GerritIdentity

    GerritIdentity.objects.create(user=user, account=change.owner)
    client.force_login(user)
    client.post(star_url(change), {"starred": "1"}, **HTMX)
    response = client.get(reverse("reviews:search"), {"q": "is:starred", "team": "glance"})
    assert change.subject in response.content.decode()
