"""manage.py bench_dashboard at a tiny size: the report's shape and bounded query counts.

The command works in child processes on its own scratch SQLite file, so these tests need no
test database; no time is asserted (that is what the command is for).
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


def bench(changes: int) -> dict[str, Any]:
    out = StringIO()
    call_command("bench_dashboard", "--changes", str(changes), "--runs", "3", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def reports() -> dict[int, dict[str, Any]]:
    return {changes: bench(changes) for changes in (300, 600)}


def test_report_has_the_figures(reports: dict[int, dict[str, Any]]) -> None:
    report = reports[300]
    assert report["changes"] == 300
    assert report["sections"] == 10
    assert report["database"] == "sqlite"
    assert report["load_seconds"] >= 0
    assert isinstance(report["budget_met"], bool)
    assert report["budget_p95_ms"] == 150.0
    assert set(report["visitors"]) == {"anonymous", "core"}
    for figures in report["visitors"].values():
        assert set(figures) >= {"p50_ms", "p95_ms", "max_ms", "queries"}
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
        assert figures["queries"] > 0
        assert figures["queries_constant"]
    assert len(report["section_ms"]) == 10


def test_query_count_does_not_grow_with_history(reports: dict[int, dict[str, Any]]) -> None:
    small, large = reports[300]["visitors"], reports[600]["visitors"]
    assert reports[600]["changes"] == 600
    for kind in ("anonymous", "core"):
        assert small[kind]["queries"] == large[kind]["queries"]
    # "self" sections run only for the signed-in core.
    assert small["core"]["queries"] > small["anonymous"]["queries"]
