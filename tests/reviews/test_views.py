"""Search, My reviews and the Gerrit account link: pages, fragments, errors, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.models import ChangeStatus, ReviewerState
from dashboard.reviews.models import GerritIdentity, Star
from tests.gerrit.factories import (
    AccountFactory,
    ApprovalFactory,
    ChangeFactory,
    MessageFactory,
    RepositoryFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team():
    return TeamFactory(name="glance", core_group="glance-core")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def me(team):
    return AccountFactory(server=team.server, username="jroe", email="jane@example.org")


@pytest.fixture
def alice(team):
    return AccountFactory(server=team.server, username="alice")


@pytest.fixture
def user():
    return User.objects.create_user("jane", password="pw")


@pytest.fixture
def linked(user, me):
    GerritIdentity.objects.create(user=user, account=me)
    return user


def search_url(**params: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse('reviews:search')}?{urlencode(params)}"


# Search


def test_search_renders_results_and_description(client, repo):
    hit = ChangeFactory(repository=repo, subject="Fix the image cache")
    ChangeFactory(repository=repo, status=ChangeStatus.MERGED, subject="Old merged work")
    response = client.get(search_url(q="status:open"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fix the image cache" in html
    assert "Old merged work" not in html
    assert "Open changes" in html
    assert "of 1:" in html
    assert reverse("gerrit:change", args=["glance", hit.number]) in html
    assert '<section id="results"' in html and "<h1>" in html


def test_search_without_query_shows_clickable_examples(client, team):
    response = client.get(reverse("reviews:search"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "status:open intopic:^bug/.*" in html
    assert "?q=status%3Aopen+NOT+reviewedby%3Aself" in html


def test_search_htmx_gets_only_the_results_fragment(client, repo):
    ChangeFactory(repository=repo, subject="Fix the image cache")
    response = client.get(search_url(q="status:open"), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Fix the image cache" in html
    assert "<h1>" not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_search_syntax_error_is_a_400_with_message_and_marker(client, team):
    response = client.get(search_url(q="status:open )"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "This query cannot be run" in html
    assert "position 12" in html
    assert ">" + " " * 12 + "^</span>" in html


def test_search_unsupported_operator_is_a_400_naming_it(client, team):
    response = client.get(search_url(q="is:watched"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tiller cannot answer this query" in html
    assert "is:watched" in html


def test_search_bad_query_fragment_is_still_the_fragment(client, team):
    response = client.get(search_url(q="status:open ("), **HTMX)
    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<section id="results"')


def test_search_about_self_asks_anonymous_visitors_to_sign_in(client, team):
    response = client.get(search_url(q="status:open NOT reviewedby:self"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This query uses <code>self</code>" in html
    assert f"{reverse('login')}?next=/search%3Fq%3D" in html


def test_search_about_self_asks_unlinked_users_to_link(client, user, team):
    client.force_login(user)
    response = client.get(search_url(q="owner:self"))
    assert response.status_code == 200
    assert reverse("reviews:profile") in response.content.decode()
    assert "not linked to a Gerrit account" in response.content.decode()


def test_search_about_self_for_a_linked_user(client, linked, repo, me):
    ChangeFactory(repository=repo, owner=me, subject="My own change")
    ChangeFactory(repository=repo, subject="Someone else's")
    client.force_login(linked)
    html = client.get(search_url(q="owner:self")).content.decode()
    assert "My own change" in html
    assert "Someone else" not in html


def test_search_pagination_keeps_the_query(client, repo):
    for _ in range(51):
        ChangeFactory(repository=repo)
    response = client.get(search_url(q="status:open"))
    page = response.context["page_obj"]
    assert len(page.object_list) == 50
    assert page.paginator.count == 51
    assert "?q=status%3Aopen&amp;page=2" in response.content.decode()
    second = client.get(search_url(q="status:open", page="2"))
    assert len(second.context["page_obj"].object_list) == 1


def test_search_honours_limit(client, repo):
    ChangeFactory.create_batch(5, repository=repo)
    response = client.get(search_url(q="status:open limit:2"))
    assert response.context["page_obj"].paginator.count == 2
    assert "(at most 2)" in response.content.decode()


def test_search_picks_the_team_server(client, repo):
    other = RepositoryFactory(team=TeamFactory(name="nova"))
    ChangeFactory(repository=repo, subject="Glance change")
    ChangeFactory(repository=other, subject="Nova change")
    html = client.get(search_url(q="status:open", team="nova")).content.decode()
    assert "Nova change" in html and "Glance change" not in html
    assert client.get(search_url(q="status:open", team="nope")).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_search_query_count_is_independent_of_results(
    client, repo, django_assert_num_queries, count, headers
):
    for _ in range(count):
        ChangeFactory(repository=repo)
    # teams, core groups of the server, count, one page of rows
    with django_assert_num_queries(4):
        response = client.get(search_url(q="status:open NOT label:Code-Review<=-1"), **headers)
    assert len(response.context["page_obj"].object_list) == count


# My reviews


def test_my_reviews_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("reviews:my-reviews"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_reviews_asks_unlinked_users_to_link(client, user):
    client.force_login(user)
    response = client.get(reverse("reviews:my-reviews"))
    assert response.status_code == 200
    assert "Link your Gerrit account first" in response.content.decode()


def _my_reviews_data(repo, me, alice, user):
    now = timezone.now()
    incoming = ChangeFactory(repository=repo, owner=alice, subject="Incoming one")
    incoming.reviewers.create(account=me, state=ReviewerState.REVIEWER)
    answered = ChangeFactory(repository=repo, owner=alice, subject="Already answered")
    answered.reviewers.create(account=me, state=ReviewerState.REVIEWER)
    MessageFactory(change=answered, author=alice, date=now - timedelta(days=3))
    MessageFactory(change=answered, author=me, date=now - timedelta(days=2))
    outgoing = ChangeFactory(repository=repo, owner=me, subject="Outgoing one")
    closed = ChangeFactory(
        repository=repo,
        owner=me,
        subject="Closed one",
        status=ChangeStatus.MERGED,
        updated=now - timedelta(days=3),
    )
    ready = ChangeFactory(repository=repo, owner=alice, subject="Ready one")
    ApprovalFactory(change=ready, label="Code-Review", value=2, account=alice)
    ApprovalFactory(change=ready, label="Verified", value=1)
    starred = ChangeFactory(repository=repo, owner=alice, subject="Starred one")
    Star.objects.create(user=user, change=starred)
    return incoming, answered, outgoing, closed, ready, starred


def test_my_reviews_puts_changes_in_the_right_sections(client, linked, repo, me, alice):
    incoming, answered, outgoing, closed, ready, starred = _my_reviews_data(repo, me, alice, linked)
    client.force_login(linked)
    response = client.get(reverse("reviews:my-reviews"))
    assert response.status_code == 200
    found = {s.title: {c.pk for c in s.rows} for s in response.context["sections"]}
    assert found["Incoming reviews"] == {incoming.pk}
    assert found["Outgoing reviews"] == {outgoing.pk}
    assert found["Recently closed, mine"] == {closed.pk}
    assert found["Starred"] == {starred.pk}
    assert found["Ready for my +2"] == {ready.pk}
    assert all(s.error is None for s in response.context["sections"])
    assert "Incoming one" in response.content.decode()


def test_my_reviews_htmx_sort_returns_one_section(client, linked, repo, me):
    old = ChangeFactory(repository=repo, owner=me, number=1)
    old.current_patch_set_created = timezone.now() - timedelta(days=30)
    old.save()
    new = ChangeFactory(repository=repo, owner=me, number=2)
    new.current_patch_set_created = timezone.now() - timedelta(days=1)
    new.save()
    client.force_login(linked)
    url = reverse("reviews:my-reviews") + "?section=outgoing-reviews&sort=waiting"
    response = client.get(url, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="section-outgoing-reviews"')
    assert "Incoming reviews" not in html
    assert [c.number for c in response.context["section"].rows] == [1, 2]
    full = client.get(url)
    assert "Incoming reviews" in full.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_my_reviews_query_count_is_independent_of_data(
    client, linked, repo, me, django_assert_num_queries, count
):
    for _ in range(count):
        ChangeFactory(repository=repo, owner=me)
    client.force_login(linked)
    # session, user, identity, context (identity, groups), each of the 5 sections' ids and
    # count, the rows of all of them, the navigation's two role checks
    with django_assert_num_queries(5 + 5 + 1 + 2):
        response = client.get(reverse("reviews:my-reviews"))
    assert response.context["sections"][1].count == count


# Profile


def test_profile_needs_sign_in(client):
    response = client.get(reverse("reviews:profile"))
    assert response.status_code == 302


def test_profile_links_by_username_or_email_and_unlinks(client, user, me):
    client.force_login(user)
    response = client.post(reverse("reviews:link-account"), {"account": "JANE@example.org"})
    assert response.status_code == 302
    assert GerritIdentity.objects.get(user=user).account == me
    page = client.get(reverse("reviews:profile")).content.decode()
    assert "jroe" in page and "now linked" in page
    client.post(reverse("reviews:unlink-account"))
    assert not GerritIdentity.objects.filter(user=user).exists()
    client.post(reverse("reviews:link-account"), {"account": "jroe"})
    assert GerritIdentity.objects.get(user=user).account == me


def test_profile_rejects_unknown_accounts(client, user, team):
    client.force_login(user)
    response = client.post(reverse("reviews:link-account"), {"account": "nobody"})
    assert response.status_code == 400
    assert "No synced Gerrit account" in response.content.decode()
    assert not GerritIdentity.objects.exists()
