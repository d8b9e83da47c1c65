"""A team's events as an iCalendar (RFC 5545) feed that calendar applications subscribe to.

Every event is all-day: a schedule deadline on the day it falls due, a team event over
the days it covers. UIDs are stable across re-imports (a schedule event is named by its
cycle, label and team; a team event by its id), so a subscribed calendar updates events
in place instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from dashboard.gerrit.models import Team
from dashboard.governance.models import CycleEvent
from dashboard.governance.weeks import week_label

PRODID = "-//Tiller//Cycle calendar//EN"
UID_DOMAIN = "cycles.tiller"


def event_uid(event: CycleEvent) -> str:
    """A UID that survives re-imports of the schedule (its database id may not)."""
    if event.label:
        scope = f"team-{event.team_id}" if event.team_id else "all"
        return f"{event.cycle.name}-{event.label}-{scope}-{event.start:%Y%m%d}@{UID_DOMAIN}"
    return f"team-event-{event.pk}@{UID_DOMAIN}"


def team_calendar(
    *, team: Team, events: Iterable[CycleEvent], page_url: str, now: datetime | None = None
) -> bytes:
    """The feed's bytes. ``page_url`` is the absolute URL of the cycle pages (each event
    links to its cycle's page under it); ``now`` is the DTSTAMP (the feed's generation).
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar.new(
        prodid=PRODID,
        name=f"{team} release cycle",
        description=f"Milestones, freezes and team events of {team}, from Tiller",
        refresh_interval=timedelta(hours=12),
    )
    calendar.add("CALSCALE", "GREGORIAN")
    for event in events:
        if event.label:
            first, last = event.day, event.day
        else:
            first, last = event.start, event.end
        cycle = event.cycle
        lines = [
            f"{cycle} {week_label(release_week=cycle.end, day=first)}" if cycle.end else str(cycle)
        ]
        if event.description:
            lines.append(event.description)
        calendar.add_component(
            Event.new(
                uid=event_uid(event),
                stamp=stamp,
                start=first,
                end=last + timedelta(days=1),  # DTEND of an all-day event is exclusive
                summary=event.title,
                description="\n\n".join(lines),
                categories=[event.get_kind_display()],
                url=f"{page_url}{cycle.name}/",
                transparency="TRANSPARENT",
            )
        )
    return calendar.to_ical()
