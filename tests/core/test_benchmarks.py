"""The benchmark commands' one timing loop: warm-ups unmeasured, queries counted per run."""

from __future__ import annotations

import gc
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from dashboard.core.benchmarks import measure, process_cpu_seconds

pytestmark = pytest.mark.django_db


def test_measure_counts_the_queries_of_one_run_and_skips_the_warm_ups():
    calls = []

    def call():
        calls.append(1)
        list(Group.objects.all())

    timing = measure(call, runs=3, warm_ups=2)
    assert len(calls) == 5
    assert (timing.queries, timing.queries_constant) == (1, True)
    assert timing.p50_ms <= timing.p95_ms <= timing.max_ms


def test_a_query_count_that_varies_between_runs_is_reported_as_such():
    counter = iter(range(10))

    def call():
        for _ in range(next(counter) % 2 + 1):
            list(Group.objects.all())

    timing = measure(call, runs=4, warm_ups=0)
    assert (timing.queries, timing.queries_constant) == (2, False)


def test_report_names_the_figures_asked_for():
    timing = measure(lambda: None, runs=2, warm_ups=0)
    assert timing.report("p50_ms", "queries") == {"p50_ms": timing.p50_ms, "queries": 0}
    assert set(timing.report()) >= {"cpu_p50_ms", "cpu_p95_ms", "queries_constant"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_process_cpu_seconds_counts_what_another_process_burns():
    spin = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"
    child = subprocess.Popen([sys.executable, "-c", spin + "input()"], stdin=subprocess.PIPE)
    try:
        before = process_cpu_seconds(child.pid)
        assert before is not None
        # /proc counts whole clock ticks, so wait for less than the child burns (waiting for
        # all of it could wait forever on a reading a tick short), and not past a deadline.
        deadline = time.monotonic() + 30
        while (process_cpu_seconds(child.pid) or 0) < 0.3:
            assert time.monotonic() < deadline, "the child's CPU time never showed in /proc"
        assert process_cpu_seconds(child.pid) - before > 0
    finally:
        child.communicate(b"\n", timeout=10)


def test_process_cpu_seconds_of_a_process_that_is_gone_is_none():
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert process_cpu_seconds(int(child.stdout)) is None


def test_measure_freezes_what_is_alive_after_the_warm_ups_before_the_timed_runs():
    gc.unfreeze()
    frozen_when_called: list[int] = []

    def call():
        frozen_when_called.append(gc.get_freeze_count())

    measure(call, runs=2, warm_ups=2)
    assert frozen_when_called[:2] == [0, 0]
    assert frozen_when_called[2] > 1000
    assert frozen_when_called[3] == frozen_when_called[2]


def test_a_served_worker_freezes_its_loaded_application():
    gc.unfreeze()
    settings = runpy.run_path(str(Path(__file__).parents[2] / "dashboard" / "gunicorn.conf.py"))
    settings["post_worker_init"](worker=None)
    assert gc.get_freeze_count() > 1000
