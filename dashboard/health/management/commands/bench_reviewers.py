"""manage.py bench_reviewers: time and SQL queries of the 180-day reviewer activity.

As ``bench_dashboard`` does, the work happens in fresh processes on a scratch database (a
throwaway SQLite file, or a scratch database on the PostgreSQL server ``--database-url``
names), so the user's database is never touched: one child migrates, another bulk-loads
the simulator's history in-process (``gerrit.bulkload``) and measures.

The bulk load makes today's core members join "now" (what a first sync records); the
benchmark backdates their stretches to the start of the history so that core-as-of-vote
checks and disagreements do real work, as they will once membership history is inferred,
and refreshes the reviews' stored flags as every membership write does.

Two figures are measured, each ``--runs`` times after two warm-ups: the selector alone
(``health.reviewers.reviewer_activity``, the SQL and the Python around it) and the whole
page through Django's test client (URL resolution, view, selector, template). Percentiles
use ``statistics.quantiles(samples, n=20, method="inclusive")``: index 9 is p50, 18 is p95.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Min
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.core.benchmarks import P95_METHOD, WARM_UPS, measure
from dashboard.gerrit.bulkload import load_history
from dashboard.gerrit.management.commands.bench_sync import BENCH_TEAM, _scratch_database
from dashboard.gerrit.models import CoreMembership, Vote
from dashboard.gerrit.reviews import refresh_review_flags
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.teams import import_team
from dashboard.health.reviewers import reviewer_activity
from dashboard.health.window import last_days

BUDGET_P95_MS = 300.0
WINDOW_DAYS = 180
GERRIT_URL = "http://gerrit.bench.invalid"  # never contacted: the history loads in-process


class Command(BaseCommand):
    help = (
        "Benchmark reviewer activity over 180 days on a bulk-loaded simulator history "
        "(about 500,000 vote events by default): p50/p95 time and SQL queries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--changes", type=int, default=60_000, help="history size (about 8 vote events each)"
        )
        parser.add_argument("--runs", type=int, default=20, help="measured runs")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--database-url",
            help="postgres://… to measure on PostgreSQL (a scratch database is created there)",
        )
        parser.add_argument("--json", action="store_true", help="print only the JSON report")
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 2:
            raise CommandError("--runs must be at least 2 (percentiles need two samples)")
        if options["changes"] < 1:
            raise CommandError("--changes must be at least 1")
        if options["child"]:
            report = measure_reviewers(
                changes=options["changes"], runs=options["runs"], seed=options["seed"]
            )
            self.stdout.write(json.dumps(report))
            return
        database_url = options["database_url"]
        with _scratch_database(database_url) as scratch:
            env = {**os.environ, "DATABASE_URL": scratch, "TILLER_ENV": "local"}
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
            child = [*manage, "bench_reviewers", "--child", "--changes", str(options["changes"])]
            child += ["--runs", str(options["runs"]), "--seed", str(options["seed"])]
            result = subprocess.run(child, env=env, check=True, stdout=subprocess.PIPE, text=True)
        report = json.loads(result.stdout.strip().splitlines()[-1])
        report["database"] = "postgresql" if database_url else "sqlite"
        if not options["json"]:
            self.stdout.write(_table(report))
        self.stdout.write(json.dumps(report, indent=2))


def measure_reviewers(*, changes: int, runs: int, seed: int) -> dict[str, Any]:
    """Run in the child process on a migrated scratch database."""
    team = import_team(definition=BENCH_TEAM, gerrit_url=GERRIT_URL).team
    # The history ends now, so that "the last 180 days" holds a third of it.
    simulator = Simulator(seed=seed, changes=changes, end=datetime.now(UTC).replace(microsecond=0))
    started = time.perf_counter()
    stored = load_history(team=team, simulator=simulator, progress=_progress(changes))
    load_seconds = time.perf_counter() - started
    sys.stderr.write("\n")
    first_vote = Vote.objects.aggregate(first=Min("granted"))["first"]
    if first_vote is not None:
        CoreMembership.objects.filter(team=team).update(joined=first_vote)
        refresh_review_flags(team=team)
    window = last_days(WINDOW_DAYS, now=timezone.now())
    in_window = Vote.objects.between(window.start, window.end).count()
    selector = measure(lambda: reviewer_activity(team=team, window=window), runs=runs).report()
    url = reverse("health:reviewers", args=[team.name]) + f"?days={WINDOW_DAYS}"
    client = Client(HTTP_HOST="localhost")

    def page() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}")

    result = reviewer_activity(team=team, window=window)
    page_timing = measure(page, runs=runs).report()
    return {
        "changes": stored,
        "vote_events": Vote.objects.count(),
        "vote_events_in_window": in_window,
        "window_days": WINDOW_DAYS,
        "reviewers": len(result.reviewers),
        "reviews": result.totals.reviews,
        "load_seconds": round(load_seconds, 1),
        "runs": runs,
        "warm_ups": WARM_UPS,
        "p95_method": P95_METHOD,
        "selector": selector,
        "page": page_timing,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "cpus": os.cpu_count(),
        "budget_p95_ms": BUDGET_P95_MS,
        # Both the selector and the page, which is what a user waits for.
        "budget_met": max(selector["p95_ms"], page_timing["p95_ms"]) <= BUDGET_P95_MS,
    }


def _progress(total: int) -> Any:
    def report(stored: int) -> None:
        sys.stderr.write(f"\rLoaded {stored}/{total} changes")
        sys.stderr.flush()

    return report


def _table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['changes']} changes, {report['vote_events']} vote events "
        f"({report['vote_events_in_window']} in the last {report['window_days']} days) on "
        f"{report['database']}, loaded in {report['load_seconds']} s; {report['reviewers']} "
        f"reviewers, {report['reviews']} reviews; {report['runs']} runs after "
        f"{report['warm_ups']} warm-ups (p95: {report['p95_method']})",
        f"Load average {report['load_average']} on {report['cpus']} CPUs (wall times grow "
        "with it; CPU times do not).",
        "measured    p50 ms  p95 ms  max ms  CPU p50  CPU p95  queries",
    ]
    for kind in ("selector", "page"):
        row = report[kind]
        constant = "" if row["queries_constant"] else " (varied)"
        lines.append(
            f"{kind:<10}  {row['p50_ms']:>6}  {row['p95_ms']:>6}  {row['max_ms']:>6}"
            f"  {row['cpu_p50_ms']:>7}  {row['cpu_p95_ms']:>7}  {row['queries']:>7}{constant}"
        )
    verdict = "holds" if report["budget_met"] else "is exceeded"
    lines.append(
        f"The {report['budget_p95_ms']:.0f} ms p95 budget (selector and page, wall time) {verdict}."
    )
    return "\n".join(lines)
