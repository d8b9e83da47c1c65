"""manage.py bench: one report of issue 7's figures, each checked against its budget.

The whole command runs once at a tiny size on SQLite (it works in child processes on
scratch files, so it needs no test database); no time is asserted, that is what the
command is for. The budget verdicts are pinned on made-up figures.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from dashboard.core.management.commands.bench import _budgets

ISSUE_PAGES = {
    "team overview",
    "change list",
    "dashboard (10 sections), anonymous",
    "dashboard (10 sections), signed-in core",
    "reviewer activity (180 days)",
    "open reviews",
    "specs",
    "cycle",
    "weekly priorities",
}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    out = StringIO()
    call_command(
        "bench",
        *("--teams", "2", "--repositories", "4", "--changes", "400", "--accounts", "40"),
        *("--sync-changes", "100", "--runs", "2", "--json"),
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_the_report_names_the_machine_and_the_forge(report: dict[str, Any]) -> None:
    assert report["machine"]["cpus"] >= 1
    assert report["forge"] == {"teams": 2, "repositories": 4, "changes": 400, "accounts": 40}
    assert [database["database"] for database in report["databases"]] == ["sqlite"]


def test_every_main_page_is_timed_with_its_queries(report: dict[str, Any]) -> None:
    sqlite = report["databases"][0]
    assert set(sqlite["pages"]) >= ISSUE_PAGES
    for name, page in sqlite["pages"].items():
        assert page["p50_ms"] <= page["p95_ms"] <= page["max_ms"], name
        assert page["queries"] > 0, name
        assert page["queries_constant"], name
    # The redirecting pages are timed where they land, not as redirects.
    assert not sqlite["pages"]["cycle"]["path"].endswith("/cycle/")
    assert sqlite["pages"]["weekly priorities"]["path"] != reverse(
        "reports:weekly-current", args=[sqlite["team"]]
    )


def test_the_sync_is_measured_at_the_size_asked_and_the_forge_fully_loaded(
    report: dict[str, Any],
) -> None:
    sqlite = report["databases"][0]
    assert [run["changes"] for run in sqlite["sync"]] == [100]
    assert all(run["no_change_sync_requests"] >= 1 for run in sqlite["sync"])
    assert sqlite["forge_load"]["changes"] == 400
    assert sqlite["forge_load"]["teams"] == 2


def test_every_budget_has_a_verdict(report: dict[str, Any]) -> None:
    budgets = report["databases"][0]["budgets"]
    assert set(budgets) == {
        "page_p95_under_ms",
        "queries_constant",
        "full_sync_changes_per_second",
        "peak_memory_growth",
        "no_change_sync_one_team_ms",
    }
    assert all(isinstance(verdict["met"], bool) for verdict in budgets.values())


def _page(p95: float, constant: bool = True) -> dict[str, Any]:
    return {"p95_ms": p95, "queries_constant": constant}


def _sync(rate: int, memory: float, no_change_ms: int) -> dict[str, Any]:
    return {
        "full_sync_changes_per_second": rate,
        "peak_memory_mb": memory,
        "no_change_sync_ms": no_change_ms,
    }


def test_a_page_at_or_over_200_ms_misses_the_page_budget_and_is_named() -> None:
    verdicts = _budgets([_sync(1200, 100.0, 30)], {"fast": _page(50.0), "slow": _page(200.0)})
    assert verdicts["page_p95_under_ms"]["met"] is False
    assert verdicts["page_p95_under_ms"]["over_budget"] == ["slow"]
    assert verdicts["page_p95_under_ms"]["slowest_page"] == "slow"
    assert _budgets([_sync(1200, 100.0, 30)], {"fast": _page(199.9)})["page_p95_under_ms"]["met"]


def test_the_slowest_sync_size_decides_the_throughput_budget() -> None:
    pages = {"p": _page(10.0)}
    assert _budgets([_sync(1000, 100.0, 30), _sync(1500, 101.0, 30)], pages)[
        "full_sync_changes_per_second"
    ]["met"]
    assert not _budgets([_sync(999, 100.0, 30), _sync(1500, 101.0, 30)], pages)[
        "full_sync_changes_per_second"
    ]["met"]


def test_memory_growing_more_than_a_fifth_from_smallest_to_largest_misses() -> None:
    pages = {"p": _page(10.0)}
    flat = _budgets([_sync(1200, 100.0, 30), _sync(1200, 120.0, 30)], pages)
    grown = _budgets([_sync(1200, 100.0, 30), _sync(1200, 121.0, 30)], pages)
    assert flat["peak_memory_growth"]["met"] and not grown["peak_memory_growth"]["met"]


def test_a_page_whose_query_count_varies_misses_the_fixed_count_budget() -> None:
    verdicts = _budgets([_sync(1200, 100.0, 30)], {"a": _page(10.0), "b": _page(10.0, False)})
    assert verdicts["queries_constant"]["met"] is False


def test_postgresql_only_needs_a_server() -> None:
    with pytest.raises(CommandError, match="--no-sqlite needs --database-url"):
        call_command("bench", "--no-sqlite")
