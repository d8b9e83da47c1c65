"""The open-reviews page and command: same figures, htmx fragment, bad input, query count."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.clocks import refresh_review_clocks
from dashboard.gerrit.models import Repository
from tests.gerrit.factories import (
    ChangeFactory,
    PatchSetFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def repo() -> Repository:
    repo = RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")
    now = timezone.now()
    for days in [2, 9, 20]:
        change = ChangeFactory(
            repository=repo,
            created=now - timedelta(days=days + 3),
            current_patch_set=2,
            current_patch_set_created=now - timedelta(days=days),
        )
        PatchSetFactory(change=change, number=1, created=now - timedelta(days=days + 3))
        PatchSetFactory(change=change, number=2, created=now - timedelta(days=days))
        VoteFactory(change=change, patch_set=1, value=-1, granted=now - timedelta(days=days + 2))
    ChangeFactory(repository=repo, cr_min=-2, subject="Needs work")
    ChangeFactory(repository=repo, mergeable=False, subject="Conflicted")
    refresh_review_clocks(None)  # as the store does after writing a change's rows
    return repo


def url(repo: Repository, query: str = "") -> str:
    return reverse("health:open-reviews", args=[repo.team.name]) + query


def test_page_shows_the_split_and_links_to_the_longest_waiting(client, repo):
    html = client.get(url(repo)).content.decode()
    assert "Waiting on the submitter</dt><dd>1</dd>" in html
    assert "Waiting on reviewers</dt><dd>4</dd>" in html
    assert "In merge conflict</dt><dd>1</dd>" in html
    assert 'href="https://review' in html and "/teams/glance/changes/" in html
    assert "<html" in html


def test_htmx_request_gets_only_the_results_fragment(client, repo):
    html = client.get(url(repo, "?days=10"), **HX).content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Waiting more than 10 days" in html
    assert "<html" not in html


def test_bad_days_falls_back_to_seven_with_a_message(client, repo):
    response = client.get(url(repo, "?days=soon"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "was not understood" in html and "Waiting more than 7 days" in html


def test_unknown_team_is_404(client, db):
    assert client.get(reverse("health:open-reviews", args=["nope"])).status_code == 404


def test_page_query_count_is_fixed(client, repo, django_assert_num_queries):
    # team, changes' figures and clocks, listed rows (+ session-free anonymous request)
    with django_assert_num_queries(3):
        client.get(url(repo))


def test_command_json_matches_the_page_figures(client, repo):
    out = StringIO()
    call_command("open_reviews", "--team", "glance", "--days", "5", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    page = client.get(url(repo, "?days=5")).context["report"].as_json()
    assert (data["total"], data["waiting_on_submitter"], data["waiting_on_reviewer"]) == (5, 1, 4)
    for key in ("total", "waiting_on_submitter", "waiting_on_reviewer", "merge_conflicts"):
        assert data[key] == page[key]
    # The clocks agree to the rounding (the two reports are seconds apart).
    for key, clock in data["clocks"].items():
        assert clock["over_days"] == page["clocks"][key]["over_days"]
        assert clock["median_days"] == pytest.approx(page["clocks"][key]["median_days"], abs=0.01)
    # 9 and 20 days, and the conflicted change with no patch set row: its creation 10 days ago
    assert data["clocks"]["current"]["over_days"] == 3


def test_command_table_and_errors(repo):
    out = StringIO()
    call_command("open_reviews", "--team", "glance", stdout=out)
    assert "waiting on reviewer" in out.getvalue()
    with pytest.raises(CommandError, match="No team named 'nope'"):
        call_command("open_reviews", "--team", "nope")
    with pytest.raises(CommandError, match="--days"):
        call_command("open_reviews", "--team", "glance", "--days", "0")


def test_page_lists_the_changes_waiting_on_a_rebase(client, repo):
    html = client.get(url(repo)).content.decode()
    section = html.split('id="conflicts-heading"')[1]
    assert "Conflicted" in section and "Needs work" not in section
