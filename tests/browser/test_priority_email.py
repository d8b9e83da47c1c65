"""The priority email in Chromium: the PTL opens a list's email page, the preview shows
the text and the HTML (screenshot), copies it, sends it after the confirmation naming the
recipients, and lands on the sent email's permalink; the mail is in the test outbox.

The data is the demo's team synced over HTTP from the simulator, with a list made here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.governance.weekly import add_item, open_list
from dashboard.reports.models import SentEmail, TeamEmailSettings
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

MEETING = date(2017, 4, 13)


@pytest.fixture
def week_list(synced_team: Team) -> Change:
    """The meeting's list: an open synced change and a text item; returns the change."""
    TeamEmailSettings.objects.create(
        team=synced_team, list_address="openstack-dev@lists.openstack.org"
    )
    change = Change.objects.filter(repository__team=synced_team, status=ChangeStatus.NEW).first()
    assert change is not None
    weekly_list = open_list(team=synced_team, week=MEETING)
    add_item(
        weekly_list=weekly_list,
        version=None,
        kind="change",
        value=str(change.number),
        note="Needs one more core review.",
        actor=None,
    )
    add_item(
        weekly_list=weekly_list,
        version=None,
        kind="text",
        value="Triage the new bugs tagged pike-1",
        actor=None,
    )
    return change


def test_the_ptl_previews_copies_and_sends_the_priority_email(
    page: Page,
    live_server: Any,
    synced_team: Team,
    week_list: Change,
    ptl_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/teams/{synced_team.name}/weekly/{MEETING}/email/")
    subject = f"[{synced_team.name}] Review priorities for the week of 2017-04-17"
    expect(page.locator("#email-subject")).to_have_text(subject)
    text = page.locator("#email-text")
    expect(text).to_contain_text(f"1. {week_list.subject}")
    expect(text).to_contain_text("2. Triage the new bugs tagged pike-1")
    html = page.frame_locator("iframe.email-html")
    expect(html.locator("ol li").first).to_contain_text(week_list.subject)
    assert_healthy()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "priority_email_preview.png"), full_page=True)

    # Headless Chromium may refuse the clipboard; the fallback then selects the text.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy to clipboard").click()
    expect(page.locator(".email-copy-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == text.inner_text()

    page.get_by_role("link", name="Send…").click()
    expect(page.locator(".email-recipients")).to_have_text("openstack-dev@lists.openstack.org")
    assert_healthy()
    page.get_by_role("button", name="Send to openstack-dev@lists.openstack.org").click()

    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator(".messages")).to_contain_text("Sent to openstack-dev@lists.openstack.org")
    sent = SentEmail.objects.get()
    assert page.url == f"{live_server.url}/teams/{synced_team.name}/emails/{sent.pk}/"
    expect(page.locator("#email-text")).to_contain_text(f"1. {week_list.subject}")
    assert_healthy()
    (message,) = mail.outbox
    assert message.subject == subject and message.to == ["openstack-dev@lists.openstack.org"]
    assert message.body == sent.text and sent.sender_name == "Petra"
