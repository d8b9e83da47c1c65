"""The ``ago`` filter's words: Django's ``timesince(depth=1)``, computed without translation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.timesince import timesince

from dashboard.core.templatetags.tiller import age_words, ago


def test_age_words_match_djangos_timesince_at_depth_one_over_many_random_pairs():
    rng = random.Random(7)
    now = datetime(2026, 3, 31, 12, 0, 30, tzinfo=UTC)
    for _ in range(5000):
        # seconds to several years back, and a few in the future ("0 minutes")
        then = now - timedelta(seconds=rng.choice([rng.randint(-600, 600), rng.randint(0, 10**8)]))
        assert age_words(then, now) == timesince(then, now, depth=1), then


def test_age_words_count_calendar_months_across_month_ends_and_leap_days():
    cases = [
        (datetime(2024, 1, 31, tzinfo=UTC), datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2024, 1, 31, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)),
        (datetime(2023, 2, 28, 23, 59, tzinfo=UTC), datetime(2024, 2, 28, 23, 58, tzinfo=UTC)),
        (datetime(2020, 2, 29, tzinfo=UTC), datetime(2021, 2, 28, tzinfo=UTC)),
        (datetime(2020, 2, 29, tzinfo=UTC), datetime(2021, 3, 1, tzinfo=UTC)),
    ]
    for then, now in cases:
        assert age_words(then, now) == timesince(then, now, depth=1), (then, now)


def test_age_words_compare_in_the_first_times_zone():
    then = datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert age_words(then, now) == timesince(then, now, depth=1)


def test_ago_wraps_the_words_in_a_time_element_with_the_exact_utc_instant():
    value = datetime.now(UTC) - timedelta(days=3, hours=2)
    html = ago(value)
    utc = value.astimezone(UTC)
    assert html.startswith(f'<time datetime="{utc.isoformat(timespec="seconds")}" ')
    assert f'title="{utc:%Y-%m-%d %H:%M} UTC"' in html
    assert html.endswith(">3\xa0days</time>")
    assert ago(None) == "—"
