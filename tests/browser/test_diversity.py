"""The diversity panel and the affiliations page in Chromium, as the PTL uses them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from dashboard.core.roles import PTL
from dashboard.gerrit.models import Team
from dashboard.health.demo import seed_demo_affiliations
from dashboard.health.models import Affiliation

pytestmark = pytest.mark.browser


@pytest.fixture
def ptl_login(staff_login: User) -> User:
    staff_login.groups.add(Group.objects.get_or_create(name=PTL)[0])
    return staff_login


def test_ptl_reads_the_panel_and_records_a_move_in_place(
    live_server: Any,
    page: Page,
    synced_team: Team,
    ptl_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    seed_demo_affiliations(synced_team)

    page.goto(f"{live_server.url}/teams/{synced_team.name}/diversity/")
    assert_healthy()
    expect(page.get_by_role("heading", name="Reviews by active cores")).to_be_visible()
    expect(page.locator("#measure-reviews .diversity-context")).to_contain_text("Top organisation:")
    expect(page.locator("#measure-merged svg.chart-svg")).to_have_count(1)

    page.get_by_role("link", name="see and correct them").click()
    assert_healthy()
    row = page.locator("tr.person-row").first
    person_id = row.get_attribute("id")
    add = row.locator("details.stretch-add")
    add.get_by_text("Add a stretch").click()
    add.get_by_label("Organisation").fill("Brand New Co")
    add.get_by_label("From").fill("2026-01-15")
    add.get_by_role("button", name="Add").click()

    updated = page.locator(f"#{person_id}")
    expect(updated).to_contain_text("Brand New Co")
    expect(updated).to_contain_text("until 15 Jan 2026")
    assert_healthy()
    account_id = int(person_id.removeprefix("person-"))
    assert Affiliation.objects.filter(
        account_id=account_id, organisation__name="Brand New Co"
    ).exists()
