"""manage.py bench_specs: how long importing a specs tree takes, and the specs pages' speed.

Like ``bench_dashboard``, it works in a fresh process on a scratch database (a throwaway
SQLite file, or a scratch database on the PostgreSQL server ``--database-url`` names), so
the user's database is never touched. The child imports the tree (``--path``, by default
../shared/data/specs/glance-specs when present) through the real importer and times it,
then bulk-creates ``--specs`` generated specs (default 5,000) spread over cycles, states,
deliverables and kinds, and requests the pages with Django's test client: server time is
``time.perf_counter`` around ``client.get``, queries are counted with
``CaptureQueriesContext``; p50/p95 are ``statistics.quantiles(n=20, method="inclusive")``
[9] and [18].
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.urls import reverse

from dashboard.core.benchmarks import WARM_UPS, measure_page
from dashboard.gerrit.management.commands.bench_sync import _scratch_database
from dashboard.gerrit.models import GerritServer, Team
from dashboard.governance.models import (
    Cycle,
    CycleEvent,
    EventKind,
    Spec,
    SpecKind,
    SpecState,
    SpecStateChange,
)
from dashboard.governance.specs_import import import_specs
from dashboard.governance.specs_tree import SERIES

DEFAULT_TREE = Path(settings.BASE_DIR).parent / "shared" / "data" / "specs" / "glance-specs"
BENCH_TEAM = "bench-specs"
STATES = (
    [SpecState.APPROVED] * 5
    + [SpecState.IMPLEMENTED] * 3
    + [
        SpecState.PROPOSED,
        SpecState.ABANDONED,
    ]
)
DELIVERABLES = ("glance", "glance_store", "python-glanceclient")


class Command(BaseCommand):
    help = (
        "Benchmark the specs importer (a specs tree, glance-specs by default) and the specs "
        "pages over 5,000 generated specs: p50/p95 server time and SQL queries per page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", help=f"specs tree to import (default {DEFAULT_TREE})")
        parser.add_argument("--specs", type=int, default=5000, help="generated specs")
        parser.add_argument("--runs", type=int, default=30, help="measured requests per page")
        parser.add_argument("--database-url", help="postgres://… to measure on PostgreSQL")
        parser.add_argument("--json", action="store_true", help="print only the JSON report")
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 2:
            raise CommandError("--runs must be at least 2 (percentiles need two samples)")
        path = options["path"] or (str(DEFAULT_TREE) if DEFAULT_TREE.is_dir() else "")
        if options["path"] and not Path(options["path"]).is_dir():
            raise CommandError(f"{options['path']}: no such folder")
        if options["child"]:
            report = measure_specs(path=path, specs=options["specs"], runs=options["runs"])
            self.stdout.write(json.dumps(report))
            return
        database_url = options["database_url"]
        with _scratch_database(database_url) as scratch:
            env = {**os.environ, "DATABASE_URL": scratch, "TILLER_ENV": "local"}
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
            child = [*manage, "bench_specs", "--child", "--specs", str(options["specs"])]
            child += ["--runs", str(options["runs"])] + (["--path", path] if path else [])
            result = subprocess.run(child, env=env, check=True, stdout=subprocess.PIPE, text=True)
        report = json.loads(result.stdout.strip().splitlines()[-1])
        report["database"] = "postgresql" if database_url else "sqlite"
        if not options["json"]:
            self.stdout.write(_table(report))
        self.stdout.write(json.dumps(report, indent=2))


def measure_specs(*, path: str, specs: int, runs: int) -> dict[str, Any]:
    """Run in the child process on a migrated scratch database."""
    server = GerritServer.objects.create(url="http://gerrit.bench.invalid")
    report: dict[str, Any] = {"runs": runs, "warm_ups": WARM_UPS}
    if path:
        tree_team = Team.objects.create(name="bench-tree", server=server)
        started = time.perf_counter()
        result = import_specs(team=tree_team, source=path)
        report["import"] = {
            "path": path,
            "seconds": round(time.perf_counter() - started, 2),
            "specs": Spec.objects.filter(team=tree_team).count(),
            "problems": len(result.problems),
        }
    else:
        report["import"] = None
    team = Team.objects.create(name=BENCH_TEAM, server=server)
    _generate(team, specs)
    report["specs"] = Spec.objects.filter(team=team).count()
    first = Spec.objects.filter(team=team).order_by("pk").first()
    assert first is not None
    pages = {
        "list": reverse("governance:specs", args=[team.name]),
        "list ?q=cache": reverse("governance:specs", args=[team.name]) + "?q=cache",
        "list filtered, htmx": reverse("governance:specs", args=[team.name])
        + "?cycle=pike&state=approved&kind=spec",
        "spec": reverse("governance:spec", args=[team.name, first.deliverable, first.slug]),
        "untargeted": reverse("governance:specs-untargeted", args=[team.name]),
        "turnaround": reverse("governance:specs-turnaround", args=[team.name]),
    }
    client = Client(HTTP_HOST="localhost")
    report["pages"] = {
        name: {"url": url}
        | measure_page(
            client, url, runs=runs, headers={"HX-Request": "true"} if "htmx" in name else None
        ).report("p50_ms", "p95_ms", "queries", "queries_constant")
        for name, url in pages.items()
    }
    return report


def _generate(team: Team, count: int) -> None:
    """``count`` specs over every series, with freezes, history rows and turnaround days."""
    cycles = [Cycle.objects.get_or_create(name=name)[0] for name in SERIES[8:]]
    CycleEvent.objects.bulk_create(
        CycleEvent(
            cycle=cycle,
            kind=EventKind.SPEC_FREEZE,
            title="Spec freeze",
            start=date(2010, 1, 4) + timedelta(weeks=26 * index),
            end=date(2010, 1, 8) + timedelta(weeks=26 * index),
        )
        for index, cycle in enumerate(cycles)
    )
    words = ("cache", "import", "store", "quota", "policy", "metadata", "hash", "upload")
    rows = []
    for n in range(count):
        state = STATES[n % len(STATES)]
        untargeted = n % 23 == 0
        proposed = date(2010, 1, 1) + timedelta(days=n % 3000)
        rows.append(
            Spec(
                team=team,
                slug=f"spec-{n:05}",
                title=f"{words[n % len(words)].capitalize()} improvement number {n}",
                deliverable=DELIVERABLES[n % len(DELIVERABLES)],
                cycle=None if untargeted else cycles[n % len(cycles)],
                kind=SpecKind.LITE if n % 4 == 0 else SpecKind.SPEC,
                state=SpecState.UNTARGETED if untargeted else state,
                path=f"specs/x/approved/spec-{n:05}.rst",
                authors=[f"author{n % 97}"],
                html=f"<h1>Spec {n}</h1>" + "<p>Text of the spec.</p>" * 40,
                proposed_on=proposed,
                approved_on=proposed + timedelta(days=n % 60),
                turnaround_days=n % 60,
            )
        )
    Spec.objects.bulk_create(rows, batch_size=500)
    steps = [
        SpecStateChange(spec=spec, state=SpecState.APPROVED, date=spec.approved_on)
        for spec in Spec.objects.filter(team=team).only("pk", "approved_on")
    ]
    SpecStateChange.objects.bulk_create(steps, batch_size=500)


def _table(report: dict[str, Any]) -> str:
    lines = []
    if report["import"]:
        imp = report["import"]
        lines.append(
            f"Import of {imp['path']}: {imp['specs']} specs in {imp['seconds']} s "
            f"({imp['problems']} files not imported)"
        )
    else:
        lines.append("Import: no tree given and ../shared/data/specs/glance-specs absent")
    lines.append(
        f"Pages over {report['specs']} specs ({report['database']}, {report['runs']} runs):"
    )
    for name, page in report["pages"].items():
        lines.append(
            f"  {name:<22} p50 {page['p50_ms']:>7.1f} ms  p95 {page['p95_ms']:>7.1f} ms  "
            f"{page['queries']} queries{'' if page['queries_constant'] else ' (varies)'}"
        )
    return "\n".join(lines)
