"""The trends page: charts drawn with their tables, htmx fragment, bad input, query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.health.models import BacklogSnapshot, SnapshotSource
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    PatchSetFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team():
    team = TeamFactory(name="glance")
    repo = RepositoryFactory(team=team)
    core = AccountFactory(server=team.server)
    CoreMembershipFactory(team=team, account=core)
    now = timezone.now()
    for days in (3, 10, 20):
        change = ChangeFactory(repository=repo, created=now - timedelta(days=days))
        PatchSetFactory(change=change, created=now - timedelta(days=days))
        VoteFactory(change=change, account=core, value=2, granted=now - timedelta(days=days - 1))
    for days in range(1, 4):
        BacklogSnapshot.objects.create(
            team=team,
            day=(now - timedelta(days=days)).date(),
            open_changes=3 + days,
            in_scope=3,
            reviewable=1,
            waiting_on_submitter=1,
            waiting_on_reviewer=2,
            source=SnapshotSource.REBUILT,
            taken_at=now,
        )
    return team


def url(team, query: str = "") -> str:
    return reverse("health:trends", args=[team.name]) + query


def test_page_draws_the_four_subjects_as_svg_with_data_tables(client, team):
    html = client.get(url(team)).content.decode()
    for title in (
        "Open backlog per day",
        "Reviews by core reviewers per week",
        "Reviews per week per core reviewer",
        "Time to first review",
        "Opened, merged and abandoned per week",
    ):
        assert title in html
    assert html.count('class="chart-svg"') == 5
    assert "3 of these days were rebuilt" in html
    assert "3 changes in the period had a first review" in html
    assert "Reviews per core reviewer in these 26 weeks" in html


def test_htmx_gets_the_results_fragment(client, team):
    html = client.get(url(team, "?weeks=13"), **HX).content.decode()
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html


def test_bad_weeks_falls_back_with_a_message(client, team):
    response = client.get(url(team, "?weeks=1000"))
    assert response.status_code == 200
    assert "was not understood" in response.content.decode()


def test_page_query_count_is_fixed(client, team, django_assert_num_queries):
    # team, snapshots, core reviews, core stretches, per reviewer, first reviews, opened, closed
    with django_assert_num_queries(8):
        client.get(url(team))
