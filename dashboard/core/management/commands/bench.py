"""manage.py bench: issue 7's figures in one JSON report, on SQLite and on PostgreSQL.

For each database (a scratch SQLite file, and a scratch database on the PostgreSQL server
``--database-url`` names), in fresh processes so that nothing is shared between figures
and the user's own database is never touched:

1. the full sync's throughput and peak memory over HTTP from the one-team simulator
   (``bench_sync``, reworked shape, at each ``--sync-changes`` size);
2. the forge, a many-team server (``load_forge``: by default 50 teams, 500 repositories,
   300,000 changes, 5,000 accounts), bulk-loaded into a new scratch database with a
   history that ends now, so the 180-day reviewer window has reviews in it;
3. the same forge served over HTTP (``ForgeSimulator``), and a sync with nothing new of
   one team, then of every team in turn (``gerrit.nochange``);
4. the main pages of its busiest team (``core.pagebench``), each timed ``--runs`` times
   through Django's test client: p50/p95/max server time and the SQL query count.

Each figure is checked against the issue's budget (stated for PostgreSQL; the SQLite run
is checked against the same numbers for comparison) and the report says which hold.
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

from dashboard.core import pagebench
from dashboard.gerrit.management.commands.bench_sync import _scratch_database
from dashboard.gerrit.nochange import NoChangeSyncError, no_change_syncs
from dashboard.gerrit.simulator.forge import (
    DEFAULT_ACCOUNTS,
    DEFAULT_CHANGES,
    DEFAULT_REPOSITORIES,
    DEFAULT_TEAMS,
)
from dashboard.gerrit.simulator.process import SimulatorProcess

PAGE_P95_BUDGET_MS = 200.0
SYNC_BUDGET_CHANGES_PER_SECOND = 1000
MEMORY_GROWTH_BUDGET = 0.20  # peak memory at the largest sync size over the smallest
SYNC_SIZES = (10_000, 50_000)
NO_CHANGE_BUDGET_MS = 200.0
# A sync asks two queries: the core group's members, then the changes updated since the last
# sync; with nothing new each fits in one request.
NO_CHANGE_REQUESTS = 2


class Command(BaseCommand):
    help = (
        "Issue 7's benchmark: full-sync throughput and peak memory, and the p50/p95 server "
        "time and SQL queries of every main page of the busiest team of a bulk-loaded "
        "many-team history, on SQLite and (with --database-url) on PostgreSQL; prints JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url",
            help="postgres://… server to measure on too (a scratch database is created there)",
        )
        parser.add_argument("--no-sqlite", action="store_true", help="measure on PostgreSQL only")
        parser.add_argument("--teams", type=int, default=DEFAULT_TEAMS)
        parser.add_argument("--repositories", type=int, default=DEFAULT_REPOSITORIES)
        parser.add_argument("--changes", type=int, default=DEFAULT_CHANGES)
        parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
        parser.add_argument(
            "--sync-changes",
            type=int,
            action="append",
            help="full-sync sizes; repeat for several (default: 10000 and 50000)",
        )
        parser.add_argument("--runs", type=int, default=20, help="measured requests per page")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="print only the JSON report")
        # Internal: the child process that times the pages on the scratch database.
        parser.add_argument("--child-pages", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--child-no-change", metavar="GERRIT_URL", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 2:
            raise CommandError("--runs must be at least 2 (percentiles need two samples)")
        self.quiet = options["json"]
        self.started = time.perf_counter()
        if options["child_pages"]:
            self.stdout.write(json.dumps(_time_pages_here(options["runs"], self._step)))
            return
        if options["child_no_change"]:
            try:
                report = no_change_syncs(gerrit_url=options["child_no_change"])
            except NoChangeSyncError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(json.dumps(report))
            return
        if options["no_sqlite"] and not options["database_url"]:
            raise CommandError("--no-sqlite needs --database-url")
        databases = [] if options["no_sqlite"] else [None]
        if options["database_url"]:
            databases.append(options["database_url"])
        report = {
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": _machine(),
            "forge": {
                key: options[key] for key in ("teams", "repositories", "changes", "accounts")
            },
            "databases": [self._measure(url, options) for url in databases],
        }
        report["seconds"] = round(time.perf_counter() - self.started)
        if not self.quiet:
            self.stdout.write(_summary(report))
        self.stdout.write(json.dumps(report, indent=2))

    def _measure(self, database_url: str | None, options: dict[str, Any]) -> dict[str, Any]:
        vendor = "postgresql" if database_url else "sqlite"
        sync = []
        for changes in options["sync_changes"] or SYNC_SIZES:
            self._step(f"{vendor}: full sync of {changes:,} changes over HTTP")
            command = ["bench_sync", "--json", "--shape", "reworked", "--changes", str(changes)]
            command += ["--seed", str(options["seed"])]
            if database_url:
                command += ["--database-url", database_url]
            sync += json.loads(_manage(command, env=os.environ.copy()))
        with _scratch_database(database_url) as scratch:
            env = {**os.environ, "DATABASE_URL": scratch, "TILLER_ENV": "local"}
            self._step(f"{vendor}: migrating a scratch database")
            _manage(["migrate", "-v0"], env=env)
            self._step(f"{vendor}: loading the forge ({options['changes']:,} changes)")
            sizes = {key: options[key] for key in ("teams", "repositories", "changes", "accounts")}
            end = datetime.now(UTC).replace(microsecond=0).isoformat()
            load = ["load_forge", "--seed", str(options["seed"]), "--end", end]
            if self.quiet:
                load.append("--json")
            for key, value in sizes.items():
                load += [f"--{key}", str(value)]
            forge = _last_json_line(_manage(load, env=env, progress=not self.quiet))
            self._step(f"{vendor}: serving the same forge over HTTP")
            with SimulatorProcess(forge={**sizes, "end": end}, seed=options["seed"]) as gerrit:
                self._step(f"{vendor}: syncs with nothing new, one team then every team")
                no_change = json.loads(_manage(["bench", "--child-no-change", gerrit.url], env=env))
            self._step(f"{vendor}: timing the busiest team's pages")
            pages = json.loads(
                _manage(["bench", "--child-pages", "--runs", str(options["runs"])], env=env)
            )
        return {
            "database": vendor,
            "sync": sync,
            "forge_load": forge,
            "no_change_sync": no_change,
            **pages,
            "budgets": _budgets(sync, pages["pages"], no_change),
        }

    def _step(self, what: str) -> None:
        if not self.quiet:
            self.stderr.write(f"[{time.perf_counter() - self.started:6.0f} s] {what}…")


def _time_pages_here(runs: int, step: Any) -> dict[str, Any]:
    """In the child: prepare the busiest team and time its pages."""
    team = pagebench.busiest_team()
    core = pagebench.prepare_team(team, progress=lambda what: step(f"preparing {what}"))
    return pagebench.time_pages(team, core, runs=runs)


def _budgets(
    sync: list[dict[str, Any]], pages: dict[str, Any], no_change: dict[str, Any]
) -> dict[str, Any]:
    """Issue 7's budgets, each with what was measured and whether it holds. The no-change
    sync's budget is for one team of the big server; its request budget is one request per
    query Tiller sends (the core group's members, then one page of changes)."""
    slowest = max(pages.items(), key=lambda item: item[1]["p95_ms"])
    rates = [run["full_sync_changes_per_second"] for run in sync]
    memory = [run["peak_memory_mb"] for run in sync]
    growth = memory[-1] / memory[0] - 1 if memory else 0.0
    one_team = no_change["one_team"]
    return {
        "page_p95_under_ms": {
            "budget": PAGE_P95_BUDGET_MS,
            "slowest_page": slowest[0],
            "slowest_p95_ms": slowest[1]["p95_ms"],
            "over_budget": sorted(
                name for name, page in pages.items() if page["p95_ms"] >= PAGE_P95_BUDGET_MS
            ),
            "met": slowest[1]["p95_ms"] < PAGE_P95_BUDGET_MS,
        },
        "queries_constant": {
            "met": all(page["queries_constant"] for page in pages.values()),
        },
        "full_sync_changes_per_second": {
            "budget": SYNC_BUDGET_CHANGES_PER_SECOND,
            "measured": rates,
            "met": bool(rates) and min(rates) >= SYNC_BUDGET_CHANGES_PER_SECOND,
        },
        "peak_memory_growth": {
            "budget": MEMORY_GROWTH_BUDGET,
            "measured": round(growth, 3),
            "met": growth <= MEMORY_GROWTH_BUDGET,
        },
        "no_change_sync_one_team_ms": {
            "budget": NO_CHANGE_BUDGET_MS,
            "measured": one_team["ms"],
            "met": one_team["ms"] < NO_CHANGE_BUDGET_MS,
        },
        "no_change_sync_one_team_requests": {
            "budget": NO_CHANGE_REQUESTS,
            "measured": one_team["requests"],
            "met": one_team["requests"] <= NO_CHANGE_REQUESTS,
        },
    }


def _manage(arguments: list[str], *, env: dict[str, str], progress: bool = False) -> str:
    """Run ``manage.py`` in a fresh process and return its standard output; its standard
    error (progress, or a traceback) passes through only when asked or when it fails."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
    result = subprocess.run(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if progress else subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()[-20:]
        raise CommandError(
            f"`manage.py {' '.join(arguments)}` failed (exit {result.returncode}):\n"
            + "\n".join(detail)
        )
    return result.stdout


def _last_json_line(output: str) -> dict[str, Any]:
    return json.loads(output.strip().splitlines()[-1])


def _machine() -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        memory_gb = None
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": sys.version.split()[0],
        "load_average_at_start": load,
    }


def _summary(report: dict[str, Any]) -> str:
    """The report as a table a person reads; the JSON follows it."""
    lines = [
        f"{report['seconds']} s on {report['machine']['cpu']} ({report['machine']['cpus']} CPUs)"
    ]
    for database in report["databases"]:
        vendor = database["database"]
        lines.append(f"\n{vendor}: pages of team {database['team']} (ms)")
        lines.append(f"  {'page':<44} {'p50':>7} {'p95':>7} {'queries':>8}")
        for name, page in database["pages"].items():
            constant = "" if page["queries_constant"] else " (varies)"
            lines.append(
                f"  {name:<44} {page['p50_ms']:7.1f} {page['p95_ms']:7.1f} "
                f"{page['queries']:8}{constant}"
            )
        for run in database["sync"]:
            lines.append(
                f"  full sync of {run['changes']:,} changes: "
                f"{run['full_sync_changes_per_second']:,}/s, peak {run['peak_memory_mb']} MB; "
                f"nothing new: {run['no_change_sync_requests']} requests, "
                f"{run['no_change_sync_ms']} ms"
            )
        one, every = database["no_change_sync"]["one_team"], database["no_change_sync"]["all_teams"]
        lines.append(
            f"  sync with nothing new: {one['team']} {one['requests']} requests, {one['ms']} ms; "
            f"all {every['teams']} teams {every['requests']} requests, {every['ms']} ms"
        )
        load = database["forge_load"]
        lines.append(
            f"  forge load: {load['changes']:,} changes in {load['load_seconds']} s "
            f"({load['changes_per_second']:,}/s)"
        )
        for budget, verdict in database["budgets"].items():
            lines.append(f"  budget {budget}: {'holds' if verdict['met'] else 'MISSED'}")
    return "\n".join(lines)
