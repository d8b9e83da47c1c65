"""Headless Chromium against a live server holding the demo team, synced over HTTP.

The data path is the demo's (``manage.py demo``), shrunk: the Gerrit simulator on loopback,
``import_team`` with the demo's definition, and a real ``sync_team`` through the production
client. Each test gets a fresh browser context and leaves a screenshot in
``test-artifacts/browser/<test name>.png`` (gitignored), passed or failed.

Run with ``uv run pytest -m browser``; Chromium is Debian's (/usr/bin/chromium), never a
browser downloaded by ``playwright install``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)

from dashboard.core.roles import PTL
from dashboard.demo.management.commands.demo import DEMO_TEAM
from dashboard.gerrit.models import SyncRunStatus, Team
from dashboard.gerrit.simulator import Simulator, SimulatorServer, start_simulator
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
VIEWPORT = {"width": 1280, "height": 900}
# Enough history for every status and for more than one page of 50 rows with "all".
SIM_SEED, SIM_CHANGES = 7, 120
STAFF_USERNAME, STAFF_PASSWORD = "ptl", "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # Browser tests run only when asked for (-m browser), so a missing browser is a
        # failure to report, not a gap to skip over.
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    # Playwright's sync API keeps an asyncio event loop running in the test thread, so Django
    # takes every ORM call from a test or fixture for a call from async code and raises
    # SynchronousOnlyOperation. Setting
    # DJANGO_ALLOW_ASYNC_UNSAFE is the known requirement for Playwright beside live_server.
    # It is set while the browser runs and restored after, so collecting this conftest in
    # the ordinary (non-browser) run does not switch the check off for the rest of the suite.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()
            playwright.stop()


@dataclass
class BrowserProblems:
    """What went wrong in the page while a test drove it (filled by the ``page`` listeners)."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Exception) -> None:
        self.page_errors.append(str(error))

    def on_request_failed(self, request: Request) -> None:
        # htmx aborts a filter request that a newer keystroke replaced (hx-sync="this:replace"),
        # and the browser aborts requests still in flight when a test navigates or reloads
        # (the favicon, typically): cancellations, not failures. A static file that the
        # server failed to deliver is a failure.
        if "/static/" in request.url and request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def summary(self) -> list[str]:
        return [
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"failed request: {m}" for m in self.failed_requests),
        ]


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(
    browser: Browser, browser_problems: BrowserProblems, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A page in a fresh context (no cookies); screenshot on the way out, whatever happened."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    new_page.on("console", browser_problems.on_console)
    new_page.on("pageerror", browser_problems.on_page_error)
    new_page.on("requestfailed", browser_problems.on_request_failed)
    new_page.on("response", browser_problems.on_response)
    try:
        yield new_page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
        try:
            new_page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        finally:
            context.close()


@pytest.fixture
def assert_healthy(page: Page, browser_problems: BrowserProblems) -> Callable[[], None]:
    """Check the page as loaded so far: htmx and the stylesheet arrived, nothing errored.

    Called after each page a test visits (and after htmx swaps), so a failure names the
    page where it happened.
    """

    def check() -> None:
        assert page.evaluate("typeof window.htmx") == "object", f"htmx missing on {page.url}"
        rules = page.evaluate(
            "[...document.styleSheets].reduce((n, sheet) => n + sheet.cssRules.length, 0)"
        )
        assert rules > 0, f"no CSS rules loaded on {page.url}"
        assert browser_problems.summary() == [], f"problems on {page.url}"

    return check


@pytest.fixture
def gerrit() -> Iterator[SimulatorServer]:
    """A small simulated Gerrit whose history ends now, so ages read as on a live team."""
    end = datetime.now(UTC).replace(microsecond=0)
    handle = start_simulator(
        Simulator(seed=SIM_SEED, changes=SIM_CHANGES, end=end), host="127.0.0.1", port=0
    )
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def synced_team(transactional_db: None, live_server: Any, gerrit: SimulatorServer) -> Team:
    """The demo team, imported and synced from the simulator over HTTP, as the demo does.

    ``transactional_db`` because the live server's thread must see the committed rows.
    """
    team = import_team(definition=DEMO_TEAM, gerrit_url=gerrit.url).team
    run = sync_team(team=team)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert run.changes_fetched > 0
    return team


@pytest.fixture
def staff_user(transactional_db: None) -> User:
    """A staff user (who may see the sync pages) with a known password."""
    return User.objects.create_user(
        STAFF_USERNAME, password=STAFF_PASSWORD, is_staff=True, first_name="Pat"
    )


@pytest.fixture
def submit_login_form(page: Page, staff_user: User) -> Callable[[], None]:
    """Fill in the login form the page shows with the staff user's password and submit it."""

    def submit() -> None:
        page.get_by_label("Username").fill(STAFF_USERNAME)
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".nav-username")).to_have_text("Pat")

    return submit


@pytest.fixture
def staff_login(
    live_server: Any, page: Page, staff_user: User, submit_login_form: Callable[[], None]
) -> User:
    """The staff user, signed in on ``page`` through the real login form at /accounts/login/."""
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login_form()
    return staff_user


PTL_USERNAME, PTL_PASSWORD = "ptl-user", "correct-horse-battery-staple"


@pytest.fixture
def ptl_login(live_server: Any, page: Page, transactional_db: None) -> User:
    """The page signed in, through the login form, as a PTL named Petra."""
    user = User.objects.create_user(PTL_USERNAME, password=PTL_PASSWORD, first_name="Petra")
    user.groups.set([Group.objects.get_or_create(name=PTL)[0]])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(PTL_USERNAME)
    page.get_by_label("Password").fill(PTL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nav-username")).to_have_text("Petra")
    return user
