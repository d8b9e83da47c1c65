"""The sync status page in Chromium: for staff only, and "Sync now" runs a real sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import SyncRun, SyncRunStatus, Team

pytestmark = pytest.mark.browser


def test_sync_status_shows_the_finished_sync_and_sync_now_adds_a_succeeded_run(
    page: Page,
    live_server: Any,
    synced_team: Team,
    staff_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    first_run = SyncRun.objects.get()
    page.goto(f"{live_server.url}/sync/")
    panel = page.locator(f"#sync-{synced_team.name}")
    runs = panel.locator("table.runs > tbody > tr")

    expect(panel.locator(".sync-last")).to_contain_text("Last sync succeeded")
    expect(runs).to_have_count(1)
    expect(runs.first.locator("td").nth(3)).to_contain_text(str(first_run.changes_fetched))
    assert_healthy()
    page.evaluate("window.__marker = 1")

    # Tasks run immediately in tests, so the sync is over when the POST answers.
    panel.get_by_role("button", name="Sync now").click()

    expect(runs).to_have_count(2)
    expect(runs.first.locator(".run-status")).to_have_text("Succeeded")
    expect(panel.locator(".sync-last")).to_contain_text("Last sync succeeded")
    expect(panel.get_by_role("button", name="Sync now")).to_be_enabled()
    assert page.evaluate("window.__marker") == 1, "Sync now reloaded the page"
    latest = SyncRun.objects.order_by("-started").first()
    assert latest is not None and latest.pk != first_run.pk
    assert latest.status == SyncRunStatus.SUCCEEDED
    assert_healthy()


def test_sync_status_sends_anonymous_visitors_to_sign_in_and_back(
    page: Page,
    live_server: Any,
    staff_user: User,
    submit_login_form: Callable[[], None],
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/sync/")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/sync/")
    expect(page.get_by_text("Sign in to see that page.")).to_be_visible()
    assert_healthy()

    submit_login_form()

    expect(page).to_have_url(f"{live_server.url}/sync/")
    expect(page.locator("h1")).to_have_text("Sync status")
    assert_healthy()
