"""Demo data for the weekly review priorities: the last four Thursday meetings' lists.

Generated from the synced demo team, after the cycle priorities are seeded: the current
cycle's priority topics and their open changes, a few starved changes (the stale page's
list), a spec, a free-text item and notes. Later weeks carry the previous list forward
and change a little, as a PTL would, so the history has carries, additions, a removal, a
reorder and notes. Everything goes through the services; only the edit times are then
set to the meeting days (the services stamp "now"). Deterministic for a given simulator
seed and day.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.governance import weekly as services
from dashboard.governance.models import (
    Cycle,
    ItemKind,
    Priority,
    PriorityStatus,
    Spec,
    WeeklyEdit,
    WeeklyList,
)
from dashboard.health.stale import policy_for, starved_changes

DEMO_ACTOR = "Demo PTL"
WEEKS = 4
THURSDAY = 3
MEETING_HOUR = 14  # the Glance meeting: Thursdays 14:00 UTC

INTROS = (
    "Focus on image import this week; the rest as time allows.",
    "Carried over from last week. Please look at the starved changes too.",
    "Milestone is close: priority changes first, then the starved ones.",
    "Last push before the milestone: two +2s on each of these, please.",
)


def meeting_days(today: date, count: int = WEEKS) -> list[date]:
    """The last ``count`` Thursdays on or before ``today``, oldest first."""
    last = today - timedelta(days=(today.weekday() - THURSDAY) % 7)
    return [last - timedelta(weeks=count - 1 - n) for n in range(count)]


def _priority_topics(team: Team, today: date) -> list[str]:
    """The current cycle's active priorities' topics, else the busiest blueprint topics."""
    cycle = Cycle.objects.current(at=today)
    topics: list[str] = []
    if cycle is not None:
        for priority in Priority.objects.for_list(team_id=team.pk, cycle_id=cycle.pk).filter(
            status=PriorityStatus.ACTIVE
        ):
            topics.extend(t for t in priority.topics if t not in topics)
    if not topics:
        rows = (
            Change.objects.filter(repository__team=team, topic__startswith="bp/")
            .values("topic")
            .annotate(n=Count("pk"))
            .order_by("-n", "topic")[:3]
        )
        topics = [row["topic"] for row in rows]
    return topics[:3]


def _open_changes(team: Team, topics: list[str], count: int) -> list[int]:
    return list(
        Change.objects.filter(repository__team=team, topic__in=topics, status=ChangeStatus.NEW)
        .order_by("-updated", "number")
        .values_list("number", flat=True)[:count]
    )


def _spec(team: Team) -> Spec | None:
    return Spec.objects.filter(team=team).order_by("-cycle_id", "title").first()


def _add(weekly_list: WeeklyList, kind: str, value: str, note: str = "") -> None:
    # InvalidItem: already on the list (a priority's change that is also starved).
    with suppress(services.InvalidItem):
        services.add_item(
            weekly_list=weekly_list, version=None, kind=kind, value=value, note=note, actor=None
        )


def seed_demo_weekly(team: Team, today: date | None = None) -> list[WeeklyList]:
    """Give the demo team its last four weekly lists, with history.

    Does nothing (and returns the existing lists) when the team already has any.
    """
    existing = list(WeeklyList.objects.for_team(team.pk).order_by("week"))
    if existing:
        return existing
    today = today or timezone.localdate()
    topics = _priority_topics(team, today)
    changes = _open_changes(team, topics, 3)
    policy = policy_for(team)
    starved = [s.change.number for s in starved_changes(team=team, days=policy.starved_after_days)]
    starved = [n for n in starved if n not in changes][: WEEKS + 1]
    spec = _spec(team)
    made: list[WeeklyList] = []
    for index, week in enumerate(meeting_days(today)):
        weekly_list = services.open_list(team=team, week=week, actor=None)
        if index == 0:
            for topic in topics[:2]:
                _add(weekly_list, ItemKind.TOPIC, topic, "The cycle's first priority.")
            for number in changes:
                _add(weekly_list, ItemKind.CHANGE, str(number))
            if starved:
                _add(weekly_list, ItemKind.CHANGE, str(starved[0]), "Starved: nobody has looked.")
            if spec is not None:
                _add(weekly_list, ItemKind.SPEC, str(spec.pk), "Spec freeze is near.")
            _add(
                weekly_list,
                ItemKind.TEXT,
                "Stable branch backports",
                "Review the open stable/ backports before the release.",
            )
        else:
            services.carry_forward(weekly_list=weekly_list, version=None, actor=None)
            if index < len(starved):
                _add(weekly_list, ItemKind.CHANGE, str(starved[index]), "Starved for weeks.")
        items = list(weekly_list.items.order_by("position"))
        if index == 2 and items:
            text = next((i for i in items if i.kind == ItemKind.TEXT), None)
            if text is not None:
                services.remove_item(item=text, version=None, actor=None)
        if index == WEEKS - 1 and len(items) > 1:
            order = list(weekly_list.items.order_by("position").values_list("pk", flat=True))
            services.reorder_items(
                weekly_list=weekly_list, version=None, order=[order[-1], *order[:-1]], actor=None
            )
            first = weekly_list.items.order_by("position").first()
            services.edit_note(
                item=first,
                version=None,
                note="Moved to the top at the meeting: it has waited longest.",
                actor=None,
            )
        services.set_intro(
            weekly_list=weekly_list, version=None, intro=INTROS[index % len(INTROS)], actor=None
        )
        _date_history(weekly_list, week)
        made.append(weekly_list)
    return made


def _date_history(weekly_list: WeeklyList, week: date) -> None:
    """Put the list's edits at the meeting (a minute apart) and name the demo's PTL."""
    start = datetime.combine(week, time(MEETING_HOUR), tzinfo=UTC)
    edits = list(weekly_list.edits.order_by("pk"))
    # This week's meeting may be later today: the history never lies in the future.
    start = min(start, timezone.now() - timedelta(minutes=len(edits) + 1))
    for minute, edit in enumerate(edits):
        edit.at = start + timedelta(minutes=minute)
        edit.actor_name = DEMO_ACTOR
    WeeklyEdit.objects.bulk_update(edits, ["at", "actor_name"])
    last = edits[-1].at if edits else start
    WeeklyList.objects.filter(pk=weekly_list.pk).update(
        created=start, updated=last, updated_by_name=DEMO_ACTOR
    )
    weekly_list.refresh_from_db()
