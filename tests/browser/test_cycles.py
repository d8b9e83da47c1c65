"""The cycle page in Chromium: today's week marked, the freeze countdown, a PTL's event."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard.core.roles import PTL, ensure_role_groups
from dashboard.gerrit.models import Team
from dashboard.governance.demo import seed_demo_cycles
from dashboard.governance.models import CycleEvent
from dashboard.governance.selectors import current_cycle
from dashboard.governance.weeks import week_label

pytestmark = pytest.mark.browser


def test_nav_cycle_link_opens_the_timeline_with_this_week_marked(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    seed_demo_cycles(synced_team)
    cycle = current_cycle()
    today = timezone.localdate()
    page.goto(f"{live_server.url}/teams/{synced_team.name}/")
    page.get_by_role("link", name="Cycle", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/teams/{synced_team.name}/cycles/{cycle.name}/")
    expect(page.locator("h1")).to_contain_text(str(cycle))
    current = page.locator('tr[aria-current="date"]')
    expect(current).to_have_count(1)
    expect(current.locator("th")).to_contain_text(week_label(release_week=cycle.end, day=today))
    expect(current).to_contain_text("this week")
    # "in 12 days", or "tomorrow"/"today" when the next freeze is that close.
    expect(page.locator(".countdown")).to_contain_text(re.compile(r" (in \d+ days|tomorrow|today)"))
    assert_healthy()


def test_ptl_adds_a_team_event_without_leaving_the_page(
    page: Page,
    live_server: Any,
    synced_team: Team,
    staff_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    ensure_role_groups()
    staff_login.groups.add(Group.objects.get(name=PTL))
    seed_demo_cycles(synced_team)
    cycle = current_cycle()
    page.goto(f"{live_server.url}/teams/{synced_team.name}/cycles/{cycle.name}/")
    page.evaluate("window.__marker = 1")
    day = timezone.localdate() + timedelta(days=7)
    form = page.locator("#team-events form").last
    form.get_by_label("Title").fill("Bug squash")
    form.get_by_label("First day").fill(day.isoformat())
    form.get_by_role("button", name="Add event").click()
    expect(page.locator("#team-events")).to_contain_text("Bug squash")
    assert page.evaluate("window.__marker") == 1  # an htmx swap, not a page load
    assert CycleEvent.objects.filter(title="Bug squash", start=day, end=day).exists()
    assert_healthy()
