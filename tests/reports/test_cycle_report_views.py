"""The cycle report page: who may edit, the htmx fragment, conflicts, downloads, bounded
queries, and cycles without a report."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.core.roles import CORE, PTL
from dashboard.governance.models import Cycle, PriorityStatus, SpecState
from dashboard.reports.models import ReportNarrative, ReportNarrativeVersion
from dashboard.reports.narratives import save_narrative
from tests.gerrit.factories import VoteFactory
from tests.governance.priority_factories import (
    FFEFactory,
    PriorityFactory,
    SpecFactory,
    user_with_role,
)
from tests.reports.report_data import ReportData, at, build_report_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> ReportData:
    return build_report_data()


def page_url(data: ReportData) -> str:
    return reverse("reports:cycle-report", args=[data.team.name, data.cycle.name])


def save_url(data: ReportData) -> str:
    return reverse("reports:cycle-report-narrative", args=[data.team.name, data.cycle.name])


def download_url(data: ReportData, fmt: str) -> str:
    return reverse("reports:cycle-report-download", args=[data.team.name, data.cycle.name, fmt])


def sign_in(client: Client, role: str | None, username: str = "petra", **extra: Any) -> None:
    client.force_login(user_with_role(username, role, **extra))


def post(data: ReportData, version: int, highlights: str = "Image import landed") -> dict:
    return {"highlights": highlights, "problems": "", "advice": "", "version": version}


def test_page_shows_every_section_to_anonymous_readers(client: Client, data: ReportData) -> None:
    response = client.get(page_url(data))
    assert response.status_code == 200
    text = response.content.decode()
    for heading in (
        "Completed features",
        "Priorities",
        "Specs",
        "Feature-freeze exceptions",
        "Core team",
        "Reviewer activity",
        "Backlog",
        "Review days",
        "Diversity",
        "How the figures are made",
    ):
        assert f">{heading}</h2>" in text
    assert "Image import" in text
    assert "for a spec or change that no longer exists" in text
    assert "Save draft" not in text  # no form for readers
    assert 'aria-current="page">Report</a>' in text


def test_page_queries_are_bounded(
    client: Client, data: ReportData, django_assert_num_queries: Any
) -> None:
    sign_in(client, PTL)
    client.get(page_url(data))  # warm the session and the role lookup paths
    # session, user, two role checks; team, cycle; reviewer activity 6, daily reviews,
    # FFEs, specs, narrative, PTLs, priorities, core stretches, snapshots, one rebuilt
    # backlog day, abandons, events, diversity 2 (its affiliation lookup needs none here)
    with django_assert_num_queries(25):
        assert client.get(page_url(data)).status_code == 200
    save_narrative(
        team=data.team,
        cycle=data.cycle,
        actor=None,
        expected_version=0,
        highlights="x",
        problems="",
        advice="",
    )
    with django_assert_num_queries(26):  # and the saved versions
        assert client.get(page_url(data)).status_code == 200
    # More of everything costs no more queries.
    for n in range(5):
        SpecFactory(team=data.team, state=SpecState.IMPLEMENTED, cycle=data.cycle)
        FFEFactory(team=data.team, cycle=data.cycle, title=f"More {n}")
        PriorityFactory(team=data.team, cycle=data.cycle, status=PriorityStatus.DONE)
        VoteFactory(
            change=data.changes["frank"],
            account=data.people["Dave"],
            patch_set=n + 1,
            granted=at(3, 8 + n),
        )
    with django_assert_num_queries(26):
        assert client.get(page_url(data)).status_code == 200


def test_htmx_gets_the_narrative_fragment_only(client: Client, data: ReportData) -> None:
    response = client.get(page_url(data), headers={"HX-Request": "true"})
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="narrative"')
    assert "Completed features" not in text
    assert "HX-Request" in response["Vary"]


def test_ptl_saves_a_draft_and_sees_who_and_when(client: Client, data: ReportData) -> None:
    sign_in(client, PTL, first_name="Petra", last_name="Ptl")
    response = client.post(save_url(data), post(data, 0), headers={"HX-Request": "true"})
    assert response.status_code == 200
    narrative = ReportNarrative.objects.get()
    assert (narrative.version, narrative.highlights) == (1, "Image import landed")
    assert f"Saved at {narrative.saved_at:%H:%M} by Petra Ptl." in response.content.decode()
    version = ReportNarrativeVersion.objects.get()
    assert (version.version, version.saved_by_name) == (1, "Petra Ptl")


def test_save_without_htmx_redirects_to_the_page(client: Client, data: ReportData) -> None:
    sign_in(client, PTL)
    response = client.post(save_url(data), post(data, 0))
    assert response.status_code == 302
    assert response["Location"] == page_url(data)


def test_stale_save_is_refused_with_the_newer_text_and_mine_kept(
    client: Client, data: ReportData
) -> None:
    save_narrative(
        team=data.team,
        cycle=data.cycle,
        actor=None,
        actor_name="Other PTL",
        expected_version=0,
        highlights="Their newer words",
        problems="",
        advice="",
    )
    sign_in(client, PTL)
    response = client.post(
        save_url(data), post(data, 0, "My unsaved words"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Their newer words" in text
    assert "My unsaved words" in text  # still in the form, nothing lost
    assert 'name="version" value="1"' in text
    assert ReportNarrative.objects.get().highlights == "Their newer words"
    assert ReportNarrativeVersion.objects.count() == 1


def test_core_reviewer_may_not_edit(client: Client, data: ReportData) -> None:
    sign_in(client, CORE, username="cora")
    assert client.post(save_url(data), post(data, 0)).status_code == 403
    assert not ReportNarrative.objects.exists()


def test_anonymous_save_goes_to_the_login_page(client: Client, data: ReportData) -> None:
    response = client.post(save_url(data), post(data, 0))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bad_form_is_a_400_not_a_500(client: Client, data: ReportData) -> None:
    sign_in(client, PTL)
    response = client.post(save_url(data), {"highlights": "x", "version": "nope"})
    assert response.status_code == 400
    assert not ReportNarrative.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "content_type", "first_line"),
    [
        ("md", "text/markdown", "# Glance: Pike cycle report"),
        ("rst", "text/x-rst", "=" * len("Glance: Pike cycle report")),
        ("txt", "text/plain", "Glance: Pike cycle report"),
    ],
)
def test_downloads_in_three_formats(
    client: Client, data: ReportData, fmt: str, content_type: str, first_line: str
) -> None:
    response = client.get(download_url(data, fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="glance-pike-cycle-report.{fmt}"'
    )
    text = response.content.decode()
    assert text.splitlines()[0] == first_line
    assert "http://testserver/teams/glance/specs/glance/" in text  # links made absolute


def test_unknown_format_is_a_404(client: Client, data: ReportData) -> None:
    assert client.get(download_url(data, "pdf")).status_code == 404


def test_cycle_without_dates_shows_a_message(client: Client, data: ReportData) -> None:
    Cycle.objects.create(name="rocky")
    response = client.get(reverse("reports:cycle-report", args=[data.team.name, "rocky"]))
    assert response.status_code == 200
    assert "No report for this cycle yet" in response.content.decode()
    download = reverse("reports:cycle-report-download", args=[data.team.name, "rocky", "md"])
    assert client.get(download).status_code == 404


def test_unknown_cycle_or_team_is_a_404(client: Client, data: ReportData) -> None:
    assert client.get(reverse("reports:cycle-report", args=["glance", "nope"])).status_code == 404
    assert client.get(reverse("reports:cycle-report", args=["nope", "pike"])).status_code == 404


def test_nav_report_link_opens_the_latest_ended_cycle(client: Client, data: ReportData) -> None:
    response = client.get(reverse("reports:report-default", args=[data.team.name]))
    assert response.status_code == 302
    # Queens (ended 2017-09-04) is the latest cycle that has ended.
    assert response["Location"] == reverse("reports:cycle-report", args=["glance", "queens"])


def test_cycle_page_links_to_its_report(client: Client, data: ReportData) -> None:
    response = client.get(reverse("governance:cycle", args=[data.team.name, data.cycle.name]))
    assert page_url(data) in response.content.decode()


def test_saved_versions_are_listed_with_their_text(client: Client, data: ReportData) -> None:
    for version, words in enumerate(("First draft words", "Second draft words")):
        save_narrative(
            team=data.team,
            cycle=data.cycle,
            actor=None,
            actor_name="Petra",
            expected_version=version,
            highlights=words,
            problems="",
            advice="",
        )
    text = client.get(page_url(data)).content.decode()
    assert "Saved versions (2)" in text
    assert "First draft words" in text  # the older version's text is still readable
    assert text.index("Version 2:") < text.index("Version 1:")
