"""The report's three exports: one document, three renderings that agree, each valid in
its format; plain text wrapped at 72 columns with every URL on its own line."""

from __future__ import annotations

from datetime import UTC, datetime

import docutils.core
import pytest

from dashboard.reports.cycle_report import CycleReport, cycle_report
from dashboard.reports.cycle_report_export import (
    WIDTH,
    export,
    filename,
    to_markdown,
    to_rst,
    to_text,
)
from dashboard.reports.narratives import save_narrative
from tests.reports.report_data import ReportData, build_report_data

pytestmark = pytest.mark.django_db

BASE = "https://tiller.example.org/"
LONG = (
    "Image import finally landed, after three cycles of work by the whole team and many "
    "reviews on the review day, which showed what a focused team can do."
)


@pytest.fixture
def report() -> CycleReport:
    data: ReportData = build_report_data()
    save_narrative(
        team=data.team,
        cycle=data.cycle,
        actor=None,
        expected_version=0,
        highlights=f"{LONG}\n\n- Glance v2 only\n- Rolling upgrades, partly",
        problems="We lost *two* cores [sadly].",
        advice="",
    )
    return cycle_report(team=data.team, cycle=data.cycle, now=datetime(2017, 6, 1, tzinfo=UTC))


def test_plain_text_is_wrapped_at_72_columns_with_urls_alone_on_their_lines(
    report: CycleReport,
) -> None:
    text = to_text(report, base_url=BASE)
    for line in text.splitlines():
        assert len(line) <= WIDTH or line.strip().startswith("https://"), line
    lines = text.splitlines()
    feature = lines.index("- Image import (glance, 2017-03-20)")
    assert lines[feature + 1].startswith("  https://tiller.example.org/teams/glance/specs/glance/")
    assert "Image import finally landed, after three cycles of work by the whole" in lines
    assert "- Glance v2 only" in lines and "- Rolling upgrades, partly" in lines


def test_plain_text_figures(report: CycleReport) -> None:
    text = to_text(report)
    for expected in (
        "4 priorities: 1 done, 1 missed, 1 deprioritized, 1 still active.",
        "3 requested: 1 pending, 2 granted, 0 denied.",
        "- Vanished work for a spec or change that no longer exists (granted;",
        "- Alice Example: 3 of 4 weeks, 3 reviews",
        "- Bob Example: 1 of 4 weeks, 1 review",
        "Erin Example        17   0   0  17   0   0",
        "Open changes                   10           2",
        "Median weekday of the cycle: 1 review.",
        "- Review day (2017-03-14): 4 reviews, 4.0 a day, 4.0 times the median",
        "Reviews: Total: 24; Top 1: 71%; Top 2: 83%; Largest: Erin Example (no",
        "Advice to the next PTL",
        "Not written yet.",
    ):
        assert expected in text.splitlines(), expected


def test_markdown_links_are_absolute_and_words_escaped(report: CycleReport) -> None:
    text = to_markdown(report, base_url=BASE)
    lines = text.splitlines()
    assert lines[0] == "# Glance: Pike cycle report"
    assert any(
        line.startswith("- [Image import](https://tiller.example.org/teams/glance/specs/glance/")
        and line.endswith(") (glance, 2017-03-20)")
        for line in lines
    )
    assert r"We lost \*two\* cores \[sadly\]." in lines
    assert "| Approved for the cycle | 4 |" in lines
    assert "| Erin Example | 17 | 0 | 0 | 17 | 0 | 0 |" in lines
    assert LONG in lines  # Markdown is not wrapped: renderers reflow it


def test_restructuredtext_parses_without_a_warning(report: CycleReport) -> None:
    text = to_rst(report, base_url=BASE)
    problems: list[str] = []

    class Collect:
        def write(self, message: str) -> None:
            problems.append(message)

    docutils.core.publish_doctree(
        text, settings_overrides={"report_level": 1, "halt_level": 5, "warning_stream": Collect()}
    )
    assert problems == []
    assert "`change " in text and ">`__" in text  # anonymous links: texts may repeat


def test_all_three_formats_carry_the_same_figures(report: CycleReport) -> None:
    for fmt in ("md", "rst", "txt"):
        text = export(report, fmt=fmt, base_url=BASE)
        assert "23 reviews by 4 reviewers (1.0 a day), 6 of them by core" in text.replace("\n", " ")
        assert "Joined: Carol Example. Left: Bob Example." in text.replace("\n", " ")
    assert filename(report, "rst") == "glance-pike-cycle-report.rst"


def test_unknown_format_is_refused(report: CycleReport) -> None:
    with pytest.raises(KeyError):
        export(report, fmt="pdf")
