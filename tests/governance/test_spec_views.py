"""The specs pages: filters, htmx fragment, the spec page, untargeted, turnaround, queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.gerrit.models import ChangeStatus, Team
from dashboard.governance.models import SpecKind, SpecState
from tests.gerrit.factories import (
    ChangeFactory,
    ChangeFileFactory,
    RepositoryFactory,
    TeamFactory,
)
from tests.governance.spec_factories import (
    CycleFactory,
    SpecFactory,
    SpecFreezeFactory,
    SpecStateChangeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    team = TeamFactory(name="glance")
    pike, queens = CycleFactory(name="pike"), CycleFactory(name="queens")
    SpecFactory(team=team, slug="multihash", title="Multihash", cycle=queens, authors=["rosmaita"])
    SpecFactory(team=team, slug="hidden-images", title="Hidden images", cycle=pike)
    SpecFactory(
        team=team,
        slug="cache-api",
        title="Cache API",
        cycle=pike,
        kind=SpecKind.LITE,
        deliverable="python-glanceclient",
    )
    SpecFactory(
        team=team, slug="quota", title="Quota enforcement", cycle=None, state=SpecState.UNTARGETED
    )
    SpecFactory(
        team=team,
        slug="late",
        title="Late proposal",
        cycle=pike,
        state=SpecState.PROPOSED,
        proposed_on=date(2017, 6, 20),
    )
    SpecFreezeFactory(cycle=pike, end=date(2017, 6, 9))
    SpecFactory(team=TeamFactory(name="nova"), slug="other", title="Nova multihash")
    return team


def _titles(response: Any) -> list[str]:
    return [spec.title for spec in response.context["page_obj"]]


def test_spec_list_shows_newest_cycle_first_and_only_the_team(
    client: Client, team: Team, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(5):  # team, cycles, deliverables, count, page
        response = client.get(reverse("governance:specs", args=["glance"]))

    assert response.status_code == 200
    assert _titles(response) == [
        "Multihash",
        "Cache API",
        "Hidden images",
        "Late proposal",
        "Quota enforcement",
    ]
    assert b"Nova multihash" not in response.content
    assert b'id="id_q"' in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=multi", ["Multihash"]),
        ("q=ROSMAITA", ["Multihash"]),
        ("q=api+cache", ["Cache API"]),
        ("cycle=pike", ["Cache API", "Hidden images", "Late proposal"]),
        ("cycle=none", ["Quota enforcement"]),
        ("state=untargeted", ["Quota enforcement"]),
        ("kind=lite", ["Cache API"]),
        ("deliverable=python-glanceclient", ["Cache API"]),
        ("cycle=pike&state=approved&kind=spec", ["Hidden images"]),
    ],
)
def test_spec_list_filters(client: Client, team: Team, query: str, expected: list[str]) -> None:
    response = client.get(reverse("governance:specs", args=["glance"]) + "?" + query)
    assert _titles(response) == expected


def test_unknown_filter_values_are_reported_and_ignored(client: Client, team: Team) -> None:
    response = client.get(reverse("governance:specs", args=["glance"]) + "?cycle=bogus&state=x")

    assert response.status_code == 200
    assert len(_titles(response)) == 5
    assert b"Some filters were not understood" in response.content


def test_htmx_request_gets_only_the_results_fragment(
    client: Client, team: Team, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(5):
        response = client.get(
            reverse("governance:specs", args=["glance"]) + "?q=hidden", HTTP_HX_REQUEST="true"
        )

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "Hidden images" in body and "Multihash" not in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_spec_proposed_after_the_freeze_is_flagged(client: Client, team: Team) -> None:
    response = client.get(reverse("governance:specs", args=["glance"]) + "?state=proposed")
    assert b"after freeze" in response.content
    other = client.get(reverse("governance:specs", args=["glance"]) + "?state=approved")
    assert b"after freeze" not in other.content


def test_empty_team_explains_how_to_import(client: Client) -> None:
    TeamFactory(name="empty")
    response = client.get(reverse("governance:specs", args=["empty"]))
    assert b"No specs imported for this team yet" in response.content


def test_spec_list_pages_by_fifty(
    client: Client, team: Team, django_assert_num_queries: Any
) -> None:
    pike = CycleFactory(name="pike")
    for number in range(60):
        SpecFactory(team=team, slug=f"bulk-{number:02}", title=f"Bulk {number:02}", cycle=pike)
    url = reverse("governance:specs", args=["glance"])

    with django_assert_num_queries(5):
        second = client.get(url + "?page=2")

    assert len(second.context["page_obj"]) == 65 - 50
    assert b'rel="prev"' in second.content


def test_spec_page_shows_history_implementation_and_text(
    client: Client, team: Team, django_assert_num_queries: Any
) -> None:
    spec = team.specs.get(slug="multihash")
    spec.blueprint_url = "https://blueprints.launchpad.net/glance/+spec/multiple-hashes"
    spec.save()
    SpecStateChangeFactory(spec=spec, state=SpecState.PROPOSED, date=date(2017, 3, 2))
    SpecStateChangeFactory(spec=spec, state=SpecState.APPROVED, date=date(2017, 4, 11))
    code = RepositoryFactory(team=team, name="openstack/glance")
    ChangeFactory(
        repository=code, topic="bp/multihash", status=ChangeStatus.MERGED, subject="Hash A"
    )
    ChangeFactory(repository=code, topic="bp/multiple-hashes", subject="Hash B")
    ChangeFactory(repository=code, topic="bp/other", subject="Unrelated")
    specs_repo = RepositoryFactory(team=team, name="openstack/glance-specs")
    for subject in ("Propose multihash", "Fix typo in multihash"):
        review = ChangeFactory(repository=specs_repo, subject=subject, topic="bp/multihash")
        ChangeFileFactory(change=review, path=spec.path)
        ChangeFileFactory(change=review, path="specs/index.rst")
    other = ChangeFactory(repository=specs_repo, subject="Another spec")
    ChangeFileFactory(change=other, path="specs/queens/approved/glance/other.rst")
    url = reverse("governance:spec", args=["glance", "glance", "multihash"])

    with django_assert_num_queries(5):  # team, spec, history, implementation, reviews
        response = client.get(url)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<p>Text of Multihash.</p>" in body
    assert body.index("2017-03-02") < body.index("2017-04-11")
    assert "Hash A" in body and "Hash B" in body and "Unrelated" not in body
    assert "1 of 2 merged" in body
    assert "Propose multihash" in body and "Fix typo in multihash" in body
    assert "Another spec" not in body


def test_spec_page_flags_a_proposal_after_the_freeze(client: Client, team: Team) -> None:
    response = client.get(reverse("governance:spec", args=["glance", "glance", "late"]))
    assert b"Proposed after the spec freeze (2017-06-08)" in response.content


def test_unknown_spec_is_404(client: Client, team: Team) -> None:
    response = client.get(reverse("governance:spec", args=["glance", "glance", "nope"]))
    assert response.status_code == 404


def test_untargeted_page_lists_waiting_specs_and_work_started(
    client: Client, team: Team, django_assert_num_queries: Any
) -> None:
    SpecFactory(team=team, slug="idle", title="Idle idea", cycle=None, state=SpecState.UNTARGETED)
    code = RepositoryFactory(team=team, name="openstack/glance")
    ChangeFactory(repository=code, topic="bp/quota")
    ChangeFactory(repository=code, topic="bp/quota", status=ChangeStatus.MERGED)
    ChangeFactory(repository=code, topic="bp/quota", status=ChangeStatus.MERGED)

    with django_assert_num_queries(2):
        response = client.get(reverse("governance:specs-untargeted", args=["glance"]))

    specs = {spec.title: spec for spec in response.context["specs"]}
    assert list(specs) == ["Idle idea", "Quota enforcement"]
    assert (specs["Quota enforcement"].open_changes, specs["Quota enforcement"].merged_changes) == (
        1,
        2,
    )
    assert b"nobody has started" in response.content


def test_turnaround_per_cycle_averages_days_from_proposal_to_approval(
    client: Client, team: Team, django_assert_num_queries: Any
) -> None:
    pike = CycleFactory(name="pike")
    SpecFactory(team=team, cycle=pike, proposed_on=date(2017, 3, 1), turnaround_days=10)
    SpecFactory(team=team, cycle=pike, proposed_on=date(2017, 6, 12), turnaround_days=30)

    with django_assert_num_queries(2):
        response = client.get(reverse("governance:specs-turnaround", args=["glance"]))

    rows = {row.cycle: row for row in response.context["rows"]}
    assert list(rows) == ["queens", "pike"]
    pike_row = rows["pike"]
    # pike: hidden-images, cache-api, late + the two measured here; late and the 06-12 one
    # were proposed after the 06-09 freeze.
    assert (pike_row.specs, pike_row.measured, pike_row.average_days) == (5, 2, 20.0)
    assert (pike_row.fastest_days, pike_row.slowest_days, pike_row.after_freeze) == (10, 30, 2)
    assert (rows["queens"].specs, rows["queens"].measured) == (1, 0)


def test_team_freeze_overrides_the_cross_project_one(client: Client, team: Team) -> None:
    pike = CycleFactory(name="pike")
    SpecFreezeFactory(cycle=pike, team=team, end=date(2017, 6, 30), due=date(2017, 6, 29))
    response = client.get(reverse("governance:specs", args=["glance"]) + "?state=proposed")
    assert b"after freeze" not in response.content
