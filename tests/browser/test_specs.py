"""The specs pages in Chromium, over the demo team and its generated specs repository."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import Team
from dashboard.governance.models import Spec
from dashboard.governance.specs_demo import seed_demo_specs

pytestmark = pytest.mark.browser


@pytest.fixture
def specs_team(synced_team: Team) -> Team:
    seed_demo_specs(team=synced_team)
    return synced_team


def test_typing_in_the_search_box_narrows_the_list_and_opens_a_spec(
    page: Page, live_server: Any, specs_team: Team, assert_healthy: Callable[[], None]
) -> None:
    total = Spec.objects.filter(team=specs_team).count()
    assert total > 2, "the demo specs should give more than the lite specs"
    wanted = Spec.objects.get(team=specs_team, title__icontains="vhdx")

    page.goto(f"{live_server.url}/teams/{specs_team.name}/specs/")
    rows = page.locator("#results tr.spec-row")
    expect(rows).to_have_count(min(total, 50))
    assert_healthy()
    page.evaluate("window.__marker = 1")

    page.locator("#id_q").press_sequentially("vhdx", delay=40)

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.title)
    expect(page.locator("#results-summary")).to_contain_text("matching “vhdx”")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["vhdx"]}
    assert page.evaluate("window.__marker") == 1, "the list should be swapped by htmx, not reloaded"
    assert_healthy()

    rows.first.locator("a.spec-link").click()

    expect(page.locator("h1")).to_have_text(wanted.title)
    expect(page.locator(".change-badges")).to_contain_text(wanted.get_state_display())
    history = page.locator("ol.spec-history li")
    expect(history).to_have_count(wanted.history.count())
    expect(history.first).to_contain_text(wanted.history.order_by("date", "id").first().state)
    assert_healthy()


def test_filtering_by_state_and_going_back_restores_the_list(
    page: Page, live_server: Any, specs_team: Team, assert_healthy: Callable[[], None]
) -> None:
    implemented = Spec.objects.filter(team=specs_team, state="implemented").count()
    total = Spec.objects.filter(team=specs_team).count()
    page.goto(f"{live_server.url}/teams/{specs_team.name}/specs/")
    rows = page.locator("#results tr.spec-row")
    expect(rows).to_have_count(min(total, 50))

    page.locator("#id_state").select_option("implemented")

    expect(rows).to_have_count(min(implemented, 50))
    assert parse_qs(urlsplit(page.url).query) == {"state": ["implemented"]}
    page.go_back()
    expect(rows).to_have_count(min(total, 50))
    assert_healthy()
