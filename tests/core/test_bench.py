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
    assert sqlite["forge_load"]["changes"] == 400
    assert sqlite["forge_load"]["teams"] == 2


def test_syncs_with_nothing_new_are_measured_for_one_team_and_every_team(
    report: dict[str, Any],
) -> None:
    no_change = report["databases"][0]["no_change_sync"]
    assert no_change["one_team"]["requests"] == 2  # the core group, one page of changes
    assert no_change["all_teams"]["teams"] == 2
    assert no_change["all_teams"]["requests"] == 4


def test_every_budget_has_a_verdict(report: dict[str, Any]) -> None:
    budgets = report["databases"][0]["budgets"]
    assert set(budgets) == {
        "page_p95_under_ms",
        "queries_constant",
        "full_sync_changes_per_second",
        "peak_memory_growth",
        "no_change_sync_one_team_ms",
        "no_change_sync_one_team_requests",
    }
    assert all(isinstance(verdict["met"], bool) for verdict in budgets.values())


def _page(p95: float, constant: bool = True) -> dict[str, Any]:
    return {"p95_ms": p95, "queries_constant": constant}


def _sync(rate: int = 1200, memory: float = 100.0) -> dict[str, Any]:
    return {"full_sync_changes_per_second": rate, "peak_memory_mb": memory}


def _no_change(ms: float = 40.0, requests: int = 2) -> dict[str, Any]:
    return {"one_team": {"team": "nova", "ms": ms, "requests": requests}}


def verdicts(
    sync: list[dict[str, Any]] | None = None,
    pages: dict[str, Any] | None = None,
    no_change: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return _budgets(sync or [_sync()], pages or {"page": _page(10.0)}, no_change or _no_change())


def test_a_page_at_or_over_200_ms_misses_the_page_budget_and_is_named() -> None:
    missed = verdicts(pages={"fast": _page(50.0), "slow": _page(200.0)})["page_p95_under_ms"]
    assert missed["met"] is False
    assert missed["over_budget"] == ["slow"]
    assert missed["slowest_page"] == "slow"
    assert verdicts(pages={"fast": _page(199.9)})["page_p95_under_ms"]["met"]


def test_the_slowest_sync_size_decides_the_throughput_budget() -> None:
    held = verdicts(sync=[_sync(1000), _sync(1500, 101.0)])
    missed = verdicts(sync=[_sync(999), _sync(1500, 101.0)])
    assert held["full_sync_changes_per_second"]["met"]
    assert not missed["full_sync_changes_per_second"]["met"]


def test_memory_growing_more_than_a_fifth_from_smallest_to_largest_misses() -> None:
    flat = verdicts(sync=[_sync(memory=100.0), _sync(memory=120.0)])
    grown = verdicts(sync=[_sync(memory=100.0), _sync(memory=121.0)])
    assert flat["peak_memory_growth"]["met"] and not grown["peak_memory_growth"]["met"]


def test_a_page_whose_query_count_varies_misses_the_fixed_count_budget() -> None:
    missed = verdicts(pages={"a": _page(10.0), "b": _page(10.0, constant=False)})
    assert missed["queries_constant"]["met"] is False


def test_a_no_change_sync_of_one_team_holds_under_200_ms_in_two_requests() -> None:
    assert verdicts(no_change=_no_change(199.0, 2))["no_change_sync_one_team_ms"]["met"]
    assert not verdicts(no_change=_no_change(200.0, 2))["no_change_sync_one_team_ms"]["met"]
    assert not verdicts(no_change=_no_change(50.0, 3))["no_change_sync_one_team_requests"]["met"]


def test_postgresql_only_needs_a_server() -> None:
    with pytest.raises(CommandError, match="--no-sqlite needs --database-url"):
        call_command("bench", "--no-sqlite")
