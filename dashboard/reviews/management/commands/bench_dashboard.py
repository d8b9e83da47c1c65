"""manage.py bench_dashboard: server time and SQL queries of a ten-section dashboard page.

Like ``bench_sync``, the work happens in fresh processes on a scratch database (a throwaway
SQLite file, or a scratch database on the PostgreSQL server ``--database-url`` names), so
the user's database is never touched: one child migrates, another bulk-loads the
simulator's history in-process (``gerrit.bulkload``), creates the dashboard and a
signed-in core, and requests the page with Django's test client. Each request's server
time is ``time.perf_counter`` around ``client.get`` (URL resolution, views, SQL, template;
no network), its queries are counted with ``CaptureQueriesContext``.

Percentiles use ``statistics.quantiles(samples, n=20, method="inclusive")``: index 9 is
p50, index 18 is p95, linearly interpolated between the two nearest observed times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse

from dashboard.core.benchmarks import P95_METHOD, WARM_UPS, measure_page
from dashboard.core.roles import CORE
from dashboard.gerrit.bulkload import load_history
from dashboard.gerrit.management.commands.bench_sync import BENCH_TEAM, _scratch_database
from dashboard.gerrit.models import Account, Team
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.teams import import_team
from dashboard.reviews import dashfile, selectors
from dashboard.reviews.dashboard_views import ROWS_PER_SECTION
from dashboard.reviews.dashboards import DEFAULT_SECTIONS, import_dashboard, team_foreach
from dashboard.reviews.evaluate import SearchContext
from dashboard.reviews.models import GerritIdentity
from dashboard.reviews.query import combine

BUDGET_P95_MS = 150.0
PAGE_FIGURES = ("p50_ms", "p95_ms", "max_ms", "queries", "queries_constant")
DASHBOARD_SLUG = "bench"
# Never contacted: the history is loaded in-process.
GERRIT_URL = "http://gerrit.bench.invalid"
EXTRA_SECTIONS: tuple[tuple[str, str], ...] = (
    ("All stable backports", "branch:^stable/.*"),
    ("Tiny changes (delta<=10)", "delta:<=10"),
)
SECTIONS = DEFAULT_SECTIONS + EXTRA_SECTIONS
VISITORS = ("anonymous", "core")


class Command(BaseCommand):
    help = (
        "Benchmark the team dashboard page (ten sections) over a bulk-loaded simulator "
        "history: p50/p95/max server time and SQL queries, anonymous and as a signed-in core."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--changes", type=int, default=100_000, help="history size")
        parser.add_argument("--runs", type=int, default=30, help="measured requests per visitor")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--database-url",
            help="postgres://… to measure on PostgreSQL (a scratch database is created there)",
        )
        parser.add_argument("--json", action="store_true", help="print only the JSON report")
        # Internal: the measuring child process (runs on the scratch database).
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 2:
            raise CommandError("--runs must be at least 2 (percentiles need two samples)")
        if options["child"]:
            report = measure_dashboard(
                changes=options["changes"], runs=options["runs"], seed=options["seed"]
            )
            self.stdout.write(json.dumps(report))
            return
        report = self._measure(options)
        if not options["json"]:
            self.stdout.write(_table(report))
        self.stdout.write(json.dumps(report, indent=2))

    def _measure(self, options: dict[str, Any]) -> dict[str, Any]:
        database_url = options["database_url"]
        with _scratch_database(database_url) as scratch:
            env = {**os.environ, "DATABASE_URL": scratch, "TILLER_ENV": "local"}
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
            child = [*manage, "bench_dashboard", "--child", "--changes", str(options["changes"])]
            child += ["--runs", str(options["runs"]), "--seed", str(options["seed"])]
            # stderr passes through: the load's progress, or the child's traceback.
            result = subprocess.run(child, env=env, check=True, stdout=subprocess.PIPE, text=True)
        report = json.loads(result.stdout.strip().splitlines()[-1])
        report["database"] = "postgresql" if database_url else "sqlite"
        return report


def measure_dashboard(*, changes: int, runs: int, seed: int) -> dict[str, Any]:
    """Run in the child process on a migrated scratch database."""
    team = import_team(definition=BENCH_TEAM, gerrit_url=GERRIT_URL).team
    simulator = Simulator(seed=seed, changes=changes)
    started = time.perf_counter()
    stored = load_history(team=team, simulator=simulator, progress=_progress(changes))
    load_seconds = time.perf_counter() - started
    sys.stderr.write("\n")
    _create_dashboard(team)
    core = _create_core_user(team)
    url = reverse("reviews:dashboard", args=[team.name, DASHBOARD_SLUG])
    visitors = {}
    for kind in VISITORS:
        client = Client(HTTP_HOST="localhost")
        if kind == "core":
            client.force_login(core)
        visitors[kind] = measure_page(client, url, runs=runs).report(*PAGE_FIGURES)
    p95s = [figures["p95_ms"] for figures in visitors.values()]
    return {
        "changes": stored,
        "sections": len(SECTIONS),
        "load_seconds": round(load_seconds, 1),
        "runs": runs,
        "warm_ups": WARM_UPS,
        "p95_method": P95_METHOD,
        "visitors": visitors,
        "section_ms": _section_times(team, core),
        "budget_p95_ms": BUDGET_P95_MS,
        "budget_met": max(p95s) <= BUDGET_P95_MS,
    }


def _progress(total: int) -> Any:
    def report(stored: int) -> None:
        sys.stderr.write(f"\rLoaded {stored}/{total} changes")
        sys.stderr.flush()

    return report


def _create_dashboard(team: Team) -> None:
    text = dashfile.to_dash_text(
        dashfile.Dashboard(
            title="Benchmark dashboard",
            description="The default sections and two more",
            foreach=team_foreach(team),
            sections=tuple(dashfile.DashSection(name, query) for name, query in SECTIONS),
        )
    )
    import_dashboard(text=text, source_name=f"{DASHBOARD_SLUG}.dash", team=team)


def _create_core_user(team: Team) -> Any:
    """A user in the core role linked to the busiest current core reviewer (as the demo
    does), so the ``self`` sections have someone to mean; the one made before, if any."""
    account = (
        Account.objects.filter(core_memberships__team=team, core_memberships__left__isnull=True)
        .annotate(reviews=Count("votes", filter=Q(votes__label="Code-Review")))
        .order_by("-reviews", "account_id")
        .first()
    )
    if account is None:
        raise CommandError("The loaded history has no current core member")
    user, created = get_user_model().objects.get_or_create(username="bench-core")
    if created:  # a database prepared before keeps its core user as it was
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get_or_create(name=CORE)[0]])
        GerritIdentity.objects.create(user=user, account=account)
    return user


def _section_times(team: Team, core: Any, repeats: int = 5) -> dict[str, dict[str, float]]:
    """Median time per section (its ids and count, then its rows, as the page runs them), for
    finding a slow one; anonymous and as the core."""
    foreach = team_foreach(team)
    out: dict[str, dict[str, float]] = {}
    for name, query in SECTIONS:
        out[name] = {}
        for kind, user in (("anonymous", AnonymousUser()), ("core", core)):
            context = SearchContext.for_user(user, server=team.server)
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                selectors.evaluate_sections(
                    sections=[(name, combine(foreach, query))],
                    context=context,
                    per_section=ROWS_PER_SECTION,
                )
                samples.append((time.perf_counter() - started) * 1000)
            out[name][kind] = round(statistics.median(samples), 1)
    return out


def _table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['changes']} changes on {report['database']}, loaded in "
        f"{report['load_seconds']} s; {report['sections']} sections, {report['runs']} runs "
        f"after {report['warm_ups']} warm-ups (p95: {report['p95_method']})",
        "visitor     p50 ms  p95 ms  max ms  queries",
    ]
    for kind, row in report["visitors"].items():
        constant = "" if row["queries_constant"] else " (varied)"
        lines.append(
            f"{kind:<10}  {row['p50_ms']:>6}  {row['p95_ms']:>6}  {row['max_ms']:>6}"
            f"  {row['queries']:>7}{constant}"
        )
    verdict = "holds" if report["budget_met"] else "is exceeded"
    lines.append(f"The {report['budget_p95_ms']:.0f} ms p95 budget {verdict}.")
    lines.append("section (median ms)                                   anonymous    core")
    for name, row in report["section_ms"].items():
        lines.append(f"{name[:52]:<52}  {row['anonymous']:>9}  {row['core']:>6}")
    return "\n".join(lines)
