"""Page-shaped reads of the governance app: cycles, their timeline, freezes and leaders.

``current_cycle``, ``next_freeze`` and ``freeze_date`` are the small API other areas use
(priorities and specs ask for a cycle's spec or feature freeze); keep their signatures.
Dates are calendar days (the schedule's), compared with today in UTC (TIME_ZONE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle, CycleEvent, Leader
from dashboard.governance.models.cycles import FREEZE_KINDS
from dashboard.governance.weeks import Week, weeks_between


def current_cycle(at: date | None = None) -> Cycle | None:
    """The cycle in progress on ``at`` (today by default).

    A cycle runs from its first R-N week to the end of its release week (``Cycle.end`` is
    that week's Monday, so the days after it still belong to the cycle); where two overlap,
    the later-starting one wins, since the release week usually opens the next cycle.
    """
    at = at or timezone.localdate()
    return (
        Cycle.objects.filter(start__lte=at, end__gte=at - timedelta(days=6))
        .order_by("-start")
        .first()
    )


def freeze_date(*, cycle: Cycle, team: Team, kind: str) -> date | None:
    """The day ``team``'s event of ``kind`` (an EventKind value) falls due in ``cycle``
    (see ``CycleEventQuerySet.deadlines`` for which event counts); None when the schedule
    has no such event."""
    event = CycleEvent.objects.deadlines(team=team, kind=kind).filter(cycle=cycle).first()
    return event.day if event else None


def next_freeze(team: Team, at: date | None = None) -> CycleEvent | None:
    """The next freeze (spec proposal, spec, feature, string or requirements) that falls
    due on or after ``at`` (today by default) for ``team``, in any cycle.
    """
    at = at or timezone.localdate()
    return (
        CycleEvent.objects.for_team(team)
        .filter(kind__in=FREEZE_KINDS)
        .filter(Q(due__gte=at) | Q(due__isnull=True, start__gte=at))
        .select_related("cycle")
        .order_by("due", "start")
        .first()
    )


def countdown(*, event: CycleEvent, today: date) -> str:
    """``Feature freeze in 12 days`` / ``… tomorrow`` / ``… today``."""
    days = (event.day - today).days
    name = event.get_kind_display()
    if days == 0:
        return f"{name} today"
    if days == 1:
        return f"{name} tomorrow"
    if days < 0:
        return f"{name} was {-days} day{'s' if days != -1 else ''} ago"
    return f"{name} in {days} days"


@dataclass(frozen=True)
class TimelineWeek:
    week: Week
    events: list[CycleEvent]
    is_current: bool
    is_past: bool


@dataclass(frozen=True)
class CyclePage:
    cycle: Cycle
    weeks: list[TimelineWeek]
    freeze: CycleEvent | None
    countdown: str
    ptls: list[Leader]
    liaisons: list[Leader]
    team_events: list[CycleEvent]
    today: date
    is_current: bool


def cycle_list(*, team: Team) -> list[Cycle]:
    """Every known cycle, newest first (cycles are global; the team scopes the links)."""
    return list(Cycle.objects.order_by("-start", "-name"))


def cycle_page(*, team: Team, cycle: Cycle, today: date | None = None) -> CyclePage:
    """The cycle's weeks as a timeline with ``team``'s events, the next freeze, the leaders.

    Four queries whatever the size: the events, the leaders, and the next freeze (which
    may lie in a later cycle when this one's are past). The timeline spans the cycle's
    weeks, widened to any event listed before or after them (the previous release in the
    first week, cycle-trailing deadlines after R+0).
    """
    today = today or timezone.localdate()
    events = list(
        CycleEvent.objects.filter(cycle=cycle).for_team(team).order_by("start", "due", "title")
    )
    release = cycle.end or (cycle.start or today)
    first = min([cycle.start or release] + [event.start for event in events])
    last = max([release] + [event.start for event in events])
    by_week: dict[date, list[CycleEvent]] = {}
    for event in events:
        by_week.setdefault(event.start - timedelta(days=event.start.weekday()), []).append(event)
    dated = cycle.end is not None and (cycle.start is not None or events)
    weeks = [
        TimelineWeek(
            week=week,
            events=by_week.get(week.start, []),
            is_current=week.holds(today),
            is_past=week.start + timedelta(days=7) <= today,
        )
        for week in (weeks_between(first=first, last=last, release_week=release) if dated else [])
    ]
    freeze = next_freeze(team, today)
    leaders = list(
        Leader.objects.filter(team=team, cycle=cycle)
        .select_related("account")
        .order_by("role", "name")
    )
    return CyclePage(
        cycle=cycle,
        weeks=weeks,
        freeze=freeze,
        countdown=countdown(event=freeze, today=today) if freeze else "",
        ptls=[leader for leader in leaders if leader.role == "ptl"],
        liaisons=[leader for leader in leaders if leader.role != "ptl"],
        team_events=[event for event in events if event.team_id == team.pk and not event.label],
        today=today,
        is_current=any(week.is_current for week in weeks),
    )


# How far back the calendar feed goes: subscribers need what is coming and the recent
# past, not fifteen years of schedules (which would make every poll slow and large).
CALENDAR_HISTORY = timedelta(days=365)


def calendar_events(*, team: Team, today: date | None = None) -> list[CycleEvent]:
    """The events concerning ``team`` that end within the last year or later, for its
    calendar feed, oldest first.
    """
    since = (today or timezone.localdate()) - CALENDAR_HISTORY
    return list(
        CycleEvent.objects.for_team(team)
        .filter(end__gte=since)
        .select_related("cycle")
        .order_by("start", "title")
    )


def cycle_or_404(name: str) -> Cycle:
    """The cycle a URL names; a name Tiller does not know is a 404 that says so."""
    cycle = Cycle.objects.filter(name=name).first()
    if cycle is None:
        raise Http404(f"There is no cycle named “{name}”.")
    return cycle
