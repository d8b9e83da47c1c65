"""The demo's draft narrative: written once for the previous cycle, never over a PTL's."""

from __future__ import annotations

import pytest

from dashboard.governance.priorities_demo import demo_cycles
from dashboard.reports.cycle_report_demo import seed_demo_report_narrative
from dashboard.reports.models import ReportNarrative
from dashboard.reports.narratives import save_narrative
from tests.gerrit.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_demo_drafts_last_cycles_narrative_once() -> None:
    team = TeamFactory()
    narrative = seed_demo_report_narrative(team)
    assert narrative is not None
    assert (narrative.cycle, narrative.version, narrative.saved_by_name) == (
        demo_cycles()[1],
        1,
        "Demo",
    )
    save_narrative(
        team=team,
        cycle=narrative.cycle,
        actor=None,
        expected_version=1,
        highlights="The PTL's own words",
        problems="",
        advice="",
    )
    assert seed_demo_report_narrative(team) is None
    assert ReportNarrative.objects.get().highlights == "The PTL's own words"
