"""Window parsing: a table of query strings and the window (or message) each gives."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.health.window import Window, WindowError, parse_window

NOW = datetime(2017, 3, 15, 12, 30, tzinfo=UTC)
CYCLES = {
    "ocata": (date(2016, 9, 12), date(2017, 2, 20)),
    "pike": (date(2017, 2, 27), date(2017, 8, 28)),
    "queens": (date(2017, 9, 4), date(2018, 2, 26)),
    "rocky": (None, None),
}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "start", "end", "label"),
    [
        ({}, at(2017, 2, 13, 12, 30), NOW, "last 30 days"),
        ({"days": "14"}, at(2017, 3, 1, 12, 30), NOW, "last 14 days"),
        ({"days": " 180 "}, at(2016, 9, 16, 12, 30), NOW, "last 180 days"),
        ({"days": "7"}, at(2017, 3, 8, 12, 30), NOW, "last 7 days"),
        (
            {"cycle": "ocata"},
            at(2016, 9, 12),
            at(2017, 2, 21),
            "cycle Ocata (2016-09-12 to 2017-02-20)",
        ),
        # A running cycle is cut at now.
        ({"cycle": "Pike"}, at(2017, 2, 27), NOW, "cycle Pike (2017-02-27 to 2017-03-15)"),
        ({"start": "2017-02-01", "end": "2017-02-28"}, at(2017, 2, 1), at(2017, 3, 1), None),
        ({"start": "2017-03-10", "end": "2017-12-31"}, at(2017, 3, 10), NOW, None),
        ({"start": "2017-02-01", "end": "2017-02-01"}, at(2017, 2, 1), at(2017, 2, 2), None),
        ({"days": "", "cycle": "", "start": "", "end": ""}, at(2017, 2, 13, 12, 30), NOW, None),
    ],
)
def test_parse_window_gives_the_interval(params, start, end, label):
    window = parse_window(params, now=NOW, cycles=CYCLES)
    assert (window.start, window.end) == (start, end)
    if label is not None:
        assert window.label == label


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"days": "thirty"}, "days must be a whole number, not 'thirty'."),
        ({"days": "-5"}, "days must be between 1 and 3650, not -5."),
        ({"days": "3651"}, "days must be between 1 and 3650, not 3651."),
        ({"cycle": "zed"}, "There is no cycle called 'zed'."),
        ({"cycle": "rocky"}, "Cycle 'rocky' has no start or end date yet."),
        ({"cycle": "queens"}, "Cycle 'queens' has not started yet (it starts on 2017-09-04)."),
        ({"start": "2017-02-01"}, "Give both a start and an end date."),
        ({"end": "2017-02-01"}, "Give both a start and an end date."),
        ({"start": "01/02/2017", "end": "2017-02-03"}, "The start date must look like"),
        ({"start": "2017-02-01", "end": "2017-13-01"}, "The end date must look like"),
        ({"start": "2017-02-10", "end": "2017-02-01"}, "is after the end date"),
        ({"start": "2017-04-01", "end": "2017-05-01"}, "is in the future"),
        ({"start": "1990-01-01", "end": "2017-01-01"}, "at most 3650 days"),
        ({"days": "30", "start": "2017-01-01", "end": "2017-01-02"}, "Ask for one window"),
        ({"cycle": "ocata", "days": "14"}, "Ask for one window: days or cycle, not several."),
    ],
)
def test_parse_window_rejects_bad_values_with_a_message(params, message):
    with pytest.raises(WindowError) as raised:
        parse_window(params, now=NOW, cycles=CYCLES)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({"days": "90"}, {"days": "90"}),
        ({"cycle": "ocata"}, {"cycle": "ocata"}),
        (
            {"start": "2017-02-01", "end": "2017-02-28"},
            {"start": "2017-02-01", "end": "2017-02-28"},
        ),
    ],
)
def test_window_query_asks_for_the_same_window_again(params, query):
    window = parse_window(params, now=NOW, cycles=CYCLES)
    assert window.query() == query
    assert parse_window(window.query(), now=NOW, cycles=CYCLES) == window


def test_length_in_days_is_fractional_for_windows_ending_now():
    window = parse_window({"cycle": "pike"}, now=NOW, cycles=CYCLES)
    assert isinstance(window, Window)
    assert window.length_days == pytest.approx(16.5208, abs=1e-3)
