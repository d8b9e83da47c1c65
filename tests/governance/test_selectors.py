"""current_cycle, freeze_date, next_freeze and the cycle page's timeline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.governance.models import EventKind
from dashboard.governance.selectors import (
    current_cycle,
    cycle_page,
    freeze_date,
    next_freeze,
)
from tests.gerrit.factories import TeamFactory
from tests.governance.factories import CycleEventFactory, CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pike():
    return CycleFactory(name="pike", start=date(2017, 2, 27), end=date(2017, 8, 28))


@pytest.fixture
def queens():
    return CycleFactory(name="queens", start=date(2017, 9, 4), end=date(2018, 2, 26))


def test_current_cycle_includes_the_days_after_the_release_monday(pike, queens) -> None:
    assert current_cycle(date(2017, 2, 27)) == pike
    assert current_cycle(date(2017, 8, 28)) == pike
    assert current_cycle(date(2017, 9, 1)) == pike  # Friday of the release week
    assert current_cycle(date(2017, 9, 4)) == queens
    assert current_cycle(date(2017, 2, 26)) is None


def test_freeze_date_prefers_the_team_s_own_event_then_the_earliest(pike) -> None:
    glance, nova = TeamFactory(name="glance"), TeamFactory(name="nova")
    CycleEventFactory(cycle=pike, kind=EventKind.SPEC_FREEZE, due=date(2017, 4, 27))
    CycleEventFactory(cycle=pike, team=glance, kind=EventKind.SPEC_FREEZE, due=date(2017, 4, 14))
    CycleEventFactory(cycle=pike, kind=EventKind.STRING_FREEZE, due=date(2017, 8, 10))
    CycleEventFactory(cycle=pike, kind=EventKind.STRING_FREEZE, due=date(2017, 7, 27))
    assert freeze_date(cycle=pike, team=glance, kind=EventKind.SPEC_FREEZE) == date(2017, 4, 14)
    assert freeze_date(cycle=pike, team=nova, kind=EventKind.SPEC_FREEZE) == date(2017, 4, 27)
    assert freeze_date(cycle=pike, team=nova, kind=EventKind.STRING_FREEZE) == date(2017, 7, 27)
    assert freeze_date(cycle=pike, team=nova, kind=EventKind.FEATURE_FREEZE) is None


def test_next_freeze_skips_past_and_other_teams_and_crosses_cycles(pike, queens) -> None:
    glance, nova = TeamFactory(name="glance"), TeamFactory(name="nova")
    CycleEventFactory(cycle=pike, kind=EventKind.FEATURE_FREEZE, due=date(2017, 7, 27))
    CycleEventFactory(cycle=pike, kind=EventKind.MILESTONE, due=date(2017, 8, 1))
    CycleEventFactory(cycle=queens, team=nova, kind=EventKind.SPEC_FREEZE, due=date(2017, 9, 28))
    mine = CycleEventFactory(
        cycle=queens, team=glance, kind=EventKind.SPEC_FREEZE, due=date(2017, 10, 6)
    )
    assert next_freeze(glance, date(2017, 7, 27)).due == date(2017, 7, 27)
    assert next_freeze(glance, date(2017, 7, 28)) == mine
    assert next_freeze(glance, date(2017, 10, 7)) is None


def test_cycle_page_marks_today_s_week_and_counts_down(pike) -> None:
    glance = TeamFactory(name="glance")
    ff = CycleEventFactory(
        cycle=pike,
        kind=EventKind.FEATURE_FREEZE,
        title="Feature freeze",
        start=date(2017, 7, 24),
        due=date(2017, 7, 27),
    )
    CycleEventFactory(cycle=pike, kind=EventKind.OTHER, start=date(2017, 2, 20))  # week before
    CycleEventFactory(cycle=pike, kind=EventKind.OTHER, start=date(2017, 9, 11))  # R+2
    page = cycle_page(team=glance, cycle=pike, today=date(2017, 7, 15))  # a Saturday, R-7
    labels = [row.week.label for row in page.weeks]
    assert labels[0] == "R-27" and labels[-1] == "R+2" and len(labels) == 30
    current = [row for row in page.weeks if row.is_current]
    assert [row.week.label for row in current] == ["R-7"]
    assert page.freeze == ff and page.countdown == "Feature freeze in 12 days"
    ff_week = next(row for row in page.weeks if row.week.label == "R-5")
    assert ff_week.events == [ff]
    assert all(row.is_past for row in page.weeks[: labels.index("R-7")])


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "Spec freeze today"), (1, "Spec freeze tomorrow"), (2, "Spec freeze in 2 days")],
)
def test_countdown_words(pike, days: int, text: str) -> None:
    glance = TeamFactory(name="glance")
    CycleEventFactory(cycle=pike, kind=EventKind.SPEC_FREEZE, due=date(2017, 4, 13))
    page = cycle_page(team=glance, cycle=pike, today=date(2017, 4, 13) - timedelta(days=days))
    assert page.countdown == text


def test_cycle_without_a_schedule_has_no_weeks_rather_than_made_up_ones() -> None:
    glance = TeamFactory(name="glance")
    newton = CycleFactory(name="newton", start=None, end=date(2016, 10, 3))
    assert cycle_page(team=glance, cycle=newton, today=date(2016, 9, 1)).weeks == []
    undated = CycleFactory(name="austin", start=None, end=None)
    assert cycle_page(team=glance, cycle=undated, today=date(2016, 9, 1)).weeks == []
