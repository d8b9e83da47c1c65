"""``manage.py bench_report``: prints timings and query counts, refuses unknown names."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.reports.report_data import build_report_data

pytestmark = pytest.mark.django_db


def test_prints_figures_markdown_and_page_timings() -> None:
    build_report_data()
    out = StringIO()
    call_command("bench_report", "--team", "glance", "--cycle", "pike", "--runs", "2", stdout=out)
    lines = out.getvalue().splitlines()
    # 23 reviews in the window, plus Bob's of Mar 5 and Erin's of Mar 28 outside it.
    assert lines[0] == "glance, Pike: 4 changes, 25 reviews in all, 23 in the cycle"
    assert [line.split(":")[0] for line in lines[1:]] == ["figures", "markdown", "page"]
    assert lines[2].endswith("0 SQL queries (constant)")
    assert "SQL queries (constant)" in lines[3]


@pytest.mark.parametrize(("team", "cycle"), [("nova", "pike"), ("glance", "zed")])
def test_unknown_team_or_cycle_is_a_command_error(team: str, cycle: str) -> None:
    build_report_data()
    with pytest.raises(CommandError, match="No (team|cycle) called"):
        call_command("bench_report", "--team", team, "--cycle", cycle, stdout=StringIO())
