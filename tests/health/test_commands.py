"""manage.py diversity: the panel's figures as JSON, and its one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dashboard.gerrit.models import ChangeStatus
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory
from tests.health.factories import AffiliationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_diversity_command_prints_the_window_and_shares_as_json():
    repo = RepositoryFactory(team=TeamFactory(name="glance"))
    for name, org in [("a", "Red Co"), ("b", "Red Co"), ("c", "Blue Co"), ("d", "Green Co")]:
        owner = AccountFactory(server=repo.team.server, username=name)
        AffiliationFactory(account=owner, organisation=OrganisationFactory(name=org))
        ChangeFactory(
            repository=repo,
            owner=owner,
            status=ChangeStatus.MERGED,
            closed=datetime(2026, 5, 1, tzinfo=UTC),
        )
    out = StringIO()

    call_command("diversity", "--team", "glance", "--at", "2026-07-01", stdout=out)

    figures = json.loads(out.getvalue())
    merged = figures["current"]["measures"]["merged"]
    assert (figures["current"]["start"], figures["current"]["last_day"]) == (
        "2026-01-02",
        "2026-06-30",
    )
    assert (merged["total"], merged["top1_share"], merged["top2_share"]) == (4, 0.5, 0.75)
    assert merged["organisations"][0] == {"name": "Red Co", "count": 2, "share": 0.5}


def test_diversity_command_refuses_an_unknown_team_and_a_bad_date():
    TeamFactory(name="glance")
    with pytest.raises(CommandError, match="No team called 'nova'"):
        call_command("diversity", "--team", "nova")
    with pytest.raises(CommandError, match="--at 'July' is not a date"):
        call_command("diversity", "--team", "glance", "--at", "July")


def test_bench_diversity_prints_times_and_the_query_count():
    repo = RepositoryFactory(team=TeamFactory(name="glance"))
    owner = AccountFactory(server=repo.team.server)
    AffiliationFactory(account=owner)
    ChangeFactory(
        repository=repo,
        owner=owner,
        status=ChangeStatus.MERGED,
        closed=datetime.now(UTC) - timedelta(days=2),
    )
    out = StringIO()

    call_command("bench_diversity", "--team", "glance", "--runs", "2", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "glance: 1 changes, 0 Code-Review vote events"
    assert lines[1].startswith("figures: p50 ") and lines[1].endswith("3 SQL queries (2 runs)")
    assert lines[2].startswith("page: p50 ") and lines[2].endswith("4 SQL queries (2 runs)")
