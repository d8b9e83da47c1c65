"""The benchmark commands' one timing loop: warm-ups unmeasured, queries counted per run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from dashboard.core.benchmarks import measure

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
