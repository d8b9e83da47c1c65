"""manage.py bench_reviewers at a tiny size: the report's shape and a fixed query count.

The command works in child processes on its own scratch SQLite file, so these tests need no
test database; no time is asserted (that is what the command prints).
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def bench(changes: int) -> dict[str, Any]:
    out = StringIO()
    call_command("bench_reviewers", "--changes", str(changes), "--runs", "2", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def reports() -> dict[int, dict[str, Any]]:
    return {changes: bench(changes) for changes in (200, 400)}


def test_report_has_the_figures(reports: dict[int, dict[str, Any]]) -> None:
    report = reports[200]
    assert report["changes"] == 200
    assert report["window_days"] == 180
    assert 0 < report["vote_events_in_window"] <= report["vote_events"]
    assert report["reviewers"] > 0 and report["reviews"] > 0
    assert report["database"] == "sqlite"
    assert report["budget_p95_ms"] == 300.0
    for kind in ("selector", "page"):
        figures = report[kind]
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
        assert figures["queries_constant"]


def test_query_count_does_not_grow_with_history(reports: dict[int, dict[str, Any]]) -> None:
    assert reports[200]["selector"]["queries"] == reports[400]["selector"]["queries"] == 6
    assert reports[200]["page"]["queries"] == reports[400]["page"]["queries"]


def test_bad_runs_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="--runs must be at least 2"):
        call_command("bench_reviewers", "--runs", "1", stdout=StringIO())
