"""Every figure of the cycle report for the hand-built cycle of ``report_data`` (the
expected values are worked out in that module's docstring)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.governance.models import Cycle
from dashboard.reports.cycle_report import CycleReport, ReportUnavailable, cycle_report
from tests.reports.report_data import ReportData, build_report_data

pytestmark = pytest.mark.django_db

NOW = datetime(2017, 6, 1, tzinfo=UTC)


@pytest.fixture
def data() -> ReportData:
    return build_report_data()


@pytest.fixture
def report(data: ReportData) -> CycleReport:
    return cycle_report(team=data.team, cycle=data.cycle, now=NOW)


def test_report_covers_the_cycle_from_first_to_last_day(report: CycleReport) -> None:
    assert (report.first_day, report.last_day) == (date(2017, 3, 6), date(2017, 3, 27))
    assert report.in_progress is False
    assert report.ptls == ("Brian Example",)
    assert report.title == "Glance: Pike cycle report"


def test_completed_features_are_the_implemented_specs_linked(report: CycleReport) -> None:
    assert [(f.spec.text, f.day) for f in report.features] == [("Image import", date(2017, 3, 20))]
    assert report.features[0].spec.url.startswith("/teams/glance/specs/glance/")


def test_specs_approved_implemented_untargeted_moved_and_not_done(report: CycleReport) -> None:
    specs = report.specs
    assert sorted(s.spec.text for s in specs.approved) == [
        "Image import",
        "Image metadata",
        "Quota limits",
        "Rolling upgrades",
    ]
    assert [s.spec.text for s in specs.implemented] == ["Image import"]
    assert [s.spec.text for s in specs.untargeted] == ["Rolling upgrades"]
    assert [(s.spec.text, s.now_in) for s in specs.moved] == [("Quota limits", "Queens")]
    assert [s.spec.text for s in specs.not_done] == ["Image metadata"]


def test_priorities_by_status_with_reasons(report: CycleReport) -> None:
    prio = report.priorities
    assert [p.title for p in prio.done] == ["Finish image import"]
    assert [(p.title, p.reason) for p in prio.missed] == [
        ("Rolling upgrades", "No reviewer had time")
    ]
    assert [(p.title, p.reason) for p in prio.deprioritized] == [("Quotas", "Waiting for Nova")]
    assert [p.title for p in prio.active] == ["Documentation"]
    assert prio.total == 4


def test_feature_freeze_exceptions_name_their_subject_or_say_it_is_gone(
    report: CycleReport,
) -> None:
    assert report.ffe_counts == {"Pending": 1, "Granted": 2, "Denied": 0}
    rows = [(f.title, f.decision, f.subject.text if f.subject else None) for f in report.ffes]
    assert rows[0] == ("Metadata API", "Granted", "Image metadata")
    assert rows[1][0:2] == ("Erin's fix", "Pending")
    assert rows[1][2].startswith("change ")
    assert rows[2] == ("Vanished work", "Granted", None)


def test_core_team_sizes_joiners_and_leavers(report: CycleReport) -> None:
    core = report.core
    assert (core.size_start, core.size_end) == (3, 3)
    assert core.joined == ("Carol Example",)
    assert core.left == ("Bob Example",)
    assert core.history_starts_in_cycle is False


def test_constant_occasional_and_silent_core_reviewers(report: CycleReport) -> None:
    core = report.core
    assert (core.weeks, core.constant_min_weeks) == (4, 2)
    assert [(m.name, m.weeks, m.reviews) for m in core.constant] == [("Alice Example", 3, 3)]
    assert [(m.name, m.weeks, m.reviews) for m in core.occasional] == [
        ("Carol Example", 1, 2),
        ("Bob Example", 1, 1),
    ]
    assert [m.name for m in core.silent] == ["Dave Example"]


def test_reviewer_activity_totals_and_top_reviewers(report: CycleReport) -> None:
    act = report.activity
    assert (act.reviews, act.reviewers, act.core_reviews) == (23, 4, 6)
    assert act.reviews_per_day == pytest.approx(23 / 22)
    assert (act.created, act.merged, act.abandoned) == (1, 1, 1)
    assert [(r.name, r.reviews, r.plus2, r.plus1, r.minus1) for r in act.top] == [
        ("Erin Example", 17, 0, 17, 0),
        ("Alice Example", 3, 3, 0, 0),
        ("Carol Example", 2, 0, 2, 0),
        ("Bob Example", 1, 0, 0, 1),
    ]


def test_backlog_at_start_from_snapshot_and_end_rebuilt(report: CycleReport) -> None:
    start, end = report.backlog.start, report.backlog.end
    assert (start.day, start.open_changes, start.reviewable) == (date(2017, 3, 6), 10, 4)
    assert (start.waiting_on_reviewer, start.waiting_on_submitter) == (5, 3)
    assert start.source == "snapshot (taken from the synced state)"
    assert (end.day, end.open_changes, end.reviewable) == (date(2017, 3, 27), 2, 0)
    assert (end.waiting_on_reviewer, end.waiting_on_submitter) == (1, 1)
    assert end.source == "rebuilt from history for this report"
    assert report.backlog.change == -8


def test_clean_up_abandoned_counts_real_abandons_in_the_cycle_only(
    report: CycleReport, data: ReportData
) -> None:
    old = data.changes["old"]
    assert [(a.change.text, a.change.url, a.day) for a in report.backlog.abandoned] == [
        (f"{old.number}: Old stale work", old.gerrit_url, date(2017, 3, 22))
    ]


def test_review_day_against_the_median_weekday(report: CycleReport) -> None:
    days = report.review_days
    assert days.median_weekday == 1.0
    assert [(d.title, d.start, d.reviews, d.per_day, d.ratio) for d in days.days] == [
        ("Review day", date(2017, 3, 14), 4, 4.0, 4.0)
    ]


def test_diversity_over_the_180_days_to_the_cycle_end(report: CycleReport) -> None:
    div = report.diversity
    assert (div.start, div.last_day) == (date(2016, 9, 29), date(2017, 3, 27))
    rows = {m.title: (m.total, m.top1, m.top2) for m in div.measures}
    assert rows == {
        "Merged changes": (1, "100%", "100%"),
        "Reviews": (24, "71%", "83%"),
        "Reviews by active cores": (7, "43%", "71%"),
        "Active core seats": (3, "33%", "67%"),
    }
    reviews = next(m for m in div.measures if m.title == "Reviews")
    assert [name.split(" (")[0] for name in reviews.top_names] == ["Erin Example", "Alice Example"]


def test_narrative_is_empty_before_anyone_writes(report: CycleReport) -> None:
    assert report.narrative.version == 0
    assert report.narrative.pk is None
    assert report.versions == ()


def test_cycle_without_dates_has_no_report_and_says_why(data: ReportData) -> None:
    undated = Cycle.objects.create(name="rocky")
    with pytest.raises(ReportUnavailable, match="no start or end date"):
        cycle_report(team=data.team, cycle=undated, now=NOW)


def test_cycle_not_started_has_no_report(data: ReportData) -> None:
    with pytest.raises(ReportUnavailable, match="has not started"):
        cycle_report(team=data.team, cycle=data.later, now=NOW.replace(month=3, day=10))


def test_running_cycle_is_cut_at_now_and_says_so(data: ReportData) -> None:
    running = cycle_report(
        team=data.team, cycle=data.cycle, now=datetime(2017, 3, 15, 12, tzinfo=UTC)
    )
    assert running.in_progress is True
    assert running.last_day == date(2017, 3, 15)
    assert running.core.weeks == 2
