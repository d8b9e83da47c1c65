"""A page's timestamps in database form: the fast paths give what Django would store."""

from __future__ import annotations

import pytest
from django.db import connection

from dashboard.gerrit.client import parse_timestamp
from dashboard.gerrit.storerows import PageTimes, sqlite_text

STAMPS = [
    "2017-08-30 12:00:00.000000000",
    "2017-08-30 12:00:00",
    "2013-02-21 11:16:36.775000000",
    "2013-02-21 11:16:36.000001000",
    "2013-02-21 11:16:36.1",
    "2013-02-21 11:16:36.123456789",
]


@pytest.mark.parametrize("stamp", STAMPS)
def test_sqlite_text_is_the_naive_datetime_as_django_writes_it(stamp):
    assert sqlite_text(stamp) == str(parse_timestamp(stamp).replace(tzinfo=None))


@pytest.mark.parametrize("stamp", ["2017-08-30T12:00:00", "2017-08-30", "2017-08-30 12:00:00Z"])
def test_other_forms_are_left_to_the_datetime(stamp):
    assert sqlite_text(stamp) is None


@pytest.mark.django_db
@pytest.mark.parametrize("stamp", [*STAMPS, "2017-08-30T12:00:00Z"])
def test_page_times_match_django_s_own_adapter(stamp):
    times = PageTimes()
    expected = connection.ops.adapt_datetimefield_value(parse_timestamp(stamp))
    assert times.database(stamp) == expected
    assert times.both(stamp) == (parse_timestamp(stamp), expected)
    assert times.when(parse_timestamp(stamp)) == expected


def test_a_malformed_timestamp_is_refused():
    with pytest.raises(ValueError, match="not a Gerrit timestamp"):
        PageTimes().database("2017-02-30 12:00:00")
