"""The main pages of one team, timed on whatever history the database holds (``manage.py bench``).

Issue 7 asks each main page's p50/p95 server time and SQL query count on a large history,
through Django's test client. The bulk-loaded forge holds only what Gerrit tells, so the
team first gets what its people would have added in Tiller, by the same seeders the demo
uses (cycles around today, specs from its merged spec files, cycle priorities, weekly
lists), plus the ten-section dashboard ``bench_dashboard`` times and a signed-in core.
Pages that redirect (the current cycle, this week's priorities) are timed at the page they
redirect to, as a visitor reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from dashboard.core.benchmarks import P95_METHOD, WARM_UPS, measure_page
from dashboard.gerrit import selectors
from dashboard.gerrit.models import Change, Team
from dashboard.governance.demo import seed_demo_cycles
from dashboard.governance.priorities_demo import seed_demo_priorities
from dashboard.governance.specs_demo import seed_demo_specs
from dashboard.reports.weekly_demo import seed_demo_weekly
from dashboard.reviews.management.commands.bench_dashboard import (
    DASHBOARD_SLUG,
    SECTIONS,
    _create_core_user,
    _create_dashboard,
)
from dashboard.reviews.models import Dashboard

REVIEWER_DAYS = 180
# The search box's example: a query every team's history answers.
SEARCH_QUERY = "status:open label:Code-Review>=1"
FIGURES = ("p50_ms", "p95_ms", "max_ms", "cpu_p50_ms", "queries", "queries_constant")


@dataclass(frozen=True)
class BenchPage:
    """A page to time: its name, its path, and whether a signed-in core asks for it."""

    name: str
    path: str
    signed_in: bool = False


def busiest_team() -> Team:
    """The team with the most changes: its pages are the slowest ones of the server."""
    team = selectors.busiest_team()
    if team is None:
        raise LookupError("The database holds no team")
    return team


def prepare_team(team: Team, progress: Callable[[str], None] = lambda step: None) -> Any:
    """Give ``team`` what its people would have added in Tiller; returns the core user.

    The demo's seeders, so the figures are those of pages with realistic content; each
    leaves existing data alone, so preparing twice is harmless.
    """
    progress("cycles")
    seed_demo_cycles(team)
    progress("specs")
    seed_demo_specs(team=team)
    progress("priorities")
    seed_demo_priorities(team)
    progress("weekly priorities")
    seed_demo_weekly(team)
    progress("dashboard")
    if not Dashboard.objects.filter(team=team, slug=DASHBOARD_SLUG).exists():
        _create_dashboard(team)
    progress("core user")
    return _create_core_user(team)


def team_pages(team: Team, client: Client) -> list[BenchPage]:
    """The pages issue 7 names for ``team``, at the path a visitor ends up on."""
    name = team.name
    newest = Change.objects.in_team(team).order_by("-updated")
    number = newest.values_list("number", flat=True).first()
    dashboard = reverse("reviews:dashboard", args=[name, DASHBOARD_SLUG])
    pages = [
        BenchPage("team overview", reverse("gerrit:team", args=[name])),
        BenchPage("change list", reverse("gerrit:changes", args=[name])),
        BenchPage(f"dashboard ({len(SECTIONS)} sections), anonymous", dashboard),
        BenchPage(f"dashboard ({len(SECTIONS)} sections), signed-in core", dashboard, True),
        BenchPage(
            f"reviewer activity ({REVIEWER_DAYS} days)",
            reverse("health:reviewers", args=[name]) + f"?days={REVIEWER_DAYS}",
        ),
        BenchPage("open reviews", reverse("health:open-reviews", args=[name])),
        BenchPage("specs", reverse("governance:specs", args=[name])),
        BenchPage("cycle", _followed(client, reverse("governance:cycle-current", args=[name]))),
        BenchPage(
            "weekly priorities", _followed(client, reverse("reports:weekly-current", args=[name]))
        ),
        BenchPage(
            "search",
            reverse("reviews:search") + "?" + urlencode({"team": name, "q": SEARCH_QUERY}),
        ),
    ]
    if number is not None:
        pages.append(BenchPage("change", reverse("gerrit:change", args=[name, number])))
    return pages


def time_pages(team: Team, core: Any, *, runs: int) -> dict[str, Any]:
    """Each page's p50/p95/max server time, CPU p50 and SQL queries, ``runs`` requests."""
    anonymous = Client(HTTP_HOST="localhost")
    signed_in = Client(HTTP_HOST="localhost")
    signed_in.force_login(core)
    pages = {}
    for page in team_pages(team, anonymous):
        client = signed_in if page.signed_in else anonymous
        timing = measure_page(client, page.path, runs=runs)
        pages[page.name] = {"path": page.path, **timing.report(*FIGURES)}
    return {
        "team": team.name,
        "runs": runs,
        "warm_ups": WARM_UPS,
        "p95_method": P95_METHOD,
        "pages": pages,
    }


def _followed(client: Client, path: str) -> str:
    """Where ``path`` redirects to (itself when it does not)."""
    response = client.get(path, follow=True)
    if response.status_code != 200:
        raise LookupError(f"GET {path} answered {response.status_code}")
    return response.wsgi_request.get_full_path()
