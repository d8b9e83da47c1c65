"""manage.py loadtest: a short, slow run of the real thing (gunicorn and locust on
loopback) on a small team, so the command cannot rot; the figures are not checked, only
that every kind of page was requested and none failed."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dashboard.demo.loadtest import LoadReport
from dashboard.reviews.dashboards import ensure_default_dashboard
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory
from tests.gerrit.processes import shared_database

KINDS = {
    "team overview",
    "change list",
    "change",
    "dashboard",
    "reviewer activity",
    "open reviews",
    "specs",
    "cycle",
    "weekly priorities",
    "search",
}


@pytest.mark.django_db(transaction=True)
def test_a_short_load_test_requests_every_kind_of_public_page_without_errors(
    tmp_path: Path, monkeypatch
):
    team = TeamFactory(name="glance")
    ChangeFactory.create_batch(3, repository=RepositoryFactory(team=team))
    ensure_default_dashboard(team=team)
    out = StringIO()

    with shared_database(tmp_path) as database_url:
        monkeypatch.setenv("DATABASE_URL", database_url)  # gunicorn's database
        call_command(
            "loadtest", "--seconds", "3", "--rate", "4", "--workers", "1", "--threads", "2",
            "--json", stdout=out, stderr=StringIO(),
        )  # fmt: skip

    report = json.loads(out.getvalue())
    assert set(report["pages"]) == KINDS
    assert report["failures"] == 0 and report["errors"] == []
    assert report["requests"] == sum(page["requests"] for page in report["pages"].values())
    assert report["requests"] >= len(KINDS)
    assert 0 < report["p50_ms"] <= report["p95_ms"] <= report["max_ms"]


def test_loadtest_without_a_team_says_how_to_get_one(db):
    with pytest.raises(CommandError, match="--prepare"):
        call_command("loadtest", "--seconds", "1", stdout=StringIO(), stderr=StringIO())


def test_loadtest_fails_when_any_request_failed_and_says_which(db, monkeypatch):
    ChangeFactory(repository=RepositoryFactory(team=TeamFactory(name="glance")))
    failed = LoadReport(
        rate=4,
        seconds=3.0,
        requests=12,
        failures=2,
        requests_per_second=4.0,
        p50_ms=40,
        p95_ms=90,
        max_ms=120,
        pages={
            "search": {"requests": 12, "failures": 2, "p50_ms": 40, "p95_ms": 90, "max_ms": 120}
        },
        errors=[{"page": "search", "error": "HTTP 500", "count": 2}],
        server_cpu=1.0,
        load_generator_cpu=0.5,
        load_average=(1.0, 1.0),
        database_connections=None,
    )
    monkeypatch.setattr(
        "dashboard.demo.management.commands.loadtest.run_load_test", lambda **_: failed
    )
    out = StringIO()

    with pytest.raises(CommandError, match="2 of 12 requests failed"):
        call_command("loadtest", "--seconds", "3", stdout=out, stderr=StringIO())

    assert "error: search: HTTP 500 (x2)" in out.getvalue()
    assert "2 errors" in out.getvalue()
