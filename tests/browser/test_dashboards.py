"""The review pages in Chromium as a core reviewer sees them: the team dashboard, its
sections sorted in place with htmx, My reviews, and search with a bad query.

The core user is made as ``manage.py demo`` makes its own: in the ``core`` group and linked
(``GerritIdentity``) to a synced current core account, which is what ``self`` means in the
sections' queries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import Count, Q
from playwright.sync_api import Locator, Page, expect

from dashboard.core.roles import CORE
from dashboard.gerrit.models import Account, Change, Team
from dashboard.gerrit.simulator import SimulatorServer
from dashboard.reviews.dashboard_views import MORE_ROWS, ROWS_PER_SECTION
from dashboard.reviews.dashboards import import_dashboard, to_dashfile
from dashboard.reviews.dashfile import gerrit_url
from dashboard.reviews.models import Dashboard, GerritIdentity
from dashboard.reviews.views import MY_REVIEWS
from dashboard.reviews.views import ROWS_PER_SECTION as MY_REVIEWS_ROWS
from tests.browser.conftest import BrowserProblems

pytestmark = pytest.mark.browser

CORE_USERNAME, CORE_PASSWORD = "core", "correct-horse-battery-staple"
MANY_ROWS_DASH = """\
[dashboard]
title = History
foreach = -is:abandoned

[section "Merged"]
query = is:merged

[section "Open"]
query = is:open
"""


@pytest.fixture
def core_user(synced_team: Team) -> User:
    """A user in the core group, linked to the synced core account with the most reviews."""
    account = (
        Account.objects.filter(
            core_memberships__team=synced_team, core_memberships__left__isnull=True
        )
        .annotate(reviews=Count("votes", filter=Q(votes__label="Code-Review")))
        .order_by("-reviews", "account_id")
        .first()
    )
    assert account is not None, "the simulated team should have a current core reviewer"
    user = User.objects.create_user(CORE_USERNAME, password=CORE_PASSWORD, first_name="Casey")
    user.groups.set([Group.objects.get_or_create(name=CORE)[0]])
    GerritIdentity.objects.create(user=user, account=account)
    return user


@pytest.fixture
def core_login(live_server: Any, page: Page, core_user: User) -> User:
    """The core user, signed in on ``page`` through the real login form."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(CORE_USERNAME)
    page.get_by_label("Password").fill(CORE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nav-username")).to_have_text("Casey")
    return core_user


def mark_document(page: Page) -> None:
    """Leave a mark on the window: it survives htmx swaps and vanishes on a real load."""
    page.evaluate("window.__marker = 1")


def document_was_kept(page: Page) -> bool:
    return page.evaluate("window.__marker") == 1


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def numbers(section: Locator) -> list[int]:
    return [int(n) for n in section.locator("tr.change-row .change-number").all_inner_texts()]


def waiting_since(section: Locator) -> list[datetime | None]:
    """Each row's "Waiting" instant (None where the page shows it as unknown)."""
    cells = section.locator("tr.change-row td[data-label='Waiting']")
    values = cells.evaluate_all(
        "cells => cells.map(c => c.querySelector('time')?.getAttribute('datetime') ?? null)"
    )
    return [None if v is None else datetime.fromisoformat(v) for v in values]


def in_order(section: Locator, sort: str) -> bool:
    """Whether the section's rows already stand in the order ``?sort=`` asks for."""
    if sort == "number":
        shown = numbers(section)
        return shown == sorted(shown, reverse=True)
    waits = waiting_since(section)
    known = [w for w in waits if w is not None]
    return known == sorted(known) and waits == known + [None] * (len(waits) - len(known))


def check_sections(
    page: Page, titles: list[str], per_section: int = ROWS_PER_SECTION
) -> dict[str, int]:
    """Every section is there, in order, and its count is its rows plus its "N more"."""
    sections = page.locator("section.review-section")
    expect(sections).to_have_count(len(titles))
    counts = {}
    for index, title in enumerate(titles):
        section = sections.nth(index)
        heading = section.locator("h2")
        expect(heading).to_contain_text(title)
        assert section.locator(".message-error").count() == 0, f"{title!r} failed"
        count = int(heading.locator(".count").inner_text())
        rows = section.locator("tr.change-row").count()
        assert rows == min(count, per_section), title
        more = section.get_by_role("link", name=f"{count - rows} more")
        if count > rows:
            expect(more).to_be_visible()
        else:
            expect(section.get_by_role("link", name=" more")).to_have_count(0)
        if rows == 0:
            expect(section.locator(".empty-section")).to_have_text("Nothing here.")
        else:
            # The shared row's Waiting column: one cell per row, a <time> or "–".
            expect(section.locator("td[data-label='Waiting']")).to_have_count(rows)
        counts[title] = count
    return counts


def test_core_opens_the_default_dashboard_from_the_list_with_counts_and_gerrit_link(
    page: Page,
    live_server: Any,
    synced_team: Team,
    gerrit: SimulatorServer,
    core_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/teams/{synced_team.name}/dashboards/")
    expect(page.locator("h1")).to_contain_text("Dashboards")
    assert_healthy()
    default = Dashboard.objects.get(team=synced_team, owner__isnull=True, is_default=True)
    # Cores may import: the form is offered to them.
    expect(page.get_by_role("heading", name="Import a .dash file")).to_be_visible()

    page.locator(".dashboard-list li").filter(has_text="default").get_by_role("link").click()

    expect(page).to_have_url(
        f"{live_server.url}/teams/{synced_team.name}/dashboards/{default.slug}/"
    )
    expect(page.locator("h1")).to_contain_text(default.title)
    parsed = to_dashfile(default)
    counts = check_sections(page, [section.name for section in parsed.sections])
    assert sum(counts.values()) > 0, "the simulated team should fill some section"
    open_in_gerrit = page.get_by_role("link", name="Open in Gerrit")
    href = open_in_gerrit.get_attribute("href")
    assert href is not None and href.startswith(f"{gerrit.url.rstrip('/')}/#/dashboard/?")
    assert href == gerrit_url(parsed, server_url=synced_team.server.url)
    assert_healthy()


@pytest.mark.parametrize("sort", ["waiting", "number"])
def test_sorting_a_dashboard_section_swaps_only_that_section_in_place(
    sort: str,
    page: Page,
    live_server: Any,
    synced_team: Team,
    core_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/teams/{synced_team.name}/dashboards/")
    page.locator(".dashboard-list li").filter(has_text="default").get_by_role("link").click()
    expect(page.locator("section.review-section").first).to_be_visible()
    path = urlsplit(page.url).path
    sections = page.locator("section.review-section")
    # A section the sort reorders: which one depends on the simulated history as of today
    # (its times follow the clock), so it is chosen, not assumed.
    reordered = [i for i in range(sections.count()) if not in_order(sections.nth(i), sort)]
    if not reordered and sort == "number":
        # Today every section's latest updates happen to be its highest numbers: update the
        # lowest-numbered change of a section last, as a new comment on Gerrit would.
        listing = next(i for i in range(sections.count()) if len(numbers(sections.nth(i))) >= 2)
        shown = numbers(sections.nth(listing))
        newest = Change.objects.get(number=shown[0]).updated
        Change.objects.filter(number=shown[-1]).update(updated=newest + timedelta(seconds=1))
        page.reload()
        sections = page.locator("section.review-section")
        expect(sections.first).to_be_visible()
        reordered = [i for i in range(sections.count()) if not in_order(sections.nth(i), sort)]
    assert reordered, f"some section should list changes out of {sort} order"
    biggest = reordered[0]
    section = sections.nth(biggest)
    slug = section.get_attribute("id").removeprefix("section-")
    others = {
        sections.nth(i).get_attribute("id"): numbers(sections.nth(i))
        for i in range(sections.count())
        if i != biggest
    }
    before = numbers(section)
    title = section.locator("h2").inner_text()
    words = {"waiting": "Waiting longest", "number": "Number"}[sort]
    mark_document(page)

    section.locator(".section-sort").get_by_role("link", name=words).click()

    section = page.locator(f"#section-{slug}")
    expect(section.locator(".section-sort strong[aria-current='true']")).to_have_text(words)
    assert document_was_kept(page), "sorting should swap the section, not reload the page"
    assert urlsplit(page.url).path == path
    assert query_of(page) == {"section": [slug], "sort": [sort]}
    after = numbers(section)
    assert sorted(after) == sorted(before), "sorting should keep the same changes"
    assert after != before, "the default order (last updated) should differ"
    if sort == "number":
        assert after == sorted(after, reverse=True)
    else:
        waits = waiting_since(section)
        known = [w for w in waits if w is not None]
        assert known == sorted(known), "oldest current patch set first"
        assert waits == known + [None] * (len(waits) - len(known)), "unknown times last"
    assert section.locator("h2").inner_text() == title, "the count stays the same"
    for section_id, shown in others.items():
        assert numbers(page.locator(f"#{section_id}")) == shown, f"{section_id} changed"
    assert_healthy()

    # The pushed URL is a real page: loading it shows the whole dashboard, sorted the same.
    page.reload()
    expect(page.locator(f"#section-{slug} .section-sort strong")).to_have_text(words)
    assert numbers(page.locator(f"#section-{slug}")) == after
    expect(page.locator("section.review-section")).to_have_count(len(others) + 1)
    assert_healthy()


def test_show_more_rows_grows_only_that_section_in_place_and_the_url_keeps_it(
    page: Page,
    live_server: Any,
    synced_team: Team,
    core_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    # The default sections of the small simulated team hold fewer than ten rows each.
    import_dashboard(text=MANY_ROWS_DASH, source_name="history.dash", team=synced_team)
    page.goto(f"{live_server.url}/teams/{synced_team.name}/dashboards/history/")
    section = page.locator("section.review-section").filter(has_text="Show more rows").first
    expect(section).to_be_visible()
    slug = section.get_attribute("id").removeprefix("section-")
    count = int(section.locator("h2 .count").inner_text())
    first = numbers(section)
    assert len(first) == ROWS_PER_SECTION
    others = {
        section_id: numbers(page.locator(f"#{section_id}"))
        for section_id in page.locator("section.review-section").evaluate_all(
            "sections => sections.map(s => s.id)"
        )
        if section_id != f"section-{slug}"
    }
    mark_document(page)

    section.get_by_role("link", name="Show more rows").click()

    section = page.locator(f"#section-{slug}")
    expected = min(count, ROWS_PER_SECTION + MORE_ROWS)
    expect(section.locator("tr.change-row")).to_have_count(expected)
    assert document_was_kept(page), "showing more should swap the section, not reload"
    rows = ROWS_PER_SECTION + MORE_ROWS
    assert query_of(page) == {"section": [slug], "sort": ["updated"], "rows": [str(rows)]}
    after = numbers(section)
    assert after[:ROWS_PER_SECTION] == first, "the first rows stay, in the same order"
    expect(section.locator("h2 .count")).to_have_text(str(count))
    for section_id, shown in others.items():
        assert numbers(page.locator(f"#{section_id}")) == shown, f"{section_id} changed"
    assert_healthy()

    page.reload()
    expect(page.locator(f"#section-{slug} tr.change-row")).to_have_count(expected)
    assert numbers(page.locator(f"#section-{slug}")) == after
    assert_healthy()


def test_my_reviews_shows_the_core_users_sections(
    page: Page,
    live_server: Any,
    synced_team: Team,
    core_login: User,
    assert_healthy: Callable[[], None],
) -> None:
    page.get_by_role("link", name="My reviews").first.click()

    expect(page).to_have_url(f"{live_server.url}/my-reviews/")
    account = core_login.gerrit_identity.account
    expect(page.locator("h1")).to_contain_text(f"as {account}")
    counts = check_sections(page, [title for title, _ in MY_REVIEWS], MY_REVIEWS_ROWS)
    assert sum(counts.values()) > 0, "a busy core reviewer should have something to review"
    assert_healthy()


def test_search_shows_results_and_a_bad_query_with_a_caret_in_place(
    page: Page,
    live_server: Any,
    synced_team: Team,
    core_login: User,
    browser_problems: BrowserProblems,
    assert_healthy: Callable[[], None],
) -> None:
    page.goto(f"{live_server.url}/search?q=status:open label:Code-Review>=2")

    expect(page.locator("#search-q")).to_have_value("status:open label:Code-Review>=2")
    expect(page.locator("#results .results-summary")).to_contain_text("Showing 1–")
    assert page.locator("#results tr.change-row").count() > 0
    assert_healthy()

    mark_document(page)
    page.locator("#search-q").fill("status:open (")
    page.get_by_role("button", name="Search").click()

    error = page.locator("#results .query-error")
    expect(error).to_be_visible()
    expect(error.locator(".query-caret")).to_contain_text("^")
    expect(error.locator("pre code")).to_contain_text("status:open (")
    expect(page.locator("#results tr.change-row")).to_have_count(0)
    assert document_was_kept(page), "the error should be swapped in, not a new page"
    assert query_of(page)["q"] == ["status:open ("]
    # The bad query's 400 is the answer the page expects (it swaps it in): not a problem.
    browser_problems.failed_requests = [
        p for p in browser_problems.failed_requests if "/search?" not in p or "HTTP 400" not in p
    ]
    browser_problems.console_errors = [
        m for m in browser_problems.console_errors if "status of 400" not in m
    ]
    assert_healthy()
