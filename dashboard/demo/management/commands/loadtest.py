"""manage.py loadtest [--prepare] [--seconds 60] [--rate 20] [--team NAME]"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from dashboard.demo.loadtest import (
    LoadReport,
    LoadTestError,
    default_team,
    public_pages,
    run_load_test,
)
from dashboard.gerrit.models import Team


def positive(kind: type) -> Any:
    def parse(value: str) -> Any:
        number = kind(value)
        if not number > 0 or number == float("inf"):
            raise ValueError(value)
        return number

    parse.__name__ = kind.__name__
    return parse


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn on loopback and have locust request a team's public pages "
        "as anonymous visitors at a steady rate for a bounded time; print requests/s, p50/p95 "
        "latency and errors, and fail when any request failed. Uses the current database "
        "(DATABASE_URL); --prepare first fills it with the demo's team."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=positive(int), default=60, help="length of the run")
        parser.add_argument("--rate", type=positive(float), default=20.0, help="requests a second")
        parser.add_argument("--team", help="team whose pages to request (default: glance)")
        parser.add_argument("--port", type=int, default=0, help="loopback port (default: any free)")
        parser.add_argument("--workers", type=positive(int), default=2, help="gunicorn processes")
        parser.add_argument("--threads", type=positive(int), default=4, help="threads per process")
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="first load the demo's team into the database (`demo --no-serve`)",
        )
        parser.add_argument("--changes", type=positive(int), default=3000, help="with --prepare")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "loadtest serves on loopback with local settings: run it with TILLER_ENV=local "
                "and DATABASE_URL pointing at the database to test (a copy, not production's)."
            )
        if importlib.util.find_spec("locust") is None:
            raise CommandError("locust is not installed: it is a dev dependency (`uv sync`).")
        if options["prepare"]:
            call_command(
                "demo", no_serve=True, changes=options["changes"], gerrit_port=0,
                stdout=self.stderr, stderr=self.stderr,
            )  # fmt: skip
        try:
            team = Team.objects.get(name=options["team"]) if options["team"] else default_team()
            pages = public_pages(team=team)
        except Team.DoesNotExist:
            raise CommandError(f"No team named {options['team']!r}") from None
        except LoadTestError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"Load test of {team.name}: {options['seconds']} s at {options['rate']:g} requests/s "
            f"over {len(pages)} pages, gunicorn {options['workers']} workers x "
            f"{options['threads']} threads, {describe_database()}"
        )
        with tempfile.TemporaryDirectory(prefix="tiller-loadtest-") as workdir:
            try:
                report = run_load_test(
                    pages=pages,
                    rate=options["rate"],
                    seconds=options["seconds"],
                    port=options["port"],
                    workers=options["workers"],
                    threads=options["threads"],
                    workdir=Path(workdir),
                )
            except LoadTestError as exc:
                raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), indent=1))
        else:
            self.stdout.write(render(report))
        if report.failures:
            raise CommandError(f"{report.failures} of {report.requests} requests failed")


def describe_database() -> str:
    """The database under test, without credentials."""
    config = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite {config['NAME']}"
    return f"{connection.vendor} {config['NAME']} on {config.get('HOST') or 'localhost'}"


def render(report: LoadReport) -> str:
    lines = [f"{'page':<20}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'errors':>8}"]
    for name, figures in report.pages.items():
        lines.append(
            f"{name:<20}{figures['requests']:>9}{figures['p50_ms']:>8.0f}{figures['p95_ms']:>8.0f}"
            f"{figures['max_ms']:>8.0f}{figures['failures']:>8}"
        )
    lines.append(
        f"total: {report.requests} requests in {report.seconds:.1f} s = "
        f"{report.requests_per_second:.1f} requests/s (asked {report.rate:g}); "
        f"p50 {report.p50_ms:.0f} ms, p95 {report.p95_ms:.0f} ms, max {report.max_ms:.0f} ms; "
        f"{report.failures} errors"
    )
    cpu = "unknown" if report.server_cpu is None else f"{report.server_cpu:.1f} s"
    per_request = (
        f" ({1000 * report.server_cpu / report.requests:.0f} ms a request)"
        if report.server_cpu is not None and report.requests
        else ""
    )
    lines.append(
        f"server CPU {cpu}{per_request}; load generator CPU {report.load_generator_cpu:.1f} s; "
        f"load average {report.load_average[0]:.2f} -> {report.load_average[1]:.2f}"
    )
    if report.database_connections is not None:
        lines.append(
            f"PostgreSQL connections to the database at the end: {report.database_connections} "
            "(this command's included)"
        )
    lines += [f"error: {e['page']}: {e['error']} (x{e['count']})" for e in report.errors]
    return "\n".join(lines)
