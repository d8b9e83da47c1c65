"""The read pages in Chromium, over a team synced from the simulator: what a visitor sees."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from dashboard.gerrit import selectors
from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.gerrit.simulator import SimulatorServer
from dashboard.gerrit.views import CHANGES_PER_PAGE

pytestmark = pytest.mark.browser


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def mark_document(page: Page) -> None:
    """Leave a mark on the window: it survives htmx swaps and vanishes on a real load."""
    page.evaluate("window.__marker = 1")


def document_was_kept(page: Page) -> bool:
    return page.evaluate("window.__marker") == 1


def test_team_overview_shows_the_synced_open_count_and_links_recent_changes(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    open_changes = Change.objects.filter(status="NEW")
    assert open_changes.exists(), "the simulated history should leave some changes open"
    newest_open = list(open_changes.order_by("-updated", "-number")[:10])

    # The home page sends the only team's visitors straight to its overview.
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(f"{live_server.url}/teams/{synced_team.name}/")
    expect(page.locator("h1")).to_contain_text("Glance")
    open_stat = page.locator(".stat").filter(has_text="Open changes").locator("dd")
    expect(open_stat).to_have_text(str(open_changes.count()))
    rows = page.locator("section[aria-labelledby='recent-heading'] tr.change-row")
    expect(rows).to_have_count(len(newest_open))
    shown = rows.locator(".change-number").all_inner_texts()
    assert shown == [str(change.number) for change in newest_open]
    assert_healthy()

    first = newest_open[0]
    rows.first.locator("a.change-link").click()

    expect(page).to_have_url(f"{live_server.url}/teams/{synced_team.name}/changes/{first.number}/")
    expect(page.locator("h1")).to_contain_text(first.subject)
    assert_healthy()


def test_change_page_shows_subject_votes_per_patch_set_messages_and_gerrit_link(
    page: Page,
    live_server: Any,
    synced_team: Team,
    gerrit: SimulatorServer,
    assert_healthy: Callable[[], None],
) -> None:
    # A change with some history: several patch sets and a Code-Review vote cast on one.
    change = (
        Change.objects.filter(votes__label="Code-Review", votes__removal=False)
        .annotate(patch_set_count=Count("patch_sets", distinct=True))
        .filter(patch_set_count__gte=2)
        .order_by("number")
        .first()
    )
    assert change is not None, "the simulated history should have a reworked, reviewed change"
    vote = change.votes.filter(label="Code-Review", removal=False).select_related("account")[0]
    patch_set_numbers = set(change.patch_sets.values_list("number", flat=True)) | set(
        change.votes.values_list("patch_set", flat=True)
    )
    messages = change.messages.count()

    page.goto(f"{live_server.url}/teams/{synced_team.name}/changes/{change.number}/")

    expect(page.locator("h1")).to_have_text(f"{change.number} {change.subject}")
    gerrit_link = page.get_by_role("link", name="Open in Gerrit")
    expect(gerrit_link).to_have_attribute("href", f"{gerrit.url}/c/{change.number}")
    patch_set_rows = page.locator("table.patch-sets > tbody > tr")
    expect(patch_set_rows).to_have_count(len(patch_set_numbers))
    expect(patch_set_rows.first.locator("th")).to_contain_text(str(max(patch_set_numbers)))
    sign = "+" if vote.value > 0 else ""
    expect(page.locator(f"#ps{vote.patch_set} ul.votes")).to_contain_text(
        f"Code-Review {sign}{vote.value} by {vote.account}"
    )
    expect(page.locator("ol.timeline > li.message-item")).to_have_count(messages)
    assert messages > 0
    assert_healthy()


def test_change_list_filters_in_place_and_keeps_the_filters_in_the_url(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    merged = Change.objects.filter(status=ChangeStatus.MERGED)
    owner = (
        merged.values("owner__username", "owner__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner__username")
        .first()
    )
    assert owner is not None
    username, name = owner["owner__username"], owner["owner__name"]
    expected_by_owner = selectors.change_list(
        team=synced_team, filters=selectors.ChangeFilters(status="merged", owner=username)
    ).count()
    results = page.locator("#results")
    summary = page.locator("#results-summary")
    changes_url = f"{live_server.url}/teams/{synced_team.name}/changes/"
    page.goto(changes_url)
    expect(summary).to_contain_text(f"of {Change.objects.filter(status='NEW').count()}: Open")
    mark_document(page)

    page.get_by_label("Status").select_option("merged")

    expect(page).to_have_url(re.compile(r"[?&]status=merged"))
    expect(summary).to_contain_text(f"of {merged.count()}: Merged changes")
    assert set(results.locator("td[data-label='Status']").all_inner_texts()) == {"Merged"}
    assert document_was_kept(page), "filtering reloaded the page instead of swapping #results"
    assert_healthy()

    # One keyup with the whole name: typing key by key may pause past the 400 ms debounce
    # on a loaded machine and push an extra history entry, which the Back step would meet.
    owner_field = page.get_by_label("Owner")
    owner_field.fill(username)
    owner_field.press("End")

    expect(page).to_have_url(re.compile(rf"[?&]owner={username}\b"))
    expect(summary).to_contain_text(f"owned by “{username}”")
    expect(results.locator("tr.change-row")).to_have_count(expected_by_owner)
    assert set(results.locator("td[data-label='Owner']").all_inner_texts()) == {name}
    assert query_of(page)["status"] == ["merged"]
    # Empty fields stay out of the shareable URL.
    assert "repository" not in query_of(page)
    assert document_was_kept(page)
    assert_healthy()

    # Back goes to the previous filter (htmx restores its history snapshot, no reload).
    page.go_back()

    expect(page).to_have_url(re.compile(r"status=merged&sort=updated$"))
    expect(summary).to_contain_text(f"of {merged.count()}: Merged changes")
    expect(page.get_by_label("Owner")).to_have_value("")
    assert document_was_kept(page)
    assert_healthy()
    page.go_forward()
    expect(summary).to_contain_text(f"owned by “{username}”")

    # The pushed URL is the state: loading it afresh renders the same filtered page.
    page.reload()

    assert not document_was_kept(page)
    expect(page.get_by_label("Status")).to_have_value("merged")
    expect(page.get_by_label("Owner")).to_have_value(username)
    expect(results.locator("tr.change-row")).to_have_count(expected_by_owner)
    assert_healthy()


def test_change_list_pages_keep_the_filters(
    page: Page, live_server: Any, synced_team: Team, assert_healthy: Callable[[], None]
) -> None:
    repository = "openstack/glance"
    in_repository = Change.objects.filter(repository__name=repository).count()
    assert in_repository > CHANGES_PER_PAGE, "need more than one page of changes"
    summary = page.locator("#results-summary")
    page.goto(f"{live_server.url}/teams/{synced_team.name}/changes/?status=all")
    mark_document(page)

    page.get_by_label("Repository").select_option(repository)
    expect(summary).to_contain_text(f"Showing 1–50 of {in_repository}: Changes in {repository}")
    page.locator("#results").get_by_role("link", name="Next →").click()

    expect(page).to_have_url(re.compile(r"[?&]page=2\b"))
    expect(summary).to_contain_text(f"Showing 51–{min(100, in_repository)} of {in_repository}")
    query = query_of(page)
    assert query["repository"] == [repository]
    assert query["status"] == ["all"]
    repositories = page.locator("#results td[data-label='Repository']").all_inner_texts()
    assert repositories
    assert {text.split()[0] for text in repositories} == {repository}
    expect(page.get_by_label("Repository")).to_have_value(repository)
    assert document_was_kept(page), "paging reloaded the page instead of swapping #results"
    assert_healthy()

    page.locator("#results").get_by_role("link", name="← Previous").click()

    expect(summary).to_contain_text(f"Showing 1–50 of {in_repository}: Changes in {repository}")
    assert query_of(page)["repository"] == [repository]
    assert query_of(page)["page"] == ["1"]
    assert_healthy()
