"""Reviewer activity and core team pages: figures, fragments, downloads, errors, queries."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.core.roles import PTL
from dashboard.governance.models import Cycle
from dashboard.health.models import DeclaredBandwidth
from dashboard.reviews.models import GerritIdentity
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = timezone.now()


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """Page and command share one "now", so their windows (and JSON) are identical."""
    for module in (
        "dashboard.health.activity_views",
        "dashboard.health.management.commands.reviewer_stats",
    ):
        monkeypatch.setattr(f"{module}.window_now", lambda: NOW)


@pytest.fixture
def team():
    return TeamFactory(name="glance")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def history(team, repo):
    """Four reviewers on two changes; carol is core."""
    people = {
        name: AccountFactory(server=team.server, username=name, name=name.title())
        for name in ("alice", "bob", "carol", "dave", "owner")
    }
    CoreMembershipFactory(team=team, account=people["carol"], joined=NOW - timedelta(days=300))
    first = ChangeFactory(repository=repo, owner=people["owner"])
    second = ChangeFactory(repository=repo, owner=people["alice"])
    at = NOW - timedelta(days=3)
    VoteFactory(change=first, account=people["alice"], value=1, granted=at)
    VoteFactory(change=first, account=people["carol"], value=-2, granted=at + timedelta(hours=1))
    VoteFactory(change=second, account=people["bob"], value=1, granted=at)
    VoteFactory(change=second, account=people["bob"], value=2, patch_set=2, granted=at)
    VoteFactory(change=second, account=people["carol"], value=2, patch_set=2, granted=at)
    VoteFactory(
        change=second, account=people["carol"], label="Workflow", value=1, patch_set=2, granted=at
    )
    VoteFactory(change=second, account=people["dave"], value=-1, granted=NOW - timedelta(days=60))
    return people


def url(name, team, **params):
    from urllib.parse import urlencode

    base = reverse(f"health:{name}", args=[team.name])
    return base + ("?" + urlencode(params) if params else "")


def test_reviewers_page_shows_each_reviewer_and_totals(client, team, history):
    response = client.get(url("reviewers", team))
    assert response.status_code == 200
    activity = response.context["activity"]
    rows = {row.reviewer: row for row in activity.reviewers}
    assert set(rows) == {"alice", "bob", "carol"}  # dave's vote is 60 days old
    assert (rows["alice"].plus1, rows["alice"].disagreements, rows["alice"].received) == (1, 1, 3)
    assert (rows["carol"].reviews, rows["carol"].approvals, rows["carol"].core) == (2, 1, True)
    assert activity.totals.reviews == 5
    body = response.content.decode()
    assert "Copied votes" in body and "<h1>Reviewer activity" in body
    assert 'id="results"' in body


def test_htmx_request_gets_only_the_results_fragment(client, team, history):
    response = client.get(url("reviewers", team, sort="reviewer"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "<h1>" not in body
    assert body.index("alice") < body.index("bob") < body.index("carol")
    assert "HX-Request" in response["Vary"]


def test_sort_links_keep_the_window_and_reverse_on_second_click(client, team, history):
    response = client.get(url("reviewers", team, days=90, sort="-reviews"))
    columns = {column["key"]: column for column in response.context["columns"]}
    assert columns["reviews"]["sort"] == "reviews"
    assert columns["reviews"]["aria"] == "descending"
    assert columns["received"]["sort"] == "-received"
    assert "days=90&amp;sort=-received" in response.content.decode()


def test_reviewers_page_query_count_does_not_depend_on_rows(
    client, team, history, django_assert_num_queries
):
    # team, repositories, cycles, reviewer rows, patch sets, changes created, merged or
    # abandoned, left WIP, core size; session none.
    with django_assert_num_queries(9):
        response = client.get(url("reviewers", team, days=90))
    assert len(response.context["activity"].reviewers) == 4


def test_repository_filter_by_name(client, team, repo, history):
    other = RepositoryFactory(team=team, name="openstack/glance_store")
    change = ChangeFactory(repository=other, owner=history["owner"])
    VoteFactory(change=change, account=history["dave"], value=1, granted=NOW - timedelta(days=1))
    response = client.get(url("reviewers", team, repo="openstack/glance_store"))
    assert [row.reviewer for row in response.context["activity"].reviewers] == ["dave"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"days": "abc"}, "days must be a whole number"),
        ({"days": "0"}, "days must be between 1 and 3650"),
        ({"cycle": "zebra"}, "There is no cycle called"),
        ({"start": "2017-02-30", "end": "2017-03-01"}, "must look like 2017-02-27"),
        ({"start": "2017-03-01", "end": "2017-02-01"}, "is after the end date"),
        ({"start": "2017-03-01"}, "Give both a start and an end date"),
        ({"days": "30", "cycle": "ocata"}, "Ask for one window"),
        ({"repo": "openstack/nova"}, "has no repository"),
    ],
)
def test_bad_window_or_repository_gets_a_message_not_a_500(client, team, history, params, message):
    response = client.get(url("reviewers", team, **params))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["activity"] is None
    download = client.get(url("reviewers-json", team, **params))
    assert download.status_code == 400
    assert message in download.json()["error"]
    assert message in client.get(url("reviewers-csv", team, **params)).content.decode()


def test_cycle_window_uses_the_cycle_dates(client, team, repo, history):
    today = NOW.date()
    Cycle.objects.create(
        name="ocata", start=today - timedelta(days=70), end=today - timedelta(days=50)
    )
    response = client.get(url("reviewers", team, cycle="ocata"))
    assert response.status_code == 200
    assert [row.reviewer for row in response.context["activity"].reviewers] == ["dave"]


def test_unknown_team_is_404(client, db):
    assert client.get("/teams/nope/reviewers/").status_code == 404


def test_csv_download_has_the_page_figures(client, team, history):
    response = client.get(url("reviewers-csv", team, sort="reviewer"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["reviewer", "name", "reviews", "-2"]
    assert rows[1] == [
        "alice",
        "Alice",
        "1",
        "0",
        "0",
        "1",
        "0",
        "0",
        "100.0",
        "1",
        "100.0",
        "3",
        "no",
    ]
    assert [row[0] for row in rows[1:]] == ["alice", "bob", "carol"]


def test_json_download_shape(client, team, history):
    data = client.get(url("reviewers-json", team)).json()
    assert set(data) == {"team", "repository", "window", "totals", "reviewers"}
    carol = next(row for row in data["reviewers"] if row["reviewer"] == "carol")
    assert carol == {
        "reviewer": "carol",
        "reviews": 2,
        "-2": 1,
        "-1": 0,
        "+1": 0,
        "+2": 1,
        "+A": 1,
        "disagreements": 0,
        "received": 0,
        "core": True,
    }
    assert data["totals"]["reviews"] == 5


def test_command_json_equals_page_json(client, team, history):
    page = client.get(url("reviewers-json", team, days=90)).json()
    out = io.StringIO()
    call_command(
        "reviewer_stats", "--team", "glance", "--days", "90", "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue()) == page


def test_command_table_and_csv(team, history):
    out = io.StringIO()
    call_command("reviewer_stats", "--team", "glance", stdout=out)
    text = out.getvalue()
    assert "Total reviews: 5" in text and "Core team size: 1" in text
    assert text.splitlines()[2].split()[:3] == ["bob", "2", "0"]
    out = io.StringIO()
    call_command("reviewer_stats", "--team", "glance", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("reviewer,reviews,-2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "nova"], "No team called 'nova'"),
        (["--team", "glance", "--days", "0"], "days must be between"),
        (["--team", "glance", "--repo", "x/y"], "has no repository 'x/y'"),
    ],
)
def test_command_bad_input_is_a_command_error(team, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("reviewer_stats", *args, stdout=io.StringIO())


# The core team page.


@pytest.fixture
def cores(team, repo):
    owner = AccountFactory(server=team.server, username="owner")
    names = ("ann", "ben", "cat")
    people = {name: AccountFactory(server=team.server, username=name) for name in names}
    for account in people.values():
        CoreMembershipFactory(team=team, account=account, joined=NOW - timedelta(days=400))
    change = ChangeFactory(repository=repo, owner=owner)
    # ann: 6 reviews in the last 30 days; ben: one 60 days ago, one 100 days ago; cat: 200.
    for ps in range(1, 7):
        VoteFactory(
            change=change, account=people["ann"], patch_set=ps, granted=NOW - timedelta(days=ps)
        )
    VoteFactory(change=change, account=people["ben"], granted=NOW - timedelta(days=60))
    VoteFactory(
        change=change, account=people["ben"], patch_set=2, granted=NOW - timedelta(days=100)
    )
    VoteFactory(change=change, account=people["cat"], granted=NOW - timedelta(days=200))
    return people


def test_core_team_counts_reviews_per_period_and_classifies(client, team, cores):
    from dashboard.health.bandwidth import set_activity_thresholds

    set_activity_thresholds(team=team, active_reviews=5, occasional_reviews=1)
    response = client.get(url("core-team", team))
    members = {m.account.username: m for m in response.context["roster"].members}
    assert (members["ann"].reviews_30, members["ann"].reviews_90, members["ann"].reviews_180) == (
        6,
        6,
        6,
    )
    assert (members["ben"].reviews_30, members["ben"].reviews_90, members["ben"].reviews_180) == (
        0,
        1,
        2,
    )
    assert members["cat"].reviews_180 == 0
    assert members["cat"].last_review.date() == (NOW - timedelta(days=200)).date()
    assert [members[n].activity for n in ("ann", "ben", "cat")] == [
        "active",
        "occasional",
        "inactive",
    ]
    assert [m.account.username for m in response.context["roster"].silent] == ["cat"]
    body = response.content.decode()
    assert "No review in the last 90 days:</strong>" in body and "no review in 90 days" in body


def test_core_team_default_thresholds_make_a_handful_occasional(client, team, cores):
    members = {
        m.account.username: m for m in client.get(url("core-team", team)).context["roster"].members
    }
    assert members["ann"].activity == "occasional"  # 6 reviews: below 30, at least 5
    assert members["ben"].activity == "inactive"


def test_core_team_shows_current_affiliation_and_bandwidth(client, team, cores):
    from dashboard.health.models import Affiliation, Organisation

    red, blue = Organisation.objects.create(name="Red"), Organisation.objects.create(name="Blue")
    today = NOW.date()
    Affiliation.objects.create(account=cores["ann"], organisation=red, end=today)
    Affiliation.objects.create(account=cores["ann"], organisation=blue, start=today)
    Affiliation.objects.create(account=cores["ben"], organisation=None, start=date(2015, 1, 1))
    DeclaredBandwidth.objects.create(
        team=team, account=cores["ann"], hours_per_week=5, set_at=NOW - timedelta(days=9)
    )
    DeclaredBandwidth.objects.create(
        team=team, account=cores["ann"], stepping_down=True, set_at=NOW - timedelta(days=1)
    )
    response = client.get(url("core-team", team))
    members = {m.account.username: m for m in response.context["roster"].members}
    assert members["ann"].organisation == "Blue"
    assert (members["ben"].organisation, members["ben"].affiliated) == (None, True)
    assert members["cat"].affiliated is False
    assert members["ann"].bandwidth.stepping_down is True
    assert "stepping down" in response.content.decode()


def test_core_team_query_count_is_fixed(client, team, cores, django_assert_num_queries):
    # team, memberships (with last reviews), thresholds, review counts, affiliations, bandwidths.
    with django_assert_num_queries(6):
        client.get(url("core-team", team))


def test_core_team_empty_state(client, team):
    response = client.get(url("core-team", team))
    assert "No core members known" in response.content.decode()


# Declaring bandwidth.


def bandwidth_url(team, account):
    return reverse("health:declare-bandwidth", args=[team.name, account.account_id])


def test_a_core_declares_their_own_bandwidth(client, team, cores):
    user = User.objects.create_user("ann", password="pw")
    GerritIdentity.objects.create(user=user, account=cores["ann"])
    client.force_login(user)
    assert client.get(bandwidth_url(team, cores["ann"])).status_code == 200
    response = client.post(bandwidth_url(team, cores["ann"]), {"hours_per_week": "6"})
    assert response.status_code == 302
    declared = DeclaredBandwidth.objects.get()
    assert (declared.hours_per_week, declared.set_by, declared.account) == (6, user, cores["ann"])
    assert (
        client.post(bandwidth_url(team, cores["ben"]), {"hours_per_week": "6"}).status_code == 403
    )


def test_the_ptl_declares_anyones_bandwidth_and_stepping_down_drops_hours(client, team, cores):
    user = User.objects.create_user("lead", password="pw")
    user.groups.add(Group.objects.get_or_create(name=PTL)[0])
    client.force_login(user)
    page = client.get(url("core-team", team)).content.decode()
    assert page.count("Declare<span") == 3
    client.post(bandwidth_url(team, cores["ben"]), {"hours_per_week": "9", "stepping_down": "on"})
    declared = DeclaredBandwidth.objects.get()
    assert (declared.stepping_down, declared.hours_per_week) == (True, None)


def test_bandwidth_form_errors_and_anonymous_visitors(client, team, cores):
    assert client.get(bandwidth_url(team, cores["ann"])).status_code == 302  # to the login
    user = User.objects.create_user("lead", password="pw")
    user.groups.add(Group.objects.get_or_create(name=PTL)[0])
    client.force_login(user)
    response = client.post(bandwidth_url(team, cores["ann"]), {"hours_per_week": ""})
    assert response.status_code == 400
    assert "Give hours per week, or tick stepping down." in response.content.decode()
    response = client.post(bandwidth_url(team, cores["ann"]), {"hours_per_week": "-3"})
    assert response.status_code == 400
    assert not DeclaredBandwidth.objects.exists()
    assert client.get(f"/teams/{team.name}/core/999999/bandwidth/").status_code == 404


# Thresholds and the demo's seed.


@pytest.fixture
def ptl_client(client):
    user = User.objects.create_user("lead", password="pw")
    user.groups.add(Group.objects.get_or_create(name=PTL)[0])
    client.force_login(user)
    return client


def test_the_ptl_moves_the_activity_thresholds(ptl_client, team, cores):
    thresholds_url = reverse("health:set-thresholds", args=[team.name])
    response = ptl_client.post(thresholds_url, {"active_reviews": "6", "occasional_reviews": "1"})
    assert response.status_code == 302
    members = {
        m.account.username: m.activity
        for m in ptl_client.get(url("core-team", team)).context["roster"].members
    }
    assert members == {"ann": "active", "ben": "occasional", "cat": "inactive"}


def test_bad_thresholds_are_refused_with_a_message(ptl_client, team, cores):
    from dashboard.health.models import ActivityThresholds

    thresholds_url = reverse("health:set-thresholds", args=[team.name])
    response = ptl_client.post(thresholds_url, {"active_reviews": "3", "occasional_reviews": "3"})
    assert response.status_code == 400
    assert "Active must take more reviews than occasional." in response.content.decode()
    response = ptl_client.post(thresholds_url, {"active_reviews": "x", "occasional_reviews": "0"})
    assert response.status_code == 400
    assert not ActivityThresholds.objects.exists()


def test_only_the_ptl_sets_thresholds(client, team, cores):
    thresholds_url = reverse("health:set-thresholds", args=[team.name])
    data = {"active_reviews": "6", "occasional_reviews": "1"}
    assert client.post(thresholds_url, data).status_code == 302  # to the login page
    client.force_login(User.objects.create_user("someone", password="pw"))
    assert client.post(thresholds_url, data).status_code == 403
    assert "thresholds-heading" not in client.get(url("core-team", team)).content.decode()


def test_demo_seed_declares_a_few_bandwidths_for_current_cores(team, cores):
    from dashboard.health.bandwidth import seed_demo_bandwidths

    assert seed_demo_bandwidths(team=team) == 3
    declared = DeclaredBandwidth.objects.order_by("account__username")
    assert [(d.account.username, d.hours_per_week) for d in declared] == [
        ("ann", 20),
        ("ben", 10),
        ("cat", 4),
    ]


def test_page_warns_when_core_history_starts_inside_the_window(client, team, repo, history):
    assert (
        "Core membership is known only" not in client.get(url("reviewers", team)).content.decode()
    )
    response = client.get(url("reviewers", team, days=365))  # carol joined 300 days ago
    assert "Core membership is known only" in response.content.decode()
    assert response.context["activity"].totals.core_known_since == NOW - timedelta(days=300)
    out = io.StringIO()
    call_command("reviewer_stats", "--team", "glance", "--days", "365", stdout=out)
    assert "Warning: core membership is known only since" in out.getvalue()


def test_bandwidth_is_declared_only_for_current_core_members(ptl_client, team, cores):
    outsider = AccountFactory(server=team.server, username="outsider")
    response = ptl_client.get(bandwidth_url(team, outsider))
    assert response.status_code == 404
