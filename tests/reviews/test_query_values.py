"""Operator values read as Gerrit reads them (facts §4.1, §6.4, §6.5): tables, no database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.reviews.query.labels import Who, parse_label
from dashboard.reviews.query.regex import (
    RegexProblem,
    UntranslatableRegex,
    strip_anchors,
    translate,
)
from dashboard.reviews.query.values import (
    ChangeRef,
    ValueProblem,
    age_parts,
    looks_like_change,
    parse_age,
    parse_change,
    parse_is,
    parse_size,
    parse_status,
    parse_timestamp,
    phrase_pattern,
    words,
)

ANY_VOTE = frozenset({-4, -3, -2, -1, 1, 2, 3, 4})


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("open", "open"),
        ("OPEN", "open"),
        ("o", "open"),
        ("mer", "merged"),
        ("m", "merged"),
        ("a", "abandoned"),
        ("c", "closed"),
        ("n", "new"),
        ("pending", "pending"),
        ("", "abandoned"),  # Gerrit's prefix walk: "" is a prefix of the first word
    ],
)
def test_status_words_match_by_prefix(value, word):
    assert parse_status(value) == word


@pytest.mark.parametrize("value", ["x", "opened", "submitted", "draft"])
def test_unknown_status_is_refused(value):
    with pytest.raises(ValueProblem):
        parse_status(value)


@pytest.mark.parametrize(
    ("value", "meaning"),
    [
        ("open", ("status", "open")),
        ("merged", ("status", "merged")),
        ("abandoned", ("status", "abandoned")),
        ("WIP", ("is", "wip")),
        ("starred", ("is", "starred")),
        ("watched", ("is", "watched")),
        ("mer", ("status", "merged")),  # falls through to status:, prefixes and all
    ],
)
def test_is_values(value, meaning):
    assert parse_is(value) == meaning


@pytest.mark.parametrize(
    ("value", "label", "values", "who"),
    [
        # A bare name means =+1, not "has a vote".
        ("Code-Review", "Code-Review", {1}, None),
        ("Code-Review+2", "Code-Review", {2}, None),
        ("Code-Review-1", "Code-Review", {-1}, None),
        ("Code-Review=0", "Code-Review", {0}, None),
        ("Code-Review=+1", "Code-Review", {1}, None),
        ("Code-Review=-2", "Code-Review", {-2}, None),
        ("-Code-Review", "Code-Review", {0}, None),
        ("Code-Review>=2", "Code-Review", {2, 3, 4}, None),
        ("Code-Review>=-2", "Code-Review", {-2, -1, 0, 1, 2, 3, 4}, None),
        ("Code-Review<=-1", "Code-Review", {-4, -3, -2, -1}, None),
        ("Code-Review<=2", "Code-Review", {-4, -3, -2, -1, 0, 1, 2}, None),
        ("Code-Review>1", "Code-Review", {2, 3, 4}, None),
        ("Code-Review<1", "Code-Review", {-4, -3, -2, -1, 0}, None),
        ("Code-Review>=0", "Code-Review", {0, 1, 2, 3, 4}, None),
        ("Code-Review>4", "Code-Review", {4}, None),  # clamped to -4..4, as Gerrit
        ("Code-Review=9", "Code-Review", {4}, None),
        ("workflow>=1", "workflow", {1, 2, 3, 4}, None),
        # "==1" is not a comparison: a label called "Review-Priority=" (matches nothing).
        ("Review-Priority==1", "Review-Priority=", {1}, None),
        # Voters.
        ("Code-Review>=0,self", "Code-Review", {0, 1, 2, 3, 4}, Who("self")),
        ("Code-Review,self", "Code-Review", {1}, Who("self")),
        ("Code-Review+2,me", "Code-Review", {2}, Who("self")),
        ("Code-Review+2,owner", "Code-Review", {2}, Who("owner")),
        ("Code-Review+2,user=owner", "Code-Review", {2}, Who("owner")),
        ("Code-Review+2,non_uploader", "Code-Review", {2}, Who("non_uploader")),
        ("Verified>=1,zuul", "Verified", {1, 2, 3, 4}, Who("user_or_group", "zuul")),
        ("Code-Review-1,nova-core", "Code-Review", {-1}, Who("user_or_group", "nova-core")),
        ("Code-Review-1,user=jane", "Code-Review", {-1}, Who("user", "jane")),
        ("Code-Review-1,group=nova-core", "Code-Review", {-1}, Who("group", "nova-core")),
        ("Code-Review-1&self", "Code-Review", {-1}, Who("self")),
        ("Code-Review-1,a@b.org", "Code-Review", {-1}, Who("user_or_group", "a@b.org")),
        ("Code-Review=ANY", "Code-Review", ANY_VOTE, None),
    ],
)
def test_label_values_read_as_gerrits_label_predicate(value, label, values, who):
    test = parse_label(value)
    assert (test.label, test.values, test.who) == (label, values, who)


@pytest.mark.parametrize(
    ("value", "special", "count"),
    [
        ("Code-Review=MAX", "MAX", ""),
        ("Code-Review=min", "MIN", ""),
        ("Code-Review=NEED", "NEED", ""),
        ("Verified=ok,zuul", "OK", ""),
        ("Code-Review+1,count=2", "", "2"),
    ],
)
def test_label_special_values_are_recognised(value, special, count):
    test = parse_label(value)
    assert (test.special, test.count) == (special, count)


@pytest.mark.parametrize(
    ("value", "delta", "parts"),
    [
        ("5d", timedelta(days=5), (5, "day")),
        ("2d", timedelta(days=2), (2, "day")),
        ("1week", timedelta(weeks=1), (1, "week")),
        ("4w", timedelta(weeks=4), (4, "week")),
        ("2WEEKS", timedelta(weeks=2), (2, "week")),
        ("3h", timedelta(hours=3), (3, "hour")),
        ("3hr", timedelta(hours=3), (3, "hour")),
        ("10m", timedelta(minutes=10), (10, "minute")),  # m is minutes
        ("1mon", timedelta(days=30), (1, "month")),
        ("2months", timedelta(days=60), (2, "month")),
        ("1y", timedelta(days=365), (1, "year")),
        ("90", timedelta(seconds=90), (90, "second")),  # no unit: seconds
        ("45sec", timedelta(seconds=45), (45, "second")),
        ("1500ms", timedelta(seconds=1), (1500, "millisecond")),  # truncated to seconds
        ("5 d", timedelta(days=5), (5, "day")),  # a quoted value may have a space
        ("0d", timedelta(0), (0, "day")),
    ],
)
def test_age_units(value, delta, parts):
    assert parse_age(value) == delta
    assert age_parts(value) == parts


@pytest.mark.parametrize("value", ["", "d", "5x", "five days", "-1d", "05d", "1.5d"])
def test_bad_ages_are_refused(value):
    with pytest.raises(ValueProblem):
        parse_age(value)


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2017-03-01", datetime(2017, 3, 1, tzinfo=UTC)),
        ("2017-03-01 12:30:05", datetime(2017, 3, 1, 12, 30, 5, tzinfo=UTC)),
        ("2017-03-01 12:30:05.25", datetime(2017, 3, 1, 12, 30, 5, 250000, tzinfo=UTC)),
        (
            "2013-02-21 11:16:36.775000000",  # a REST timestamp, nine digits
            datetime(2013, 2, 21, 11, 16, 36, 775000, tzinfo=UTC),
        ),
        ("2017-03-01 12:00:00 +0100", datetime(2017, 3, 1, 11, tzinfo=UTC)),
        ("2017-03-01 12:00:00 -0530", datetime(2017, 3, 1, 17, 30, tzinfo=UTC)),
    ],
)
def test_timestamps_are_utc_unless_a_zone_is_given(value, moment):
    assert parse_timestamp(value) == moment


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2017-3",
        "2017-13-01",
        "2017-03-01 12:00",
        "2017-03-01T12:00:00",
        "2017-03-01 12:00:00 CET",
    ],
)
def test_bad_timestamps_are_refused(value):
    with pytest.raises(ValueProblem):
        parse_timestamp(value)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        ("10", 10, 10),
        ("=10", 10, 10),
        ("<=10", 0, 10),
        ("<10", 0, 9),
        (">400", 401, 2**31 - 1),
        (">=400", 400, 2**31 - 1),
        ("<0", 0, 0),  # clamped like Gerrit: "less than nothing" is 0
    ],
)
def test_sizes(value, low, high):
    size = parse_size(value)
    assert (size.low, size.high) == (low, high)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Closes-Bug:", ("closes", "bug")),
        ("bug: ", ("bug",)),
        ("[spec]", ("spec",)),
        ("DNM", ("dnm",)),
        ("cherry picked from", ("cherry", "picked", "from")),
        ("os_api.ref", ("os", "api", "ref")),  # _ and . separate words
        ("openstack/os-api-ref", ("openstack", "os", "api", "ref")),
        ("!!!", ()),
    ],
)
def test_words_split_like_the_full_text_index(text, found):
    assert words(text) == found


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        ("Closes-Bug:", "Fix it\n\nCloses-Bug: #1234\n", True),
        ("Closes-Bug:", "closes bug 1234", True),
        ("Closes-Bug:", "Partial-Bug: #1", False),
        ("bug:", "Partial-Bug: #1", True),
        ("bug:", "Related-Bug: #1", True),
        ("bug:", "debug the thing", False),
        ("bug:", "bugs everywhere", False),
        ("bug:", "a_bug_here", True),
        ("[spec]", "[spec] Add quotas", True),
        ("[spec]", "specs: add quotas", False),
        ("DNM", "dnm: testing", True),
        ("cherry picked from", "(cherry picked from commit abc)", True),
        ("cherry picked from", "cherry-picked from", True),
        ("cherry picked from", "cherry was picked from", False),
    ],
)
def test_phrase_pattern_finds_consecutive_words_in_any_case(phrase, text, matches):
    assert bool(re.search(phrase_pattern(words(phrase)), text, re.IGNORECASE)) is matches


@pytest.mark.parametrize(
    ("value", "stripped"),
    [("^foo", "foo"), ("^foo$", "foo"), (r"^foo\$", r"foo\$"), ("^", ""), ("^a$$", "a$")],
)
def test_gerrit_strips_the_anchors(value, stripped):
    assert strip_anchors(value) == stripped


@pytest.mark.parametrize(
    ("value", "subject", "matches"),
    [
        ("^openstack/.*-specs", "openstack/nova-specs", True),
        ("^openstack/.*-specs", "openstack/nova-specs-archive", False),  # whole string
        ("^openstack/.*-specs", "xopenstack/nova-specs", False),
        ("^openstack", "openstack/nova", False),
        ("^openstack/openstack-ansible.*", "openstack/openstack-ansible-os_nova", True),
        ("^stable/.*", "stable/ocata", True),
        (r"^doc\/source\/install\/.*", "doc/source/install/index.rst", True),
        ("^.*specs.*", "specs/train/approved/x.rst", True),
        ("^specs/train/.*", "specs/stein/x.rst", False),
        ("^.*nova/api.*", "nova/api/openstack/x.py", True),
        ("^queries/.*yaml", "queries/1.yaml", True),
        (r"^\d+", "ddd", True),  # brics has no \d: it is a plain "d"
        (r"^\d+", "123", False),
        ("^a.b", "a\nb", True),  # brics' dot crosses newlines
        ("^foo$", "foo", True),
        (r"^foo\$", "foo$", True),
        ("^a^b", "a^b", True),  # ^ inside is an ordinary character
        ("^*x", "*x", True),  # so is a leading *
        ("^(ab)+|c", "abab", True),
        ("^(ab)+|c", "c", True),
        ("^[a-c]{2}", "cb", True),
        ("^[^a-c]x", "dx", True),
        ("^[^a-c]x", "ax", False),
        ("^@-specs", "anything-specs", True),  # @ is any string
        ('^"a.b"', "a.b", True),  # "…" is literal
        ('^"a.b"', "axb", False),
        ("^Foo", "foo", False),  # case-sensitive
    ],
)
def test_translated_regex_matches_as_gerrit_would(value, subject, matches):
    assert bool(re.search(translate(value), subject)) is matches


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("^a&b", "intersection"),
        ("^~a", "complement"),
        ("^#", "empty language"),
        ("^<1-10>", "numeric interval"),
        ("^a{300}", "above 255"),
    ],
)
def test_valid_gerrit_regexes_without_a_database_counterpart_are_untranslatable(value, problem):
    with pytest.raises(UntranslatableRegex, match=re.escape(problem)):
        translate(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("^", "empty"),
        ("^(a", 'Expected ")"'),
        ("^[a", 'Expected "]"'),
        ("^[c-a]", "reversed"),
        ("^a{3,1}", "reversed"),
        ("^a)", 'Unexpected ")"'),
        ("^a\\", "Unexpected end"),
    ],
)
def test_invalid_regexes_are_refused(value, problem):
    with pytest.raises(RegexProblem, match=re.escape(problem)) as raised:
        translate(value)
    assert not isinstance(raised.value, UntranslatableRegex)


@pytest.mark.parametrize(
    ("value", "ref"),
    [
        ("503215", ChangeRef(number=503215)),
        (
            "I8473b95934b5732ac55d26311a706c9c2bde9940",
            ChangeRef(change_id="I8473b95934b5732ac55d26311a706c9c2bde9940"),
        ),
        ("i8473b959", ChangeRef(change_id="I8473b959")),
        (
            "openstack/glance~master~I8473b959",
            ChangeRef(change_id="I8473b959", project="openstack/glance", branch="master"),
        ),
    ],
)
def test_change_references(value, ref):
    assert parse_change(value) == ref
    assert looks_like_change(value)


@pytest.mark.parametrize("value", ["0123", "glance", "I12", "Iabcx", "openstack/glance"])
def test_words_that_are_not_change_references(value):
    assert not looks_like_change(value)
