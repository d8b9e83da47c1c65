"""The load test behind ``manage.py loadtest``: gunicorn on loopback, locust at a steady rate.

The site is served the way production serves it (gunicorn, threads, persistent database
connections) from the current database, and locust (a dev dependency) requests a team's
public pages as anonymous visitors for a bounded time at a steady rate. Everything stays on
127.0.0.1 and stops by itself.

Latency is what the visitors saw (queueing included). On a small shared machine the load
generator competes with the server for the same cores, so the report also gives the CPU
time the server's processes used during the run (from /proc) and the load average.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import reverse

from dashboard.gerrit.models import Change, Team
from dashboard.gerrit.selectors import busiest_team
from dashboard.reviews.models import Dashboard

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# A query like the ones people type: open changes with a +2 and no -1.
SEARCH_QUERY = "status:open label:Code-Review>=2 NOT label:Code-Review<=-1"
CHANGE_PAGES = 10


class LoadTestError(Exception):
    """The load test could not run (no data, a page failing before the load, no server)."""


@dataclass(frozen=True)
class Page:
    """One URL of the mix; ``name`` groups it in the report (all change pages are "change")."""

    name: str
    path: str


@dataclass(frozen=True)
class LoadReport:
    """What a run measured. Times in milliseconds, CPU in seconds; ``server_cpu`` is None
    where /proc is not available. ``database_connections`` is how many connections
    PostgreSQL had open to the database when the load ended, this command's own included
    (None on SQLite): persistent connections stay open, so it is also the peak."""

    rate: float
    seconds: float
    requests: int
    failures: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    pages: dict[str, dict[str, Any]]
    errors: list[dict[str, Any]]
    server_cpu: float | None
    load_generator_cpu: float
    load_average: tuple[float, float]
    database_connections: int | None


def default_team() -> Team:
    """``glance`` (the demo's team) if there is one, else the team with the most changes."""
    team = Team.objects.filter(name="glance").first() or busiest_team()
    if team is None:
        raise LoadTestError(
            "The database has no team: run with --prepare (a demo team), or `manage.py demo "
            "--no-serve` first."
        )
    return team


def public_pages(*, team: Team) -> list[Page]:
    """The pages an anonymous visitor of ``team`` reads, as first requested (the current cycle
    and this week's priorities redirect; ``resolve_pages`` follows that)."""
    name = team.name
    pages = [
        Page("team overview", reverse("gerrit:team", args=[name])),
        Page("change list", reverse("gerrit:changes", args=[name])),
    ]
    numbers = (
        Change.objects.in_team(team)
        .order_by("-updated")
        .values_list("number", flat=True)[:CHANGE_PAGES]
    )
    if not numbers:
        raise LoadTestError(f"Team {name} has no changes: sync it first.")
    pages += [Page("change", reverse("gerrit:change", args=[name, number])) for number in numbers]
    dashboard = Dashboard.objects.filter(team=team).order_by("pk").first()
    if dashboard is not None:
        pages.append(Page("dashboard", reverse("reviews:dashboard", args=[name, dashboard.slug])))
    pages += [
        Page("reviewer activity", reverse("health:reviewers", args=[name]) + "?days=180"),
        Page("open reviews", reverse("health:open-reviews", args=[name])),
        Page("specs", reverse("governance:specs", args=[name])),
        Page("cycle", reverse("governance:cycle-current", args=[name])),
        Page("weekly priorities", reverse("reports:weekly-current", args=[name])),
        Page(
            "search", reverse("reviews:search") + "?" + urlencode({"team": name, "q": SEARCH_QUERY})
        ),
    ]
    return pages


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(*, port: int, workers: int, threads: int, log: Path) -> Iterator[subprocess.Popen]:
    """Serve the site with gunicorn on 127.0.0.1:``port`` until the block ends, with the
    production settings file (``dashboard/gunicorn.conf.py``) and these flags over it."""
    command = [
        sys.executable, "-m", "gunicorn", "--config", "dashboard/gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread", "--graceful-timeout", "10", "--error-logfile", str(log),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=settings.BASE_DIR)
    try:
        _wait_until_serving(server, f"http://127.0.0.1:{port}/", log)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_serving(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadTestError(f"gunicorn stopped at start:\n{_tail(log)}")
        # The first answer waits for the workers to import Django: allow it time.
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=30).status_code < 500:
                return
        time.sleep(0.2)
    raise LoadTestError(f"gunicorn did not answer {url} within 60 s:\n{_tail(log)}")


def resolve_pages(base_url: str, pages: list[Page]) -> list[Page]:
    """Request each page once, follow redirects, and return the final paths; a page that
    does not answer 200 stops the test before the load."""
    login = resolve_url(settings.LOGIN_URL)
    resolved = []
    for page in pages:
        response = requests.get(base_url + page.path, timeout=60)
        if response.status_code != 200:
            raise LoadTestError(f"{page.name} ({page.path}) answered HTTP {response.status_code}")
        final = response.url.removeprefix(base_url)
        if final.startswith(login):
            raise LoadTestError(f"{page.name} ({page.path}) asks anonymous visitors to sign in")
        resolved.append(Page(page.name, final))
    return resolved


def warm_up(base_url: str, pages: list[Page], *, workers: int, threads: int) -> None:
    """Request every page ``workers`` times, ``workers * threads`` at once, so that each
    gunicorn worker has most likely loaded its URLs, templates and database connections
    before the clock starts (a cold worker's first pages take seconds)."""
    urls = [base_url + page.path for page in pages for _ in range(workers)]
    with ThreadPoolExecutor(max_workers=workers * threads) as pool:
        list(pool.map(lambda url: requests.get(url, timeout=60), urls))


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by a process and its children: gunicorn's
    master and workers. None without Linux's /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for process in [pid, *map(int, children)]:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return total


def database_connections() -> int | None:
    """Connections PostgreSQL has open to the current database (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def run_locust(
    *, base_url: str, pages: list[Page], rate: float, seconds: int, workdir: Path
) -> dict[str, Any]:
    """Run locust headless against ``base_url`` for ``seconds``; its JSON statistics."""
    pages_file, report_file = workdir / "pages.json", workdir / "report.json"
    pages_file.write_text(json.dumps([[page.name, page.path] for page in pages]))
    users = max(1, math.ceil(rate))  # each user at most one page a second
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", base_url, "--stop-timeout", "10", "--only-summary",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
        "--tiller-pages", str(pages_file), "--tiller-rate", str(rate),
        "--tiller-users", str(users), "--tiller-seconds", str(seconds),
        "--tiller-report", str(report_file),
    ]  # fmt: skip
    log = workdir / "locust.log"
    with log.open("w") as output:
        finished = subprocess.run(
            command, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT,
            timeout=seconds + 120, check=False,
        )  # fmt: skip
    if finished.returncode != 0 or not report_file.exists():
        raise LoadTestError(f"locust failed (exit {finished.returncode}):\n{_tail(log)}")
    return json.loads(report_file.read_text())


def run_load_test(
    *,
    pages: list[Page],
    rate: float,
    seconds: int,
    port: int,
    workers: int,
    threads: int,
    workdir: Path,
) -> LoadReport:
    """Serve with gunicorn, resolve and warm the pages, then run the load and measure."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    with gunicorn(
        port=port, workers=workers, threads=threads, log=workdir / "gunicorn.log"
    ) as server:
        pages = resolve_pages(base_url, pages)
        warm_up(base_url, pages, workers=workers, threads=threads)
        load_before = os.getloadavg()[0]
        cpu_before = process_tree_cpu(server.pid)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        stats = run_locust(
            base_url=base_url, pages=pages, rate=rate, seconds=seconds, workdir=workdir
        )
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_after = process_tree_cpu(server.pid)
        load_after = os.getloadavg()[0]
        connections = database_connections()
    total = stats["total"]
    return LoadReport(
        rate=rate,
        seconds=total["seconds"],
        requests=total["requests"],
        failures=total["failures"],
        requests_per_second=total["requests_per_second"],
        p50_ms=total["p50_ms"],
        p95_ms=total["p95_ms"],
        max_ms=total["max_ms"],
        pages=stats["pages"],
        errors=stats["errors"],
        server_cpu=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        load_generator_cpu=(children_after.ru_utime + children_after.ru_stime)
        - (children_before.ru_utime + children_before.ru_stime),
        load_average=(load_before, load_after),
        database_connections=connections,
    )


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
