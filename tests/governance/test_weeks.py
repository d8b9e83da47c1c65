"""R-N week arithmetic, pinned by tables read off the release team's schedules."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.governance.weeks import (
    cycle_length_weeks,
    deadline_day,
    monday_of,
    week_label,
    weeks_between,
)

PIKE_RELEASE = date(2017, 8, 28)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2017, 2, 27), "R-26"),  # Pike's first week (a Monday)
        (date(2017, 3, 3), "R-26"),  # its Friday
        (date(2017, 3, 5), "R-26"),  # its Sunday still belongs to it
        (date(2017, 3, 6), "R-25"),
        (date(2017, 4, 14), "R-20"),  # the Glance spec freeze, a Friday
        (date(2017, 7, 27), "R-5"),  # Pike-3, feature freeze
        (date(2017, 8, 21), "R-1"),
        (date(2017, 8, 28), "R+0"),  # the release week
        (date(2017, 8, 30), "R+0"),
        (date(2017, 9, 11), "R+2"),  # cycle-trailing release
        (date(2017, 2, 20), "R-27"),  # the week before the first (Ocata's release week)
    ],
)
def test_week_label_counts_back_from_the_release_week(day: date, label: str) -> None:
    assert week_label(release_week=PIKE_RELEASE, day=day) == label


@pytest.mark.parametrize(
    ("start", "release", "weeks"),
    [
        (date(2017, 2, 27), date(2017, 8, 28), 27),  # pike: R-26 .. R+0
        (date(2016, 11, 7), date(2017, 2, 20), 16),  # ocata: R-15 .. R+0
        (date(2017, 9, 4), date(2018, 2, 26), 26),  # queens
        (date(2026, 4, 6), date(2026, 9, 28), 26),  # hibiscus
        (date(2026, 10, 5), date(2027, 3, 22), 25),  # indri
    ],
)
def test_cycle_length_counts_both_end_weeks(start: date, release: date, weeks: int) -> None:
    assert cycle_length_weeks(start_week=start, release_week=release) == weeks


@pytest.mark.parametrize(
    ("day", "monday", "thursday"),
    [
        (date(2017, 4, 10), date(2017, 4, 10), date(2017, 4, 13)),
        (date(2017, 4, 16), date(2017, 4, 10), date(2017, 4, 13)),  # Sunday
        (date(2016, 12, 31), date(2016, 12, 26), date(2016, 12, 29)),  # across a year end
    ],
)
def test_monday_and_default_deadline_day(day: date, monday: date, thursday: date) -> None:
    assert monday_of(day) == monday
    assert deadline_day(day) == thursday


def test_weeks_between_lists_every_week_with_its_label_and_friday() -> None:
    weeks = weeks_between(first=date(2017, 8, 16), last=date(2017, 9, 5), release_week=PIKE_RELEASE)
    assert [(w.label, w.start, w.end) for w in weeks] == [
        ("R-2", date(2017, 8, 14), date(2017, 8, 18)),
        ("R-1", date(2017, 8, 21), date(2017, 8, 25)),
        ("R+0", date(2017, 8, 28), date(2017, 9, 1)),
        ("R+1", date(2017, 9, 4), date(2017, 9, 8)),
    ]
    assert weeks[2].holds(date(2017, 9, 3)) and not weeks[2].holds(date(2017, 9, 4))
