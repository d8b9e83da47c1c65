"""manage.py bench_cycles: server time and SQL queries of the cycle page and the feed.

Runs on a scratch test database (Django's ``create_test_db``; the user's database is never
touched) holding the demo's generated cycles plus ``--extra-events`` team events per cycle
week, so the figures show what the size of a schedule costs. Server time is
``time.perf_counter`` around Django's test client ``get`` (URL resolution, views, SQL,
template; no network); queries are counted with ``CaptureQueriesContext``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import (
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse

from dashboard.core.benchmarks import measure_page
from dashboard.core.roles import PTL, ensure_role_groups
from dashboard.gerrit.models import GerritServer, Team
from dashboard.governance.demo import seed_demo_cycles
from dashboard.governance.models import CycleEvent, EventKind
from dashboard.governance.selectors import current_cycle


class Command(BaseCommand):
    help = (
        "Benchmark the cycle page (anonymous and as the PTL), the cycle list and the team "
        "calendar feed on a scratch database: p50/p95/max server time and SQL queries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=30, help="measured requests per page")
        parser.add_argument(
            "--extra-events", type=int, default=5, help="extra team events per cycle week"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
        try:
            self._measure(runs=options["runs"], extra=options["extra_events"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def _measure(self, *, runs: int, extra: int) -> None:
        server = GerritServer.objects.create(url="http://gerrit.bench.invalid")
        team = Team.objects.create(name="glance", display_name="Glance", server=server)
        cycles = seed_demo_cycles(team)
        events = [
            CycleEvent(
                cycle=cycle,
                team=team,
                kind=EventKind.TEAM,
                title=f"Bench event {n}",
                start=cycle.start + timedelta(weeks=week, days=n % 5),
                end=cycle.start + timedelta(weeks=week, days=n % 5),
            )
            for cycle in cycles
            for week in range(26)
            for n in range(extra)
        ]
        CycleEvent.objects.bulk_create(events)
        cycle = current_cycle()
        ensure_role_groups()
        ptl = User.objects.create_user("bench-ptl", password="unused")
        ptl.groups.add(Group.objects.get(name=PTL))
        total = CycleEvent.objects.count()
        self.stdout.write(f"{len(cycles)} cycles, {total} events; {runs} runs per page")
        pages = [
            (
                "cycle page, anonymous",
                reverse("governance:cycle", args=["glance", cycle.name]),
                None,
            ),
            ("cycle page, PTL", reverse("governance:cycle", args=["glance", cycle.name]), ptl),
            ("cycle list", reverse("governance:cycles", args=["glance"]), None),
            ("calendar.ics", reverse("governance:calendar", args=["glance"]), None),
        ]
        for label, path, user in pages:
            client = Client()
            if user:
                client.force_login(user)
            timing = measure_page(client, path, runs=runs, warm_ups=1)
            size = len(client.get(path).content)
            self.stdout.write(
                f"{label:24} p50 {timing.p50_ms:6.1f} ms  p95 {timing.p95_ms:6.1f} ms  "
                f"max {timing.max_ms:6.1f} ms  {timing.queries} queries  {size // 1024} KiB"
            )
