"""The demo's draft of last cycle's report narrative, so the report reads as a PTL's would."""

from __future__ import annotations

from dashboard.gerrit.models import Team
from dashboard.governance.priorities_demo import demo_cycles
from dashboard.reports.models import ReportNarrative
from dashboard.reports.narratives import save_narrative

# The demo's words make no claim about figures: those are the report's, drafted from the
# data, and the demo's data differs from run to run.
HIGHLIGHTS = (
    "(A demo draft: the PTL writes this part.) What the team is proudest of this cycle.\n\n"
    "- The priorities marked done below\n"
    "- Who joined the core team, and what the review days brought"
)
PROBLEMS = "(A demo draft.) The missed priorities and their reasons, in the team's words."
ADVICE = "(A demo draft.) What the next PTL should start, stop and keep doing."


def seed_demo_report_narrative(team: Team) -> ReportNarrative | None:
    """A first draft of the previous cycle's narrative, saved as "Demo"; does nothing when
    the report already has one (running the demo twice keeps what the PTL wrote)."""
    _, previous = demo_cycles()
    if ReportNarrative.objects.filter(team=team, cycle=previous).exists():
        return None
    return save_narrative(
        team=team,
        cycle=previous,
        actor=None,
        actor_name="Demo",
        expected_version=0,
        highlights=HIGHLIGHTS,
        problems=PROBLEMS,
        advice=ADVICE,
    )
