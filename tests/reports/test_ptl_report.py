"""``manage.py ptl_report``: the page's export on stdout, user mistakes as CommandError."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dashboard.governance.models import Cycle
from tests.reports.report_data import build_report_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data() -> None:
    build_report_data()


@pytest.mark.parametrize(
    ("fmt", "first"), [("md", "# Glance: Pike cycle report"), ("txt", "Glance: Pike cycle report")]
)
def test_prints_the_report(fmt: str, first: str) -> None:
    out = StringIO()
    call_command(
        "ptl_report",
        "--team",
        "glance",
        "--cycle",
        "Pike",
        "--format",
        fmt,
        "--base-url",
        "https://tiller.example.org",
        stdout=out,
    )
    text = out.getvalue()
    assert text.splitlines()[0] == first
    assert "https://tiller.example.org/teams/glance/specs/glance/" in text


def test_prints_restructuredtext_with_an_overlined_title() -> None:
    out = StringIO()
    call_command("ptl_report", "--team", "glance", "--cycle", "pike", "--format", "rst", stdout=out)
    assert out.getvalue().splitlines()[1] == "Glance: Pike cycle report"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "nova", "--cycle", "pike"], "no team named 'nova'"),
        (["--team", "glance", "--cycle", "zed"], "no cycle named 'zed'"),
        (["--team", "glance", "--cycle", "rocky"], "no start or end date"),
    ],
)
def test_mistakes_are_command_errors(args: list[str], message: str) -> None:
    Cycle.objects.create(name="rocky")
    with pytest.raises(CommandError, match=message):
        call_command("ptl_report", *args, stdout=StringIO())
