"""manage.py load_forge: the forge into the configured database, with its figures."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dashboard.gerrit.models import Change, Team

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
