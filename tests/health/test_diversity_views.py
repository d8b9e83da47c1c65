"""The diversity panel and the affiliations page: content, htmx fragments, permissions, queries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.core.roles import PTL, ensure_role_groups
from dashboard.gerrit.models import ChangeStatus
from dashboard.health.models import Affiliation, AffiliationSource
from dashboard.reviews.models import GerritIdentity
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)
from tests.health.factories import AffiliationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo():
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


@pytest.fixture
def history(repo):
    """Three organisations and an independent, with merges, reviews and cores, last month."""
    today = timezone.now().date()
    when = datetime.combine(today - timedelta(days=20), datetime.min.time(), tzinfo=UTC)
    people = {}
    for name, org in [
        ("Rhea", "Red Co"),
        ("Ruth", "Red Co"),
        ("Bea", "Blue Co"),
        ("Gus", "Green Co"),
        ("Ivy", None),
    ]:
        account = AccountFactory(server=repo.team.server, name=name, username=name.lower())
        AffiliationFactory(
            account=account, organisation=OrganisationFactory(name=org) if org else None
        )
        CoreMembershipFactory(team=repo.team, account=account, joined=when - timedelta(days=400))
        people[name] = account
    for n, owner in enumerate(["Rhea", "Rhea", "Bea", "Gus"]):
        change = ChangeFactory(
            repository=repo,
            owner=people[owner],
            status=ChangeStatus.MERGED,
            closed=when + timedelta(hours=n),
        )
        for reviewer in ["Ruth", "Bea", "Ivy"]:
            if reviewer != owner:
                VoteFactory(
                    change=change, account=people[reviewer], granted=when + timedelta(hours=n)
                )
    return people


def test_diversity_page_shows_each_measure_with_its_organisations(client, repo, history):
    response = client.get(reverse("health:diversity", args=["glance"]))

    assert response.status_code == 200
    body = response.content.decode()
    # Merged: Red 2 of 4 (50%), Blue 1, Green 1.
    assert "Top organisation: Red Co, 50% of merged changes (2 of 4)" in body
    # Reviews: Ruth (Red) 4, Bea (Blue) 3, Ivy 4 -> Red Co and Ivy tie at 4 of 11 (36%).
    assert "Ivy (independent), 36% of reviews (4 of 11)" in body
    assert "Active core seats" in body and "single vendor 90%" in body
    # Each measure says, beside its figure, how it differs from Stackalytics or the tag.
    assert body.count('class="diversity-note"') == 4
    assert "Bots and self-reviews are left out" in body
    assert "core status is taken as of the vote's time" in body
    assert "copied forward to a new patch set" in body
    assert 'class="badge' not in body  # context, not a pass/fail badge
    assert 'id="diversity-panel"' in body and "<html" in body


def test_diversity_page_matches_the_diversity_command(client, repo, history):
    out = StringIO()
    call_command("diversity", "--team", "glance", stdout=out)
    figures = json.loads(out.getvalue())

    body = client.get(reverse("health:diversity", args=["glance"])).content.decode()

    for key, measure in figures["current"]["measures"].items():
        top = measure["organisations"][0]
        assert f"{top['name']}, {round(100 * top['share'])}%" in body, key
        assert f"({top['count']} of {measure['total']})" in body, key


def test_diversity_htmx_request_gets_only_the_panel(client, repo, history):
    response = client.get(
        reverse("health:diversity", args=["glance"]),
        {"at": date.today().isoformat()},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="diversity-panel"')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_diversity_bad_date_gets_a_message_not_an_error(client, repo, history):
    response = client.get(reverse("health:diversity", args=["glance"]), {"at": "2026-13-45"})

    assert response.status_code == 200
    assert "The date was not understood" in response.content.decode()


def test_diversity_unknown_team_is_404(client):
    assert client.get(reverse("health:diversity", args=["nova"])).status_code == 404


def test_diversity_page_runs_a_fixed_number_of_queries(
    client, repo, history, django_assert_num_queries
):
    # Team, three figure queries; nothing per organisation or per row.
    with django_assert_num_queries(4):
        client.get(reverse("health:diversity", args=["glance"]))


def test_affiliations_page_lists_the_teams_people_with_their_stretches(client, repo, history):
    AccountFactory(server=repo.team.server, name="Outsider")  # no change or vote in the team
    response = client.get(reverse("health:affiliations", args=["glance"]))

    body = response.content.decode()
    assert "Rhea" in body and "Red Co" in body and "Independent" in body
    assert "Outsider" not in body
    assert "Edit</summary>" not in body  # anonymous visitors only read


def test_affiliations_page_filters_and_serves_the_results_fragment(client, repo, history):
    response = client.get(
        reverse("health:affiliations", args=["glance"]),
        {"q": "blue"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "Bea" in body and "Rhea" not in body


def test_affiliations_page_runs_a_fixed_number_of_queries(
    client, repo, history, django_assert_num_queries
):
    # Team, count, page of people, their stretches (prefetched).
    with django_assert_num_queries(4):
        client.get(reverse("health:affiliations", args=["glance"]))


@pytest.fixture
def ptl(client):
    ensure_role_groups()
    user = User.objects.create_user("ptl", password="x")
    user.groups.add(Group.objects.get(name=PTL))
    return user


def test_ptl_adds_a_move_that_ends_the_open_stretch(client, repo, history, ptl):
    client.force_login(ptl)
    rhea = history["Rhea"]
    Affiliation.objects.filter(account=rhea).update(source=AffiliationSource.IMPORT)

    response = client.post(
        reverse("health:affiliation-add", args=["glance", rhea.pk]),
        {"organisation": "Blue Co", "start": "2026-02-01", "end": ""},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="person-{rhea.pk}"')
    rows = list(Affiliation.objects.filter(account=rhea).order_by("pk"))
    assert [(r.organisation.name, r.start, r.end) for r in rows] == [
        ("Red Co", None, date(2026, 2, 1)),
        ("Blue Co", date(2026, 2, 1), None),
    ]
    assert rows[1].edited_by == ptl and rows[1].source == AffiliationSource.EDIT
    # The stretch the move ended was edited too: a later import keeps it.
    assert rows[0].edited_by == ptl and rows[0].source == AffiliationSource.EDIT


def test_a_person_edits_their_own_affiliation(client, repo, history):
    user = User.objects.create_user("bea")
    GerritIdentity.objects.create(user=user, account=history["Bea"])
    client.force_login(user)
    stretch = Affiliation.objects.get(account=history["Bea"])

    response = client.post(
        reverse("health:affiliation-change", args=["glance", stretch.pk]),
        {"organisation": "", "start": "", "end": "", "action": "save"},
    )

    assert response.status_code == 302
    stretch.refresh_from_db()
    assert stretch.organisation is None  # empty means independent


def test_others_cannot_edit_someone_elses_affiliation(client, repo, history):
    user = User.objects.create_user("bea")
    GerritIdentity.objects.create(user=user, account=history["Bea"])
    client.force_login(user)
    rhea = history["Rhea"]
    stretch = Affiliation.objects.get(account=rhea)

    add = client.post(
        reverse("health:affiliation-add", args=["glance", rhea.pk]),
        {"organisation": "Blue Co", "start": "2026-02-01"},
    )
    remove = client.post(
        reverse("health:affiliation-change", args=["glance", stretch.pk]), {"action": "remove"}
    )

    assert add.status_code == 403 and remove.status_code == 403
    assert Affiliation.objects.filter(account=rhea).count() == 1


def test_anonymous_edits_are_refused(client, repo, history):
    rhea = history["Rhea"]
    response = client.post(
        reverse("health:affiliation-add", args=["glance", rhea.pk]), {"organisation": "X"}
    )
    assert response.status_code == 403


def test_an_overlapping_stretch_is_refused_with_the_reason_in_the_row(client, repo, history, ptl):
    client.force_login(ptl)
    rhea = history["Rhea"]
    Affiliation.objects.filter(account=rhea).update(start=date(2025, 1, 1), end=date(2026, 1, 1))

    response = client.post(
        reverse("health:affiliation-add", args=["glance", rhea.pk]),
        {"organisation": "Blue Co", "start": "2025-06-01", "end": "2025-09-01"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert "already has Red Co from 2025-01-01 to 2026-01-01" in body
    assert Affiliation.objects.filter(account=rhea).count() == 1


def test_a_bad_date_is_reported_in_the_row(client, repo, history, ptl):
    client.force_login(ptl)
    rhea = history["Rhea"]

    response = client.post(
        reverse("health:affiliation-add", args=["glance", rhea.pk]),
        {"organisation": "Blue Co", "start": "soon"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert Affiliation.objects.filter(account=rhea).count() == 1


def test_a_person_sees_edit_forms_only_on_their_own_row(client, repo, history):
    user = User.objects.create_user("bea")
    GerritIdentity.objects.create(user=user, account=history["Bea"])
    client.force_login(user)

    body = client.get(reverse("health:affiliations", args=["glance"])).content.decode()

    rows = body.split('<tr id="person-')[1:]
    editable = [row.split('"', 1)[0] for row in rows if "Add a stretch" in row]
    assert editable == [str(history["Bea"].pk)]


def test_diversity_page_of_a_team_without_history_says_so(client, repo):
    body = client.get(reverse("health:diversity", args=["glance"])).content.decode()

    assert "No merged changes in this window." in body
    assert "No active core seats in this window." in body
    assert "No data to draw yet." in body
