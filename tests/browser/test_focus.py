"""Focus rules in Chromium: the demo's rule shows its state on the demo data, and the PTL
declares a rule in the page, is refused a bad exception query with the parser's message,
then lifts the rule.

The data is the demo's: the simulated team synced over HTTP, ``seed_demo_priorities`` and
``seed_demo_focus`` as ``manage.py demo`` runs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.gerrit.models import Team
from dashboard.governance.priorities_demo import seed_demo_priorities
from dashboard.reports.focus_demo import seed_demo_focus
from dashboard.reports.models import FocusRule
from tests.browser.conftest import BrowserProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_focus(synced_team: Team) -> FocusRule:
    seed_demo_priorities(synced_team)
    rule = seed_demo_focus(synced_team)
    assert rule is not None
    return rule


def test_visitors_see_the_demo_rule_and_its_state(
    page: Page, live_server: Any, demo_focus: FocusRule, assert_healthy: Callable[[], None]
) -> None:
    page.goto(f"{live_server.url}/teams/glance/focus/")
    assert_healthy()
    rule = page.locator(f"#rule-{demo_focus.pk}")
    expect(rule).to_contain_text(demo_focus.statement)
    expect(rule.locator(".badge").first).to_have_text(re.compile(r"holds since|broken by \d+"))
    expect(rule).to_contain_text("Must land:")
    expect(page.get_by_role("button", name="Lift today")).to_have_count(0)


def test_ptl_declares_a_rule_is_told_about_a_bad_query_and_lifts_it(
    page: Page,
    live_server: Any,
    demo_focus: FocusRule,
    ptl_login: User,
    assert_healthy: Callable[[], None],
    browser_problems: BrowserProblems,
) -> None:
    page.goto(f"{live_server.url}/teams/glance/focus/")
    form = page.locator("#add-rule")
    form.get_by_label("The rule").fill("Only the gate fixes merge this week")
    form.get_by_label("Exceptions").fill("topic:(")
    form.get_by_role("button", name="Declare").click()
    expect(page.locator(".field-error")).to_contain_text("The exception query cannot be used")
    assert FocusRule.objects.count() == 1
    # The refusal is a 400 by design: take it off the list of problems, and only it.
    assert browser_problems.failed_requests == [
        f"{live_server.url}/teams/glance/focus/add/: HTTP 400"
    ]
    browser_problems.failed_requests.clear()
    browser_problems.console_errors = [
        m for m in browser_problems.console_errors if "status of 400" not in m
    ]
    assert_healthy()
    form = page.locator("#add-rule")
    form.get_by_label("Exceptions").fill("hashtag:security")
    form.get_by_role("button", name="Declare").click()
    expect(page.locator(".message-success")).to_contain_text("Declared")
    new = FocusRule.objects.exclude(pk=demo_focus.pk).get()
    assert new.created_by == ptl_login
    item = page.locator(f"#rule-{new.pk}")
    expect(item).to_contain_text("Only the gate fixes merge this week")
    item.get_by_role("button", name="Lift today").click()
    expect(page.locator(".message-success")).to_contain_text("Lifted")
    expect(page.locator(f"#rule-{new.pk}")).to_contain_text("lifted")
    assert_healthy()
