"""Demo cycles: generated six-month cycles around today, with a schedule, team events
and leaders, so the demo's cycle page has freezes to count down to. Nothing is read from
files: the demo must run in any clone.

Names and release dates are the Gerrit simulator's own calendar of OpenStack series
(``gerrit.simulator.content.SERIES``), so the cycles match the simulated history: its spec
files live under the same cycle names, and its busiest weeks are these feature freezes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dashboard.gerrit.models import Account, CoreMembership, Team
from dashboard.gerrit.simulator.content import SERIES
from dashboard.governance.models import Cycle, CycleEvent, CycleStatus, EventKind, Leader
from dashboard.governance.models.leaders import LeaderRole
from dashboard.governance.weeks import deadline_day, monday_of

# How far back the demo's history goes (it spans about 18 months), plus one cycle ahead.
HISTORY = timedelta(days=550)


@dataclass(frozen=True)
class _Slot:
    release_id: str
    name: str
    start: date
    release_week: date


def _slots(today: date) -> list[_Slot]:
    slots = []
    releases = [
        (name, release_id, monday_of(datetime.fromtimestamp(release, UTC).date()))
        for name, release_id, release in SERIES
    ]
    for (_, _, previous), (name, release_id, release_week) in itertools.pairwise(releases):
        slots.append(_Slot(release_id, name, previous + timedelta(weeks=1), release_week))
    current = next(i for i, s in enumerate(slots) if today <= s.release_week + timedelta(days=6))
    return [
        slot
        for slot in slots[: current + 2]
        if slot.release_week + timedelta(days=6) >= today - HISTORY
    ]


def _week(slot: _Slot, r: int) -> date:
    """Monday of week ``R{r}`` (r negative before the release)."""
    return slot.release_week + timedelta(weeks=r)


@transaction.atomic
def seed_demo_cycles(team: Team, today: date | None = None) -> list[Cycle]:
    """Create (or refresh) the demo's cycles, their schedule, ``team``'s events and leaders.

    Leaders are the team's core reviewers (synced accounts), so the cycle page links them.
    """
    today = today or timezone.localdate()
    cores = list(
        Account.objects.filter(
            pk__in=CoreMembership.objects.filter(team=team).values("account")
        ).order_by("name")
    )
    cycles = []
    for index, slot in enumerate(_slots(today)):
        letter = slot.name[0]
        title = slot.name.capitalize()
        if slot.release_week + timedelta(days=6) < today:
            status = CycleStatus.MAINTAINED
        elif slot.start <= today:
            status = CycleStatus.DEVELOPMENT
        else:
            status = CycleStatus.FUTURE
        cycle, _ = Cycle.objects.update_or_create(
            name=slot.name,
            defaults={
                "release_id": slot.release_id,
                "start": slot.start,
                "end": slot.release_week,
                "status": status,
            },
        )
        cycle.events.all().delete()
        own = f"{team.name}-"
        schedule = [
            (-20, "1", EventKind.MILESTONE, f"{title}-1 milestone"),
            (
                -19,
                own + "spec-prop",
                EventKind.SPEC_PROPOSAL_FREEZE,
                f"{team} spec proposal freeze",
            ),
            (-17, own + "spec-freeze", EventKind.SPEC_FREEZE, f"{team} spec freeze"),
            (-13, "2", EventKind.MILESTONE, f"{title}-2 milestone"),
            (-5, "3", EventKind.MILESTONE, f"{title}-3 milestone"),
            (-5, "ff", EventKind.FEATURE_FREEZE, "Feature freeze"),
            (-5, "rf", EventKind.REQUIREMENTS_FREEZE, "Requirements freeze"),
            (-5, "soft-sf", EventKind.STRING_FREEZE, "Soft string freeze"),
            (-3, "rc1", EventKind.RC, "RC1 target week"),
            (-3, "hard-sf", EventKind.STRING_FREEZE, "Hard string freeze"),
            (
                0,
                "final",
                EventKind.FINAL_RELEASE,
                f"{slot.release_id} {title} final release".strip()
                if title != slot.release_id
                else f"{title} final release",
            ),
        ]
        for r, slug, kind, event_title in schedule:
            start = _week(slot, r)
            CycleEvent.objects.create(
                cycle=cycle,
                team=team if slug.startswith(own) else None,
                kind=kind,
                label=f"{letter}-{slug}",
                title=event_title,
                start=start,
                end=start + timedelta(days=4),
                due=deadline_day(start),
            )
        midcycle = _week(slot, -12) + timedelta(days=1)
        review_day = _week(slot, -7) + timedelta(days=2)
        for event_title, first, last, text in [
            ("Virtual midcycle", midcycle, midcycle + timedelta(days=1), "Two half days on video."),
            ("Review day", review_day, review_day, "Everyone reviews the priority list."),
        ]:
            CycleEvent.objects.create(
                cycle=cycle,
                team=team,
                kind=EventKind.TEAM,
                title=event_title,
                description=text,
                start=first,
                end=last,
                due=first,
            )
        Leader.objects.filter(team=team, cycle=cycle).delete()
        # A PTL serves two cycles; the liaisons are the next two core reviewers.
        ptl = index // 2
        roles = [
            (LeaderRole.PTL, ptl),
            (LeaderRole.RELEASE, ptl + 1),
            (LeaderRole.SECURITY, ptl + 2),
        ]
        for role, pick in roles:
            if cores:
                person = cores[pick % len(cores)]
                Leader.objects.create(
                    team=team,
                    cycle=cycle,
                    role=role,
                    name=person.name,
                    irc=person.username,
                    email=person.email,
                    account=person,
                    source="demo",
                )
        cycles.append(cycle)
    return cycles
