"""The stale page and the abandon flow: permissions, confirmation, dry run, real run
against the simulator, errors shown, policy edits, query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.core.roles import CONTRIBUTOR, PTL, ensure_role_groups
from dashboard.gerrit.models import Change, ChangeStatus
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team
from dashboard.health.models import AbandonAction, AbandonOutcome, StalePolicy
from tests.gerrit.conftest import GLANCE, PASSWORD, USER, gerrit, sim  # noqa: F401 (fixtures)
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


def user_client(username: str, role: str) -> Client:
    ensure_role_groups()
    user = User.objects.create_user(username, password="pw")
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ptl() -> Client:
    return user_client("pat", PTL)


@pytest.fixture
def team():
    team = TeamFactory(name="glance")
    repo = RepositoryFactory(team=team, name="openstack/glance")
    now = timezone.now()
    for days in (70, 90):
        ChangeFactory(
            repository=repo,
            mergeable=False,
            subject=f"stuck {days}",
            created=now - timedelta(days=days),
            current_patch_set_created=now - timedelta(days=days),
        )
    ChangeFactory(
        repository=repo, subject="starved", current_patch_set_created=now - timedelta(days=45)
    )
    return team


def stale_url(team) -> str:
    return reverse("health:stale", args=[team.name])


def abandon_url(team) -> str:
    return reverse("health:abandon", args=[team.name])


def numbers(team) -> list[int]:
    return list(
        Change.objects.in_team(team)
        .filter(mergeable=False)
        .order_by("number")
        .values_list("number", flat=True)
    )


def test_anonymous_visitors_see_the_lists_without_the_abandon_form(client, team):
    html = client.get(stale_url(team)).content.decode()
    assert "stuck 90" in html and "stuck 70" in html and "starved" in html
    assert "Merge conflict since" in html
    assert 'name="change"' not in html and "Save the policy" not in html


def test_the_ptl_sees_checkboxes_and_the_policy_form(ptl, team):
    html = ptl.get(stale_url(team)).content.decode()
    assert html.count('name="change"') == 2 and "Save the policy" in html


def test_stale_page_query_count_is_fixed(client, team, django_assert_num_queries):
    # team, policy, candidates, starved, actions
    with django_assert_num_queries(5):
        client.get(stale_url(team))


def test_abandon_is_for_the_ptl_only(client, team):
    contributor = user_client("carl", CONTRIBUTOR)
    assert contributor.post(abandon_url(team), {"change": numbers(team)}).status_code == 403
    anonymous = client.post(abandon_url(team), {"change": numbers(team)})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert AbandonAction.objects.count() == 0


def test_first_step_lists_the_exact_changes_and_defaults_to_a_dry_run(ptl, team):
    first, second = numbers(team)
    response = ptl.post(abandon_url(team), {"change": [first, 123456789]})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="change" value="{first}"' in html
    assert f'value="{second}"' not in html
    assert 'name="dry_run" checked' in html
    assert "left out: 123456789" in html
    assert "Only a dry run is possible" in html and "no user name" in html
    assert AbandonAction.objects.count() == 0


def test_confirmed_dry_run_logs_and_sends_nothing(ptl, team):
    first, _ = numbers(team)
    body = {"change": [first], "confirmed": "on", "dry_run": "on", "message": "Bye"}
    response = ptl.post(abandon_url(team), body, follow=True)
    action = AbandonAction.objects.get()
    assert action.outcome == AbandonOutcome.DRY_RUN and action.user.username == "pat"
    assert Change.objects.get(number=first).status == ChangeStatus.NEW
    html = response.content.decode()
    assert "Dry run (nothing sent): 1 change." in html and "Would send POST" in html


def test_confirmed_real_run_without_credentials_is_refused_with_the_reason(ptl, team):
    first, _ = numbers(team)
    response = ptl.post(
        abandon_url(team), {"change": [first], "confirmed": "on", "message": "Bye"}, follow=True
    )
    html = response.content.decode()
    assert AbandonAction.objects.get().outcome == AbandonOutcome.REFUSED
    assert "Refused by Tiller: 1 change." in html and "has no user name configured" in html


def test_nothing_selectable_goes_back_with_a_message(ptl, team):
    response = ptl.post(abandon_url(team), {"change": ["abc"]}, follow=True)
    assert "None of the selected changes" in response.content.decode()


def test_the_ptl_edits_the_policy_and_bad_values_change_nothing(ptl, team, client):
    url = reverse("health:stale-policy", args=[team.name])
    ok = {"abandon_after_days": 80, "starved_after_days": 50, "abandon_message": "Bye"}
    ptl.post(url, ok)
    policy = StalePolicy.objects.get(team=team)
    assert (policy.abandon_after_days, policy.starved_after_days) == (80, 50)
    html = client.get(stale_url(team)).content.decode()
    assert (
        "stuck 90" in html
        and "stuck 70" not in html
        and "starved"
        not in html.split("Starved changes")[1]
        .split("Abandon log")[0]
        .replace("No starved changes", "")
    )
    bad = ptl.post(url, {**ok, "abandon_after_days": 0}, follow=True).content.decode()
    assert "The policy was not changed" in bad
    assert StalePolicy.objects.get(team=team).abandon_after_days == 80
    assert user_client("carl", CONTRIBUTOR).post(url, ok).status_code == 403


@pytest.fixture
def synced(gerrit, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TILLER_TEST_GERRIT_PASSWORD", PASSWORD)
    team = import_team(
        definition=GLANCE,
        gerrit_url=gerrit.url,
        username=USER,
        password_env="TILLER_TEST_GERRIT_PASSWORD",
    ).team
    sync_team(team=team)
    # Make one synced open change an abandon candidate: in merge conflict for 90 days.
    change = Change.objects.in_team(team).open().order_by("number").first()
    Change.objects.filter(pk=change.pk).update(
        mergeable=False, current_patch_set_created=timezone.now() - timedelta(days=90)
    )
    return team, change


def test_real_run_abandons_in_gerrit_and_logs_then_a_repeat_shows_gerrits_error(
    synced,
    sim,  # noqa: F811
    ptl,
):
    team, change = synced
    body = {"change": [change.number], "confirmed": "on", "message": "Stale for 90 days"}
    html = ptl.post(abandon_url(team), body, follow=True).content.decode()
    action = AbandonAction.objects.get()
    assert action.outcome == AbandonOutcome.ABANDONED, action.detail
    assert "Abandoned in Gerrit: 1 change." in html
    assert sim.change(change.number).state.status == "ABANDONED"
    assert sim.change(change.number).state.messages[-1].text == "Abandoned\n\nStale for 90 days"
    assert Change.objects.get(pk=change.pk).status == ChangeStatus.ABANDONED
    # Our copy still says open (say, before the next sync): Gerrit refuses, and we say why.
    Change.objects.filter(pk=change.pk).update(status=ChangeStatus.NEW, closed=None)
    html = ptl.post(abandon_url(team), body, follow=True).content.decode()
    failed = AbandonAction.objects.order_by("-id").first()
    assert failed.outcome == AbandonOutcome.FAILED
    assert "409" in failed.detail and "change is abandoned" in failed.detail
    assert "Gerrit refused or failed: 1 change." in html and "change is abandoned" in html


def test_long_candidate_lists_are_paginated_and_a_bad_page_shows_the_last(
    client, team, monkeypatch
):
    monkeypatch.setattr("dashboard.health.backlog_views.STALE_PER_PAGE", 1)
    first = client.get(stale_url(team)).content.decode()
    assert "Page 1 of 2" in first and "stuck 90" in first and "stuck 70" not in first
    second = client.get(stale_url(team) + "?page=2").content.decode()
    assert "stuck 70" in second and "stuck 90" not in second
    assert "Page 2 of 2" in client.get(stale_url(team) + "?page=99").content.decode()
