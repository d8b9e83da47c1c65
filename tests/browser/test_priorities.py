"""Cycle priorities in Chromium: the PTL drags an item to the top (SortableJS + htmx), and
the order is the server's after a reload; the no-JS buttons move items too.

The data is the demo's: the simulated team synced over HTTP, then ``seed_demo_priorities``
as ``manage.py demo`` runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle, Priority, PriorityChange
from dashboard.governance.priorities import create_priority
from dashboard.governance.priorities_demo import demo_cycles, seed_demo_priorities
from tests.browser.conftest import BrowserProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_priorities(synced_team: Team) -> str:
    """The demo's lists; returns the current cycle's name."""
    seed_demo_priorities(synced_team)
    return demo_cycles()[0].name


def drag_to_top(page: Page) -> None:
    """Drag the last item's handle onto the first item. Both must be on screen at once for
    a mouse drag, and the demo's items are tall, so the window is made tall enough."""
    page.set_viewport_size({"width": 1280, "height": 2400})
    items = page.locator(".prio-item")
    last, first = items.nth(items.count() - 1), items.nth(0)
    last.locator(".prio-handle").drag_to(first, target_position={"x": 40, "y": 5})


def titles(page: Page) -> list[str]:
    return [
        text.split(".", 1)[1].strip().split("\n")[0]
        for text in page.locator(".prio-item .prio-title").all_inner_texts()
    ]


def stored_titles(team: Team, cycle: str) -> list[str]:
    return list(
        Priority.objects.filter(team=team, cycle__name=cycle)
        .order_by("position")
        .values_list("title", flat=True)
    )


def test_ptl_drags_the_last_priority_to_the_top_and_it_stays_after_reload(
    page: Page,
    live_server: Any,
    synced_team: Team,
    demo_priorities: str,
    ptl_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/teams/{synced_team.name}/priorities/")
    expect(page).to_have_url(f"{live_server.url}/teams/glance/cycles/{demo_priorities}/priorities/")
    assert_healthy()
    before = stored_titles(synced_team, demo_priorities)
    assert titles(page) == before and len(before) == 6
    drag_to_top(page)
    expect(page.locator(".prio-saved")).to_have_text("Order saved.")
    expected = [before[5], *before[:5]]
    assert titles(page) == expected
    assert stored_titles(synced_team, demo_priorities) == expected
    page.reload()
    assert_healthy()
    assert titles(page) == expected
    expect(page.locator(".prio-history-list li").first).to_contain_text(
        f"Petra Moved “{before[5]}” from 6 to 1"
    )
    assert PriorityChange.objects.filter(actor=ptl_login).count() == 1


def test_ptl_moves_an_item_down_with_its_button_and_a_second_drag_uses_the_new_version(
    page: Page,
    live_server: Any,
    synced_team: Team,
    demo_priorities: str,
    ptl_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/teams/glance/cycles/{demo_priorities}/priorities/")
    before = stored_titles(synced_team, demo_priorities)
    page.get_by_role("button", name=f"Move “{before[0]}” down").click()
    expect(page.locator(".prio-saved")).to_be_visible()
    after_button = [before[1], before[0], *before[2:]]
    assert titles(page) == after_button
    # The swapped-in list carries the new version, so dragging again is accepted.
    items = page.locator(".prio-item")
    # SortableJS moves the item in the page at once: wait for the server's answer.
    with page.expect_response(lambda r: r.url.endswith("/priorities/reorder/")) as answer:
        items.nth(2).locator(".prio-handle").drag_to(
            items.nth(0), target_position={"x": 40, "y": 5}
        )
    assert answer.value.status == 200
    expect(page.locator(".prio-item").first.locator(".prio-title")).to_contain_text(after_button[2])
    assert stored_titles(synced_team, demo_priorities) == [
        after_button[2],
        after_button[0],
        after_button[1],
        *after_button[3:],
    ]
    assert_healthy()


def test_visitors_see_the_list_without_drag_handles(
    page: Page, live_server: Any, synced_team: Team, demo_priorities: str
) -> None:
    page.goto(f"{live_server.url}/teams/glance/cycles/{demo_priorities}/priorities/")
    expect(page.locator(".prio-item")).to_have_count(6)
    expect(page.locator(".prio-handle")).to_have_count(0)
    expect(page.get_by_role("button", name="Add")).to_have_count(0)


def test_a_drag_on_a_list_someone_else_changed_is_refused_and_shows_the_new_list(
    page: Page,
    live_server: Any,
    synced_team: Team,
    demo_priorities: str,
    ptl_login: User,
    browser_problems: BrowserProblems,
) -> None:
    page.goto(f"{live_server.url}/teams/glance/cycles/{demo_priorities}/priorities/")
    before = stored_titles(synced_team, demo_priorities)
    # Another PTL adds an item after this page was loaded.
    create_priority(
        team=synced_team,
        cycle=Cycle.objects.get(name=demo_priorities),
        actor=None,
        title="Added in another tab",
    )
    drag_to_top(page)
    expect(page.locator("#priority-list .message-error")).to_contain_text(
        "Someone else changed this list"
    )
    assert titles(page) == [*before, "Added in another tab"]
    assert stored_titles(synced_team, demo_priorities) == [*before, "Added in another tab"]
    # The refusal is the 409 the page expects (Chromium logs it to the console too), and
    # nothing else went wrong.
    assert [p for p in browser_problems.summary() if "409" not in p] == []
    assert len(browser_problems.failed_requests) == 1
