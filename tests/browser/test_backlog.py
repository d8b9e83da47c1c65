"""The backlog pages in Chromium: open reviews' htmx threshold, the trend charts, and a PTL's
dry-run abandon from the stale page through the confirmation page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard.core.roles import PTL, ensure_role_groups
from dashboard.gerrit.models import Change, Team
from dashboard.health.models import AbandonAction, AbandonOutcome
from dashboard.health.openreviews import open_reviews
from dashboard.health.snapshots import seed_backlog_history

pytestmark = pytest.mark.browser


def test_open_reviews_threshold_updates_in_place(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    report = open_reviews(team=synced_team, days=3)
    page.goto(f"{live_server.url}/teams/{synced_team.name}/open-reviews/")
    expect(
        page.locator(".stat").filter(has_text="Waiting on reviewers").locator("dd")
    ).to_have_text(str(report.waiting_on_reviewer))
    page.evaluate("window.__marker = 1")
    page.get_by_label("Count changes waiting more than (days)").fill("3")
    page.get_by_role("button", name="Update").click()
    expect(page).to_have_url(f"{live_server.url}/teams/{synced_team.name}/open-reviews/?days=3")
    if report.waiting_on_reviewer:
        expect(page.locator("table.open-review-clocks")).to_contain_text("Waiting more than 3 days")
    assert page.evaluate("window.__marker") == 1, "the threshold should swap only the figures"
    assert_healthy()


def test_trends_page_draws_the_charts(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    seed_backlog_history(team=synced_team, days=20)
    page.goto(f"{live_server.url}/teams/{synced_team.name}/trends/")
    expect(page.locator("svg.chart-svg")).to_have_count(5)
    page.get_by_label("Weeks shown").select_option("13")
    expect(page).to_have_url(f"{live_server.url}/teams/{synced_team.name}/trends/?weeks=13")
    expect(page.locator("svg.chart-svg")).to_have_count(5)
    assert_healthy()


def test_a_ptl_dry_runs_an_abandon_through_the_confirmation_page(
    page: Page,
    live_server: Any,
    synced_team: Team,
    staff_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    ensure_role_groups()
    staff_login.groups.add(Group.objects.get(name=PTL))
    stuck = Change.objects.in_team(synced_team).open().order_by("number").first()
    Change.objects.filter(pk=stuck.pk).update(
        mergeable=False, current_patch_set_created=timezone.now() - timedelta(days=100)
    )
    page.goto(f"{live_server.url}/teams/{synced_team.name}/stale/")
    page.get_by_label(f"Select change {stuck.number}").check()
    page.get_by_role("button", name="Review the selected changes…").click()
    expect(page.locator("h1")).to_contain_text("Abandon")
    expect(
        page.get_by_label("Dry run: log what would be sent to Gerrit, send nothing")
    ).to_be_checked()
    expect(page.locator(".message-warning")).to_contain_text("Only a dry run is possible")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messages")).to_contain_text("Dry run (nothing sent): 1 change.")
    expect(page.locator("#actions")).to_contain_text("Would send POST")
    action = AbandonAction.objects.get()
    assert (action.change_id, action.outcome) == (stuck.pk, AbandonOutcome.DRY_RUN)
    assert Change.objects.get(pk=stuck.pk).status == "NEW"
    assert_healthy()
