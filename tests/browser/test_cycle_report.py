"""The cycle report in Chromium: the PTL opens last cycle's report, writes a highlight,
saves it (htmx, "saved at HH:MM by NAME"), downloads the Markdown and finds it there; a save
from a stale page is refused and shows the newer text beside the unsaved words.

The data is the demo's: the simulated team synced over HTTP, then the demo's cycles and
priorities (last cycle's priorities, specs and FFEs) as ``manage.py demo`` seeds them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import Team
from dashboard.governance.demo import seed_demo_cycles
from dashboard.governance.models import Cycle
from dashboard.governance.priorities_demo import demo_cycles, seed_demo_priorities
from dashboard.reports.models import ReportNarrative
from dashboard.reports.narratives import save_narrative

pytestmark = pytest.mark.browser


@pytest.fixture
def last_cycle(synced_team: Team) -> Cycle:
    """The demo's previous cycle, with its priorities, specs and FFEs."""
    seed_demo_cycles(synced_team)
    seed_demo_priorities(synced_team)
    return demo_cycles()[1]


def report_url(live_server: Any, team: Team, cycle: Cycle) -> str:
    return f"{live_server.url}/teams/{team.name}/cycles/{cycle.name}/report/"


def test_ptl_writes_a_highlight_saves_and_downloads_the_markdown(
    page: Page,
    live_server: Any,
    synced_team: Team,
    last_cycle: Cycle,
    ptl_login: User,
    assert_healthy: Callable[[], None],
    tmp_path: Path,
) -> None:
    page.goto(report_url(live_server, synced_team, last_cycle))
    expect(page.locator("h1")).to_contain_text(f"{last_cycle} cycle report")
    expect(page.get_by_role("heading", name="Completed features")).to_be_visible()
    expect(page.get_by_role("heading", name="Priorities", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Report", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert_healthy()
    page.get_by_label("Highlights").fill("Image import landed after three cycles.")
    page.get_by_role("button", name="Save draft").click()
    message = page.locator("#narrative .message-success")
    expect(message).to_contain_text("by Petra.")
    narrative = ReportNarrative.objects.get()
    expect(message).to_have_text(f"Saved at {narrative.saved_at:%H:%M} by Petra.")
    assert ReportNarrative.objects.get().highlights == "Image import landed after three cycles."
    assert_healthy()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download .md").click()
    saved = tmp_path / "report.md"
    download.value.save_as(saved)
    assert download.value.suggested_filename == (
        f"{synced_team.name}-{last_cycle.name}-cycle-report.md"
    )
    markdown = saved.read_text()
    assert markdown.startswith(f"# {synced_team.display_name or synced_team.name}: ")
    assert "## Highlights\n\nImage import landed after three cycles.\n" in markdown
    assert "## Completed features" in markdown

    page.goto(
        report_url(live_server, synced_team, last_cycle).rstrip("/") + "/download/md/?inline=1"
    )
    expect(page.locator("body")).to_contain_text("Image import landed after three cycles.")


def test_a_save_from_a_stale_page_is_refused_and_shows_the_newer_text(
    page: Page,
    live_server: Any,
    synced_team: Team,
    last_cycle: Cycle,
    ptl_login: User,
) -> None:
    page.goto(report_url(live_server, synced_team, last_cycle))
    # Someone else saves while this page is open.
    save_narrative(
        team=synced_team,
        cycle=last_cycle,
        actor=None,
        actor_name="Other PTL",
        expected_version=0,
        highlights="Their newer highlight.",
        problems="",
        advice="",
    )
    page.get_by_label("Highlights").fill("My unsaved highlight.")
    with page.expect_response(lambda r: r.url.endswith("/report/narrative/")) as answer:
        page.get_by_role("button", name="Save draft").click()
    assert answer.value.status == 409
    expect(page.locator("#narrative [role=alert]")).to_contain_text(
        "Other PTL saved a newer version"
    )
    expect(page.locator(".report-conflict")).to_contain_text("Their newer highlight.")
    expect(page.get_by_label("Highlights")).to_have_value("My unsaved highlight.")
    assert ReportNarrative.objects.get().highlights == "Their newer highlight."
    # Saving again, now from the newer version, is accepted.
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#narrative .message-success")).to_contain_text("by Petra.")
    assert ReportNarrative.objects.get().highlights == "My unsaved highlight."
