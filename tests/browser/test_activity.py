"""Reviewer activity and the core team in Chromium, over a team synced from the simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import CoreMembership, Team
from dashboard.health.reviewers import reviewer_activity
from dashboard.health.window import last_days

pytestmark = pytest.mark.browser


def test_reviewer_table_sorts_in_place_and_keeps_the_url(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    page.goto(f"{live_server.url}/teams/{synced_team.name}/")
    page.locator(".team-nav").get_by_role("link", name="Reviewers").click()
    page.locator("#id_days").select_option("180")
    expect(page).to_have_url(
        f"{live_server.url}/teams/{synced_team.name}/reviewers/?days=180&sort=-reviews"
    )
    expected = reviewer_activity(team=synced_team, window=last_days(180, now=timezone.now()))
    assert expected.reviewers, "the simulated history should hold reviews in 180 days"
    rows = page.locator("table.reviewers tbody tr")
    expect(rows).to_have_count(len(expected.reviewers))
    assert_healthy()

    page.evaluate("window.__marker = 1")
    page.locator("table.reviewers thead").get_by_role("link", name="Received").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Received")
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["-received"]
    assert page.evaluate("window.__marker") == 1, "sorting reloaded the whole page"
    most_received = max(row.received for row in expected.reviewers)
    expect(rows.first.locator("td[data-label='Received']")).to_have_text(str(most_received))
    assert_healthy()


def test_core_team_lists_the_current_core_group(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    members = CoreMembership.objects.filter(team=synced_team, left__isnull=True).count()
    assert members > 0
    page.goto(f"{live_server.url}/teams/{synced_team.name}/reviewers/")
    page.locator(".team-nav").get_by_role("link", name="Core team").click()
    expect(page.locator("h1")).to_contain_text("Core team")
    expect(page.locator("table.core-team tbody tr")).to_have_count(members)
    assert_healthy()
