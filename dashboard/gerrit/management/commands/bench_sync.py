"""manage.py bench_sync: full-sync throughput, peak memory and the cost of a no-change sync.

Each measurement runs in fresh processes so the figures are the sync's own: the Gerrit
simulator in one process (serving over HTTP on loopback), the migration in another, and the
sync in a third whose peak resident memory (``ru_maxrss``) is reported. The database is a
throwaway SQLite file unless ``--database-url`` names a PostgreSQL server, in which case a
scratch database is created on it and dropped afterwards. Each size is measured for each
history shape (``--shape``): ``reworked``, about five patch sets and fifteen messages a change,
the shape the budget is stated for, and ``glance``, the demo's history.

Wall time on a shared machine says as much about the neighbours as about the sync, so the
CPU seconds per 1,000 changes of the syncing process (``time.process_time``, every thread),
of the simulator and, on PostgreSQL, of the database server process serving the sync (both
from ``/proc``, Linux only) are reported beside it. Each process is mostly single-core bound
(one interpreter lock, one backend) and they overlap (the sync prefetches the next page
while it stores one), so on a quiet two-core machine the rate cannot exceed 1,000 over the
largest of: any one process's seconds, and half their sum (all share two cores). That is
``cpu_bound_changes_per_second``: what the same CPU work allows without neighbours (it
leaves out time spent waiting on the disk).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from dashboard.core.benchmarks import process_cpu_seconds
from dashboard.gerrit.models import Change, Message, PatchSet, SyncRunStatus, Vote
from dashboard.gerrit.nochange import timed_sync
from dashboard.gerrit.simulator.generator import SHAPES
from dashboard.gerrit.simulator.process import SimulatorProcess
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team, simulated_team

BENCH_TEAM = simulated_team()


class Command(BaseCommand):
    help = (
        "Benchmark the Gerrit sync against the simulator on loopback: changes per second of a "
        "full sync, its peak memory, and the requests and time of a sync with nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--changes",
            type=int,
            action="append",
            help="history size; repeat for several (default: 10000 and 50000)",
        )
        parser.add_argument(
            "--shape",
            choices=tuple(SHAPES),
            action="append",
            help=(
                "history shape; repeat for several (default: both: 'reworked', about five "
                "patch sets and fifteen messages a change, which the budget is stated for, "
                "and 'glance', the demo's history)"
            ),
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--database-url",
            help="postgres://… to measure on PostgreSQL (a scratch database is created there)",
        )
        parser.add_argument("--json", action="store_true", help="print only the JSON report")
        # Internal: the measuring child process.
        parser.add_argument("--child-gerrit-url", help=argparse.SUPPRESS)
        parser.add_argument("--child-simulator-pid", type=int, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["child_gerrit_url"]:
            figures = measure_sync(
                options["child_gerrit_url"], simulator_pid=options["child_simulator_pid"]
            )
            self.stdout.write(json.dumps(figures))
            return
        report = []
        for shape in options["shape"] or ["reworked", "glance"]:
            for changes in options["changes"] or [10_000, 50_000]:
                if not options["json"]:
                    self.stderr.write(f"Measuring a full sync of {changes} {shape} changes…")
                report.append(
                    self._measure(changes, shape, options["seed"], options["database_url"])
                )
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(_table(report))
        self.stdout.write(json.dumps(report, indent=2))

    def _measure(
        self, changes: int, shape: str, seed: int, database_url: str | None
    ) -> dict[str, Any]:
        with SimulatorProcess(changes=changes, seed=seed, shape=shape) as simulator:
            url = simulator.url
            with _scratch_database(database_url) as scratch:
                env = {**os.environ, "DATABASE_URL": scratch, "TILLER_ENV": "local"}
                manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
                subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
                result = subprocess.run(
                    [*manage, "bench_sync", "--child-gerrit-url", url]
                    + ["--child-simulator-pid", str(simulator.process.pid)],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        figures["shape"] = shape
        figures["database"] = "postgresql" if database_url else "sqlite"
        return figures


def measure_sync(gerrit_url: str, *, simulator_pid: int | None = None) -> dict[str, Any]:
    """Run in the child process: a full sync, then a sync with nothing new."""
    team = import_team(definition=BENCH_TEAM, gerrit_url=gerrit_url).team
    server_pid = _database_server_pid()
    server_started = _cpu_of(server_pid)
    simulator_started = _cpu_of(simulator_pid)
    started, cpu_started = time.perf_counter(), time.process_time()
    full = sync_team(team=team)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    simulator_ended = _cpu_of(simulator_pid)
    server_ended = _cpu_of(server_pid)
    if full.status != SyncRunStatus.SUCCEEDED:
        raise CommandError(f"The benchmark sync failed: {full.error}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    again = timed_sync(team=team)
    changes = Change.objects.count()
    per_1000 = 1000 / changes
    sync_cpu = round(cpu * per_1000, 3)
    sim_cpu = None
    if simulator_started is not None and simulator_ended is not None:
        sim_cpu = round((simulator_ended - simulator_started) * per_1000, 3)
    server_cpu = None
    if server_started is not None and server_ended is not None:
        server_cpu = round((server_ended - server_started) * per_1000, 3)
    return {
        "changes": changes,
        "patch_sets_per_change": round(PatchSet.objects.count() / changes, 2),
        "messages_per_change": round(Message.objects.count() / changes, 2),
        "vote_events_per_change": round(Vote.objects.count() / changes, 2),
        "full_sync_seconds": round(seconds, 2),
        "full_sync_changes_per_second": round(changes / seconds),
        "full_sync_requests": full.requests,
        "sync_cpu_seconds_per_1000_changes": sync_cpu,
        "simulator_cpu_seconds_per_1000_changes": sim_cpu,
        "database_server_cpu_seconds_per_1000_changes": server_cpu,
        "cpu_bound_changes_per_second": round(1000 / _busiest(sync_cpu, sim_cpu, server_cpu)),
        "load_average": _load_average(),
        "peak_memory_mb": round(peak_mb, 1),
        "no_change_sync_ms": round(again.ms),
        "no_change_sync_requests": again.requests,
        "no_change_sync_changes_fetched": again.changes_fetched,
    }


def _busiest(*cpu: float | None) -> float:
    """Seconds per 1,000 changes that bound the rate on two cores (see the module doc):
    the busiest process, or half of all of them together; unknown figures are left out."""
    known = [seconds for seconds in cpu if seconds is not None]
    return max(*known, sum(known) / 2)


def _database_server_pid() -> int | None:
    """The PostgreSQL backend serving this connection, when it runs on this machine (its
    CPU is the sync's too, on the same cores); None on SQLite, which runs in-process."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if process_cpu_seconds(pid) is not None else None


def _cpu_of(pid: int | None) -> float | None:
    return process_cpu_seconds(pid) if pid is not None else None


def _load_average() -> float | None:
    """The one-minute load average when the sync ended: how crowded the cores were."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


class _scratch_database:
    """A throwaway database URL: a temporary SQLite file, or a new PostgreSQL database."""

    def __init__(self, server_url: str | None) -> None:
        self.server_url = server_url
        self.name = f"tiller_bench_{os.getpid()}"

    def __enter__(self) -> str:
        if not self.server_url:
            self.folder = tempfile.TemporaryDirectory(prefix="tiller-bench-")
            return f"sqlite:///{self.folder.name}/bench.sqlite3"
        self._admin(f'CREATE DATABASE "{self.name}"')
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path=f"/{self.name}"))

    def __exit__(self, *exc_info: object) -> None:
        if not self.server_url:
            self.folder.cleanup()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')

    def _admin(self, statement: str) -> None:
        import psycopg  # only needed, and only installed-checked, for PostgreSQL runs

        parts = urlsplit(self.server_url or "")
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(statement)


def _table(report: list[dict[str, Any]]) -> str:
    lines = [
        "changes  shape     db          changes/s  CPU s/1000 sync  sim  db server  CPU-bound/s"
        "  peak MB"
        "  no-change sync  (requests)  ps/ch  msg/ch  load",
    ]
    for row in report:
        simulator = row["simulator_cpu_seconds_per_1000_changes"]
        lines.append(
            f"{row['changes']:>7}  {row['shape']:<8}  {row['database']:<10}"
            f"  {row['full_sync_changes_per_second']:>9}"
            f"  {row['sync_cpu_seconds_per_1000_changes']:>15}  {simulator or '-':>5}"
            f"  {row.get('database_server_cpu_seconds_per_1000_changes') or '-':>9}"
            f"  {row['cpu_bound_changes_per_second']:>11}"
            f"  {row['peak_memory_mb']:>7}  {row['no_change_sync_ms']:>11} ms"
            f"  {row['no_change_sync_requests']:>10}  {row['patch_sets_per_change']:>5}"
            f"  {row['messages_per_change']:>6}  {row['load_average'] or '-'}"
        )
    return "\n".join(lines)
