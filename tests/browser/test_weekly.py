"""Weekly priorities in Chromium: the PTL starts next week's list, pastes two change URLs
at once, drags the second above the first (SortableJS + htmx), and the order is the
server's after a reload.

The data is the demo's: the simulated team synced over HTTP, then the cycle priorities
and the last four weekly lists as ``manage.py demo`` seeds them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.governance.models import WeeklyList
from dashboard.governance.priorities_demo import seed_demo_priorities
from dashboard.reports.weekly_demo import seed_demo_weekly

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_weekly(synced_team: Team) -> WeeklyList:
    """The demo's lists; returns the latest one."""
    seed_demo_priorities(synced_team)
    return seed_demo_weekly(synced_team)[-1]


def shown_numbers(page: Page) -> list[str]:
    return page.locator(".weekly-item .weekly-title .change-number").all_inner_texts()


def stored_numbers(weekly_list: WeeklyList) -> list[str]:
    return [
        str(n)
        for n in weekly_list.items.order_by("position").values_list("change_number", flat=True)
    ]


def test_ptl_pastes_two_change_urls_into_next_weeks_list_and_drags_the_second_first(
    page: Page,
    live_server: Any,
    synced_team: Team,
    demo_weekly: WeeklyList,
    ptl_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    next_week = demo_weekly.week + timedelta(days=7)
    page.goto(f"{live_server.url}/teams/{synced_team.name}/weekly/")
    assert_healthy()
    page.get_by_role("button", name=f"Start the list for {next_week:%Y-%m-%d}").click()
    expect(page).to_have_url(f"{live_server.url}/teams/glance/weekly/{next_week:%Y-%m-%d}/")
    weekly_list = WeeklyList.objects.get(team=synced_team, week=next_week)

    first, second = Change.objects.filter(
        repository__team=synced_team, status=ChangeStatus.NEW
    ).order_by("number")[:2]
    page.get_by_label("Paste changes").fill(f"{first.gerrit_url}\n{second.gerrit_url}\n")
    page.get_by_role("button", name="Add the changes").click()
    expect(page.locator(".weekly-saved")).to_have_text(
        f"Added Change {first.number}, Change {second.number}."
    )
    assert shown_numbers(page) == [str(first.number), str(second.number)]
    assert_healthy()

    items = page.locator(".weekly-item")
    with page.expect_response(lambda r: r.url.endswith("/reorder/")) as answer:
        items.nth(1).locator(".weekly-handle").drag_to(
            items.nth(0), target_position={"x": 40, "y": 5}
        )
    assert answer.value.status == 200
    expect(page.locator(".weekly-saved")).to_have_text("Order saved.")
    expected = [str(second.number), str(first.number)]
    assert shown_numbers(page) == expected
    assert stored_numbers(weekly_list) == expected

    page.reload()
    assert_healthy()
    assert shown_numbers(page) == expected
    expect(page.locator(".weekly-history li").first).to_contain_text("Petra Reordered the list")

    # The topic search completes as the PTL types; "Add" appends the topic.
    page.get_by_label("Add a topic").press_sequentially("bp/")
    results = page.locator("#topic-results .weekly-result")
    expect(results.first).to_be_visible()
    topic = results.first.locator("input[name=value]").get_attribute("value")
    results.first.get_by_role("button", name=f"Add topic {topic}").click()
    expect(page.locator(".weekly-saved")).to_have_text(f"Added Topic {topic}.")
    assert weekly_list.items.order_by("position").last().topic == topic
    assert_healthy()
