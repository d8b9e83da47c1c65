"""The demo's focus rule: tied to the current cycle's first priority, made once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dashboard.gerrit.models import ChangeStatus
from dashboard.governance.priorities_demo import demo_cycles
from dashboard.reports.focus import EXCEPTION, check_rule
from dashboard.reports.focus_demo import DECLARED_DAYS_AGO, seed_demo_focus
from dashboard.reports.models import FocusRule
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory
from tests.governance.priority_factories import PriorityFactory

pytestmark = pytest.mark.django_db


def test_demo_rule_follows_the_first_priority_and_lets_requirements_updates_through():
    team = TeamFactory(name="glance")
    current, _ = demo_cycles()
    PriorityFactory(team=team, cycle=current, position=2, title="Second")
    PriorityFactory(team=team, cycle=current, position=1, title="Image import")
    repo = RepositoryFactory(team=team)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for number, topic in ((1, "openstack/requirements"), (2, "")):
        ChangeFactory(
            repository=repo, number=number, topic=topic, status=ChangeStatus.MERGED,
            closed=yesterday,
        )  # fmt: skip
    rule = seed_demo_focus(team)
    assert rule is not None and rule.priority.title == "Image import"
    assert "“Image import” lands" in rule.statement
    assert rule.since == max(
        timezone.localdate() - timedelta(days=DECLARED_DAYS_AGO), current.start
    )
    assert rule.created_by_name == "Demo PTL"
    check = check_rule(rule, timezone.localdate())
    assert check.allowed[EXCEPTION] == 1 and [v.change.number for v in check.violations] == [2]
    assert seed_demo_focus(team) == rule and FocusRule.objects.count() == 1


def test_no_priorities_no_demo_rule():
    assert seed_demo_focus(TeamFactory()) is None
    assert not FocusRule.objects.exists()
