"""Focus rules: what a check allows, what breaks it, its window, and safe editing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.gerrit.models import ChangeStatus
from dashboard.governance.models import ItemKind, Priority, PriorityStatus
from dashboard.reports.focus import EXCEPTION, PRIORITY, WEEKLY, check_rule, focus_checks
from dashboard.reports.focus_services import (
    InvalidFocusRule,
    StaleFocusRule,
    create_rule,
    delete_rule,
    edit_rule,
    lift_rule,
)
from dashboard.reports.models import DEFAULT_EXCEPTIONS, FocusRule
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory
from tests.governance.priority_factories import CycleFactory, PriorityFactory, SpecFactory
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory

pytestmark = pytest.mark.django_db

SINCE = date(2017, 3, 2)
TODAY = date(2017, 3, 20)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def team():
    return TeamFactory(name="glance")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def cycle():
    return CycleFactory(name="pike", start=date(2017, 2, 27), end=date(2017, 8, 28))


@pytest.fixture
def priority(team, cycle):
    spec = SpecFactory(team=team, slug="image-import-refactor")
    item = PriorityFactory(
        team=team, cycle=cycle, title="Image import", topics=["image-import"], change_numbers=[101]
    )
    item.specs.add(spec)
    return item


def merged(repo, number, day=date(2017, 3, 10), **fields):
    return ChangeFactory(
        repository=repo, number=number, status=ChangeStatus.MERGED, closed=at(day), **fields
    )


def rule_for(team, cycle, priority=None, **fields):
    return create_rule(
        team=team,
        cycle=cycle,
        statement="Nothing else merges until image import lands, except security fixes",
        since=fields.pop("since", SINCE),
        priority=priority,
        exceptions=fields.pop("exceptions", DEFAULT_EXCEPTIONS),
        actor=None,
        **fields,
    )


def test_priority_changes_topics_and_spec_topics_are_allowed(team, repo, cycle, priority):
    merged(repo, 101)
    merged(repo, 102, topic="image-import")
    merged(repo, 103, topic="bp/image-import-refactor")
    check = check_rule(rule_for(team, cycle, priority), TODAY)
    assert check.holds
    assert check.allowed == {PRIORITY: 3, WEEKLY: 0, EXCEPTION: 0}
    assert check.summary == "holds since 2017-03-02"


def test_weekly_list_changes_and_topics_are_allowed(team, repo, cycle, priority):
    # The list met before the rule started is still in force on its first day.
    earlier = WeeklyListFactory(team=team, week=date(2017, 2, 27))
    WeeklyItemFactory(weekly_list=earlier, kind=ItemKind.CHANGE, change_number=201)
    later = WeeklyListFactory(team=team, week=date(2017, 3, 9))
    WeeklyItemFactory(weekly_list=later, kind=ItemKind.TOPIC, topic="rolling-upgrades")
    # Too old: a newer list replaced it before the rule began.
    old = WeeklyListFactory(team=team, week=date(2017, 2, 20))
    WeeklyItemFactory(weekly_list=old, kind=ItemKind.CHANGE, change_number=203)
    merged(repo, 201)
    merged(repo, 202, topic="rolling-upgrades")
    merged(repo, 203)
    check = check_rule(rule_for(team, cycle, priority), TODAY)
    assert check.allowed[WEEKLY] == 2
    assert [v.change.number for v in check.violations] == [203]


def test_security_marked_changes_are_exceptions(team, repo, cycle, priority):
    merged(repo, 301, hashtags=["security"])
    merged(repo, 302, topic="bug/security-1234")
    merged(repo, 303, commit_message="Fix a leak\n\nSecurityImpact\nChange-Id: I1")
    merged(repo, 304, commit_message="Validate URIs (OSSA-2017-001, CVE-2016-0757)")
    check = check_rule(rule_for(team, cycle, priority), TODAY)
    assert check.holds
    assert check.allowed[EXCEPTION] == 4


def test_any_other_merge_breaks_the_rule(team, repo, cycle, priority):
    merged(repo, 101)
    merged(repo, 401, day=date(2017, 3, 5), subject="Add a new config option")
    merged(repo, 402, day=date(2017, 3, 12), topic="bp/something-else")
    check = check_rule(rule_for(team, cycle, priority), TODAY)
    assert not check.holds
    assert [v.change.number for v in check.violations] == [401, 402]
    assert check.summary == "broken by 2 changes"
    assert check.violations[0].merged == date(2017, 3, 5)


def test_merges_outside_the_window_and_of_other_teams_are_ignored(team, repo, cycle, priority):
    merged(repo, 501, day=date(2017, 3, 1))  # the day before
    merged(repo, 502, day=date(2017, 3, 21))  # after "today"
    ChangeFactory(repository=repo, number=503, status=ChangeStatus.NEW)
    ChangeFactory(repository=repo, number=504, status=ChangeStatus.ABANDONED, closed=at(TODAY))
    merged(RepositoryFactory(team=TeamFactory(server=team.server)), 505)
    merged(repo, 506, day=SINCE)  # the first day counts
    rule = rule_for(team, cycle, priority, until=date(2017, 3, 15))
    merged(repo, 507, day=date(2017, 3, 16))  # after the rule's last day
    check = check_rule(rule, TODAY)
    assert [v.change.number for v in check.violations] == [506]
    assert check.ended == "lifted" and check.end == date(2017, 3, 15)


def test_the_rule_ends_when_its_priority_is_done(team, repo, cycle, priority):
    Priority.objects.filter(pk=priority.pk).update(
        status=PriorityStatus.DONE, status_date=date(2017, 3, 8)
    )
    merged(repo, 601, day=date(2017, 3, 9))
    check = check_rule(rule_for(team, cycle, priority), TODAY)
    assert check.holds and check.ended == "landed"
    assert check.summary == "held from 2017-03-02 to 2017-03-08"


def test_a_rule_whose_priority_was_deleted_says_so_and_still_checks(team, repo, cycle, priority):
    rule = rule_for(team, cycle, priority)
    priority.delete()
    merged(repo, 101)  # no longer a priority item
    rule.refresh_from_db()
    assert rule.priority_deleted and rule.priority_title == "Image import"
    check = check_rule(rule, TODAY)
    assert [v.change.number for v in check.violations] == [101]


def test_a_future_rule_has_not_started(team, cycle):
    check = check_rule(rule_for(team, cycle, since=date(2017, 4, 1)), TODAY)
    assert not check.started and check.summary == "starts on 2017-04-01"


def test_a_rule_whose_priority_landed_before_it_began_says_so(team, repo, cycle, priority):
    Priority.objects.filter(pk=priority.pk).update(
        status=PriorityStatus.DONE, status_date=date(2017, 3, 1)
    )
    merged(repo, 999)
    check = check_rule(rule_for(team, cycle, priority), TODAY)
    assert check.summary == "ended on 2017-03-01, before its first day" and check.holds


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("hashtag:security OR (", "exception query cannot be used"),
        ("frobnicate:yes", "frobnicate"),
        ("is:watched", "cannot be answered by Tiller"),
        ("owner:self", "sign in"),
    ],
)
def test_a_bad_exception_query_is_refused_with_the_parsers_message(team, cycle, query, message):
    with pytest.raises(InvalidFocusRule) as caught:
        rule_for(team, cycle, exceptions=query)
    assert message in str(caught.value) and caught.value.field == "exceptions"
    assert not FocusRule.objects.exists()


def test_a_stored_query_that_no_longer_works_shows_its_message(team, repo, cycle):
    rule = rule_for(team, cycle)
    FocusRule.objects.filter(pk=rule.pk).update(exceptions="hashtag:security OR (")
    merged(repo, 701, hashtags=["security"])
    check = check_rule(rule, TODAY)
    assert check.problem and [v.change.number for v in check.violations] == [701]


def test_empty_exceptions_allow_nothing(team, repo, cycle):
    merged(repo, 702, hashtags=["security"])
    check = check_rule(rule_for(team, cycle, exceptions=""), TODAY)
    assert [v.change.number for v in check.violations] == [702] and check.problem is None


def test_other_input_mistakes_are_refused(team, cycle, priority):
    with pytest.raises(InvalidFocusRule, match="before the first day"):
        rule_for(team, cycle, until=date(2017, 3, 1))
    other = PriorityFactory(team=TeamFactory(), cycle=cycle)
    with pytest.raises(InvalidFocusRule, match="is not a Pike priority of Glance"):
        rule_for(team, cycle, other)
    with pytest.raises(InvalidFocusRule, match="in words"):
        create_rule(team=team, cycle=cycle, statement=" ", since=SINCE, exceptions="", actor=None)


def test_edits_from_an_old_version_are_refused(team, cycle, priority):
    rule = rule_for(team, cycle, priority)
    fields = {"since": SINCE, "until": None, "priority": priority, "exceptions": ""}
    edited = edit_rule(rule=rule, version=1, statement="Only image import", actor=None, **fields)
    assert edited.version == 2 and edited.statement == "Only image import"
    with pytest.raises(StaleFocusRule) as caught:
        edit_rule(rule=rule, version=1, statement="Overwrite", actor=None, **fields)
    assert caught.value.current.statement == "Only image import"
    with pytest.raises(StaleFocusRule):
        lift_rule(rule=rule, version=1, today=TODAY, actor=None)
    with pytest.raises(StaleFocusRule):
        delete_rule(rule=rule, version=1)
    lifted = lift_rule(rule=rule, version=2, today=TODAY, actor=None)
    assert lifted.until == TODAY and lifted.version == 3
    delete_rule(rule=rule, version=3)
    assert not FocusRule.objects.exists()


def test_editing_keeps_a_deleted_prioritys_name_unless_another_is_chosen(team, cycle, priority):
    rule = rule_for(team, cycle, priority)
    priority.delete()
    rule.refresh_from_db()
    fields = {"since": SINCE, "until": None, "exceptions": "", "statement": "Still"}
    edited = edit_rule(rule=rule, version=1, priority=None, actor=None, **fields)
    assert edited.priority_deleted and edited.priority_title == "Image import"


def test_checking_every_rule_takes_a_fixed_number_of_queries(
    team, repo, cycle, priority, django_assert_num_queries
):
    def add_data(first, n):
        for i in range(first, first + n):
            rule_for(team, cycle, priority if i % 2 else None, exceptions=f"hashtag:h{i}")
            week = WeeklyListFactory(team=team, week=date(2017, 3, 2 + i))
            WeeklyItemFactory(weekly_list=week, kind=ItemKind.CHANGE, change_number=800 + i)
            WeeklyItemFactory(weekly_list=week, kind=ItemKind.SPEC, spec=SpecFactory(team=team))
            merged(repo, 900 + i, hashtags=[f"h{i}"])
            merged(repo, 800 + i)
            merged(repo, 950 + i)

    add_data(0, 2)
    # cycle, rules, priorities' specs, weekly items, search groups, merged changes
    with django_assert_num_queries(6):
        few = focus_checks(team=team, today=TODAY)
    add_data(2, 5)
    with django_assert_num_queries(6):
        many = focus_checks(team=team, today=TODAY)
    assert len(few.checks) == 2 and len(many.checks) == 7
    # Each rule excepts its own hashtag only; every weekly list is in every window.
    assert all(len(check.violations) == 7 + 6 for check in many.checks)
    assert all(
        check.allowed[EXCEPTION] == 1 and check.allowed[WEEKLY] == 7 for check in many.checks
    )
    assert many.broken == 7
