"""The focus rules page: who may do what, the summary fragment, conflicts, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.core.roles import CORE, PTL
from dashboard.gerrit.models import ChangeStatus
from dashboard.reports.focus_services import create_rule
from dashboard.reports.models import DEFAULT_EXCEPTIONS, FocusRule
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory
from tests.governance.priority_factories import CycleFactory, PriorityFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="glance")


@pytest.fixture
def cycle():
    today = timezone.localdate()
    return CycleFactory(
        name="current", start=today - timedelta(days=60), end=today + timedelta(days=60)
    )


@pytest.fixture
def priority(team, cycle):
    return PriorityFactory(team=team, cycle=cycle, title="Image import", change_numbers=[101])


@pytest.fixture
def rule(team, cycle, priority):
    return create_rule(
        team=team,
        cycle=cycle,
        statement="Nothing else merges until image import lands",
        since=timezone.localdate() - timedelta(days=10),
        priority=priority,
        exceptions=DEFAULT_EXCEPTIONS,
        actor=None,
    )


def merged(team, number, **fields):
    repo = RepositoryFactory(team=team)
    closed = datetime.now(UTC) - timedelta(days=2)
    return ChangeFactory(
        repository=repo, number=number, status=ChangeStatus.MERGED, closed=closed, **fields
    )


def url(name, *args):
    return reverse(f"reports:{name}", args=["glance", *args])


def signed_in(client, role):
    user = user_with_role((role or "nobody").lower(), role)
    client.force_login(user)
    return user


def test_page_shows_a_broken_rule_with_links_to_the_changes(client, team, rule):
    merged(team, 101)
    merged(team, 555, subject="Add a config option")
    response = client.get(url("focus"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "broken by 1 change" in html and "Add a config option" in html
    assert reverse("gerrit:change", args=["glance", 555]) in html
    assert team.server.change_url(555) in html
    assert "1 priority items" in html
    assert "Declare a rule" not in html and "Lift today" not in html  # anonymous


def test_holding_rule_says_since_when(client, team, rule):
    merged(team, 101)
    html = client.get(url("focus")).content.decode()
    assert f"holds since {rule.since:%Y-%m-%d}" in html


def test_htmx_gets_the_summary_only_in_bounded_queries(
    client, team, rule, django_assert_max_num_queries
):
    for n in range(20):
        merged(team, 600 + n)
    with django_assert_max_num_queries(8):
        response = client.get(url("focus"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="focus-summary"')
    assert "broken by 20 changes" in html and "<h1>" not in html


def test_a_deleted_priority_is_shown_as_such(client, team, rule, priority):
    priority.delete()
    html = client.get(url("focus")).content.decode()
    assert "“Image import”" in html and "priority deleted" in html


def test_a_stored_query_that_no_longer_parses_shows_its_message(client, team, rule):
    FocusRule.objects.filter(pk=rule.pk).update(exceptions="hashtag:(")
    response = client.get(url("focus"))
    assert response.status_code == 200
    assert "The exception query no longer works" in response.content.decode()


def test_only_the_ptl_may_add(client, team, cycle):
    data = {"statement": "Only priorities", "since": "2017-03-02", "exceptions": ""}
    assert client.post(url("focus-add"), data).status_code == 302  # to sign in
    signed_in(client, CORE)
    assert client.post(url("focus-add"), data).status_code == 403
    assert not FocusRule.objects.exists()


def test_ptl_adds_a_rule(client, team, cycle, priority):
    user = signed_in(client, PTL)
    assert "Declare a rule" in client.get(url("focus")).content.decode()
    data = {
        "statement": "Only image import",
        "priority": priority.pk,
        "since": timezone.localdate().isoformat(),
        "exceptions": "hashtag:security",
    }
    response = client.post(url("focus-add"), data, follow=True)
    rule = FocusRule.objects.get()
    assert rule.priority == priority and rule.created_by == user and rule.cycle == cycle
    assert "Declared “Only image import”" in response.content.decode()


def test_a_bad_query_is_refused_with_the_parsers_message(client, team, cycle):
    signed_in(client, PTL)
    data = {"statement": "Only priorities", "since": "2017-03-02", "exceptions": "topic:("}
    response = client.post(url("focus-add"), data)
    assert response.status_code == 400
    assert "The exception query cannot be used" in response.content.decode()
    assert not FocusRule.objects.exists()


def test_a_bad_date_is_refused_not_a_500(client, team, cycle):
    signed_in(client, PTL)
    data = {"statement": "Only priorities", "since": "yesterday-ish", "exceptions": ""}
    response = client.post(url("focus-add"), data)
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()


def test_stale_edit_answers_409_with_the_current_rule(client, team, rule):
    signed_in(client, PTL)
    data = {
        "statement": "First edit",
        "since": rule.since.isoformat(),
        "exceptions": "",
        "version": 1,
    }
    assert client.post(url("focus-edit", rule.pk), data).status_code == 302
    data["statement"] = "Second edit, from the old page"
    response = client.post(url("focus-edit", rule.pk), data)
    assert response.status_code == 409
    assert "Someone else changed this rule" in response.content.decode()
    assert "First edit" in response.content.decode()
    assert FocusRule.objects.get().statement == "First edit"


def test_lift_and_delete_check_the_version(client, team, rule):
    signed_in(client, PTL)
    assert client.post(url("focus-lift", rule.pk), {"version": 7}).status_code == 409
    assert client.post(url("focus-lift", rule.pk), {"version": 1}).status_code == 302
    rule.refresh_from_db()
    assert rule.until == timezone.localdate() and rule.version == 2
    assert client.post(url("focus-delete", rule.pk), {"version": "x"}).status_code == 409
    assert client.post(url("focus-delete", rule.pk), {"version": 2}).status_code == 302
    assert not FocusRule.objects.exists()


def test_another_teams_rule_is_not_found(client, team, rule):
    signed_in(client, PTL)
    TeamFactory(name="nova")
    assert client.get(reverse("reports:focus-edit", args=["nova", rule.pk])).status_code == 404


def test_the_summary_partial_can_be_included_elsewhere(rule, team):
    from django.template.loader import render_to_string

    from dashboard.reports.focus import focus_checks

    checks = focus_checks(team=team, today=timezone.localdate())
    html = render_to_string("reports/focus.html#focus-summary", {"focus_checks": checks})
    assert "Nothing else merges until image import lands" in html and "Edit" not in html


def test_no_cycle_says_so(client, team):
    html = client.get(url("focus")).content.decode()
    assert "No cycle yet" in html


def test_priorities_page_links_to_focus_rules(client, team, cycle):
    response = client.get(reverse("governance:priorities", args=["glance", cycle.name]))
    assert url("focus") in response.content.decode()


def test_rule_dates_before_the_cycle_still_check(client, team, cycle, priority):
    create_rule(
        team=team, cycle=cycle, statement="Old rule", since=date(2000, 1, 1),
        until=date(2000, 1, 2), priority=priority, exceptions="", actor=None,
    )  # fmt: skip
    assert "held from 2000-01-01 to 2000-01-02" in client.get(url("focus")).content.decode()
