"""How the benchmark commands time things: one loop, one way to state percentiles.

Every ``bench_*`` command measures a call (a selector, a page through Django's test client)
the same way: a few unmeasured warm-ups, then ``runs`` measured calls, each with its SQL
queries captured; p50 and p95 are ``statistics.quantiles(n=20, method="inclusive")`` cuts 9
and 18. CPU time is reported beside wall time because these machines are shared: with
SQLite in the same process, CPU time is the work's own cost even when other processes
crowd the cores. After the warm-ups the process's long-lived objects are frozen out of the
garbage collector's full passes, as a served worker's are (``core.longlived``).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard.core.longlived import freeze_long_lived_objects

WARM_UPS = 2
P95_METHOD = 'statistics.quantiles(n=20, method="inclusive")[18]'


@dataclass(frozen=True)
class Timing:
    """Milliseconds over the measured runs, and the SQL queries one run made."""

    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    queries: int
    queries_constant: bool

    def report(self, *keys: str) -> dict[str, Any]:
        """The named figures (all of them when none is named), for a JSON report."""
        figures = asdict(self)
        return {key: figures[key] for key in keys} if keys else figures


def measure(call: Callable[[], object], *, runs: int, warm_ups: int = WARM_UPS) -> Timing:
    """Time ``call`` ``runs`` times after ``warm_ups`` unmeasured calls (``runs`` >= 2)."""
    times: list[float] = []
    cpu_times: list[float] = []
    queries: set[int] = set()
    for run in range(warm_ups + runs):
        if run == warm_ups:
            freeze_long_lived_objects()  # as a served worker has (dashboard/gunicorn.conf.py)
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            call()
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
        if run >= warm_ups:
            times.append(elapsed)
            cpu_times.append(cpu)
            queries.add(len(captured.captured_queries))
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    cpu_cuts = statistics.quantiles(cpu_times, n=20, method="inclusive")
    return Timing(
        p50_ms=round(cuts[9], 1),
        p95_ms=round(cuts[18], 1),
        max_ms=round(max(times), 1),
        cpu_p50_ms=round(cpu_cuts[9], 1),
        cpu_p95_ms=round(cpu_cuts[18], 1),
        queries=max(queries),
        queries_constant=len(queries) == 1,
    )


def measure_page(
    client: Client,
    url: str,
    *,
    runs: int,
    warm_ups: int = WARM_UPS,
    headers: Mapping[str, str] | None = None,
) -> Timing:
    """Time GET ``url`` through ``client``; any answer but 200 stops the benchmark."""

    def get() -> None:
        response = client.get(url, headers=dict(headers or {}))
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}")

    return measure(get, runs=runs, warm_ups=warm_ups)


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system, all threads) another process has used so far.

    For benchmarks that drive a server in a process of its own (the Gerrit simulator):
    the difference of two readings is that process's share of the work, which a loaded
    machine does not inflate the way it inflates wall time. Reads ``/proc``, so Linux
    only; None elsewhere or when the process is gone.
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The command name (field 2) may hold spaces: count fields after its ")".
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")
