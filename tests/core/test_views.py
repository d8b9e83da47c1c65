"""The home page: the way in for every visitor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.models import ChangeStatus, SyncRunStatus
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, SyncRunFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_home_without_teams_explains_how_to_add_one(client):
    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No team yet" in html
    assert "uv run manage.py import_team" in html
    assert "uv run manage.py demo" in html


def test_home_with_a_single_team_goes_straight_to_its_overview(client):
    TeamFactory(name="glance")

    response = client.get(reverse("core:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("gerrit:team", args=["glance"])


def test_home_lists_teams_with_a_one_line_summary(client):
    glance = TeamFactory(name="glance", display_name="Glance")
    TeamFactory(name="nova", display_name="Nova")
    repo = RepositoryFactory(team=glance)
    RepositoryFactory(team=glance)
    ChangeFactory.create_batch(3, repository=repo)
    ChangeFactory(repository=repo, status=ChangeStatus.MERGED)
    SyncRunFactory(team=glance, started=timezone.now() - timedelta(days=2))
    SyncRunFactory(
        team=glance, started=timezone.now() - timedelta(hours=3), status=SyncRunStatus.FAILED
    )

    html = client.get(reverse("core:home")).content.decode()

    assert 'href="/teams/glance/"' in html and 'href="/teams/nova/"' in html
    assert "2 repositories" in html
    assert "3 open changes" in html
    assert "(failed)" in html  # the latest run, not the older success
    assert "1 repository" not in html
    assert "0 open changes" in html and "never synced" in html  # nova


def test_home_reads_all_teams_in_one_query(client, django_assert_num_queries):
    for _ in range(5):
        team = TeamFactory()
        ChangeFactory(repository=RepositoryFactory(team=team))
        SyncRunFactory(team=team)

    with django_assert_num_queries(1):
        response = client.get(reverse("core:home"))
    assert len(response.context["teams"]) == 5


def test_pages_share_the_layout_with_navigation_and_htmx(client):
    TeamFactory.create_batch(2)

    html = client.get(reverse("core:home")).content.decode()

    assert '<nav class="container nav" aria-label="Main">' in html
    assert '<main id="main"' in html
    assert 'hx-headers=\'{"x-csrftoken": ' in html
    assert "/static/django_htmx/htmx-2" in html  # vendored, no CDN
    assert "https://" not in html.split("<body")[0]  # nothing loaded from elsewhere
    assert 'href="/accounts/login/?next=/"' in html


def test_signed_in_user_sees_their_name_and_a_sign_out_button(client, django_user_model):
    TeamFactory.create_batch(2)
    client.force_login(django_user_model.objects.create_user("jroe", first_name="Jane"))

    html = client.get(reverse("core:home")).content.decode()

    assert "Jane" in html
    assert 'action="/accounts/logout/"' in html
    assert "Sync status" not in html  # staff only


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login") + "?next=/sync/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html
    assert 'value="/sync/"' in html


def test_unknown_url_gets_the_friendly_404_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert "Resolver404" not in html


def test_500_page_is_self_contained(client):
    from django.template import loader

    html = loader.get_template("500.html").render({})

    assert "Something went wrong" in html
    assert "{%" not in html and "extends" not in html
