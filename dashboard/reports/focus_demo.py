"""Demo data for focus rules: one rule for the current cycle, tied to its first priority.

Declared a few days before today (the demo's history ends now), with the exceptions an
OpenStack team usually grants during such a rule: security fixes and the requirements
bot's updates. The simulated team knows no rule and merges a few changes a day, so the
page shows what a PTL would see when the team ignores one: the requirements updates
allowed, and the other merges listed as breaking it. Goes through the service, so the
rule is validated like one typed in the page.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.governance.models import Priority
from dashboard.governance.priorities_demo import DEMO_ACTOR, demo_cycles
from dashboard.reports.focus_services import create_rule
from dashboard.reports.models import DEFAULT_EXCEPTIONS, FocusRule

DECLARED_DAYS_AGO = 4
# The proposal bot's global-requirements updates are let through in every freeze.
EXCEPTIONS = f"{DEFAULT_EXCEPTIONS} OR topic:openstack/requirements"


def seed_demo_focus(team: Team, today: date | None = None) -> FocusRule | None:
    """The demo team's focus rule (made once; None when the cycle has no priorities)."""
    today = today or timezone.localdate()
    current, _ = demo_cycles(today)
    existing = FocusRule.objects.filter(team=team, cycle=current).first()
    if existing is not None:
        return existing
    first = Priority.objects.for_list(team_id=team.pk, cycle_id=current.pk).first()
    if first is None:
        return None
    since = today - timedelta(days=DECLARED_DAYS_AGO)
    if current.start is not None:
        since = max(since, current.start)
    return create_rule(
        team=team,
        cycle=current,
        statement=(
            f"Nothing else merges until “{first.title}” lands, "
            "except security fixes and requirements updates."
        ),
        since=since,
        priority=first,
        exceptions=EXCEPTIONS,
        actor=None,
        actor_name=DEMO_ACTOR,
    )
