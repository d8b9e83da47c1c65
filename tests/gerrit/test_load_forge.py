"""manage.py load_forge: the forge into the configured database, with its figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from dashboard.gerrit.models import Change, SyncRun, SyncRunStatus, Team

pytestmark = pytest.mark.django_db

SMALL = ["--teams", "2", "--repositories", "3", "--changes", "60", "--accounts", "20"]


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("load_forge", *SMALL, "--workers", "0", "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_command_loads_the_slice_and_reports_its_rate_and_memory():
    report = _run("--page-size", "25")
    assert report["changes"] == Change.objects.count() == 60
    assert report["teams"] == Team.objects.count() == 2
    assert report["votes"] > 0 and report["changes_per_second"] > 0
    assert report["peak_rss_mb"] > 0


def test_a_second_load_into_the_same_database_is_refused():
    _run()
    with pytest.raises(CommandError, match="already holds changes"):
        _run()
    assert Change.objects.count() == 60


def test_sizes_that_cannot_make_a_server_are_a_command_error():
    with pytest.raises(CommandError, match="four accounts per team"):
        _run("--accounts", "5")


def test_end_sets_the_forges_clock_and_each_teams_recorded_sync():
    report = _run("--end", "2020-01-01T00:00")
    end = datetime(2020, 1, 1, tzinfo=UTC)
    assert report["end"] == end.isoformat()
    assert Change.objects.aggregate(Max("updated"))["updated__max"] <= end
    runs = SyncRun.objects.all()
    assert len(runs) == 2 and {run.server_time for run in runs} == {end}
    assert all(run.status == SyncRunStatus.SUCCEEDED for run in runs)


def test_end_now_ends_the_history_at_this_second():
    before = datetime.now(UTC).replace(microsecond=0)
    report = _run("--end", "now")
    assert before <= datetime.fromisoformat(report["end"]) <= datetime.now(UTC)


def test_an_end_that_is_no_date_is_refused():
    with pytest.raises(CommandError, match="--end takes 'now' or a date"):
        _run("--end", "yesterday")
