"""Demo data for the cycle priorities: generated from the synced demo team, never read
from a real specs repository (users' clones do not have ../shared).

The items are the simulated team's busiest blueprint topics (``bp/…``), owned by the
person who pushed most changes on each, with two of their open changes; the previous
cycle's list has outcomes (done, missed, deprioritized) and the current one a couple of
feature-freeze exception requests. Everything goes through the services, so the history
on the page is what those writes left.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeStatus, CoreMembership, Team
from dashboard.gerrit.simulator import vocabulary
from dashboard.governance.models import (
    Cycle,
    CycleStatus,
    FFEDecision,
    Priority,
    PriorityStatus,
)
from dashboard.governance.priorities import (
    create_priority,
    decide_ffe,
    list_version,
    reorder_priorities,
    request_ffe,
    set_priority_status,
)

DEMO_ACTOR = "Demo PTL"
CURRENT_ITEMS = 6
PREVIOUS_ITEMS = 4
# (status, reason) of the previous cycle's items, in order.
OUTCOMES = (
    (PriorityStatus.DONE, ""),
    (PriorityStatus.DONE, ""),
    (PriorityStatus.MISSED, "Two of its reviewers left the core team mid-cycle; carried over."),
    (PriorityStatus.DEPRIORITIZED, "Blocked on a nova change that did not merge in time."),
)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _cycle_bounds(today: date) -> tuple[str, date, date]:
    """OpenStack-style six-month series around ``today``: YYYY.1 runs October to April
    (released in the spring of YYYY), YYYY.2 April to October."""
    if today.month >= 10:
        return f"{today.year + 1}.1", date(today.year, 10, 1), date(today.year + 1, 4, 1)
    if today.month >= 4:
        return f"{today.year}.2", date(today.year, 4, 1), date(today.year, 10, 1)
    return f"{today.year}.1", date(today.year - 1, 10, 1), date(today.year, 4, 1)


def demo_cycles(today: date | None = None) -> tuple[Cycle, Cycle]:
    """The current and previous cycles: the ones that exist (the cycles demo seeding may
    have made them), else made here with get_or_create by name, so either order works."""
    today = today or timezone.localdate()
    current = Cycle.objects.current(at=today)
    if current is None:
        name, start, end = _cycle_bounds(today)
        current, _ = Cycle.objects.get_or_create(
            name=name,
            defaults={
                "start": _monday(start),
                "end": _monday(end),
                "status": CycleStatus.DEVELOPMENT,
            },
        )
    previous = None
    if current.start is not None:
        previous = Cycle.objects.filter(start__lt=current.start).order_by("-start").first()
    if previous is None:
        name, start, end = _cycle_bounds((current.start or today) - timedelta(days=30))
        previous, _ = Cycle.objects.get_or_create(
            name=name,
            defaults={
                "start": _monday(start),
                "end": _monday(end),
                "status": CycleStatus.MAINTAINED,
            },
        )
    return current, previous


def _title(topic: str) -> str:
    return topic.removeprefix("bp/").replace("-", " ").capitalize()


def _topics(team: Team, count: int) -> list[str]:
    """The team's blueprint topics by number of changes (the simulator's features)."""
    rows = (
        Change.objects.filter(repository__team=team, topic__startswith="bp/")
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic")[:count]
    )
    topics = [row["topic"] for row in rows]
    for feature in vocabulary.FEATURES:
        if len(topics) >= count:
            break
        topic = "bp/" + feature.replace(" ", "-")
        if topic not in topics:
            topics.append(topic)
    return topics


def _owners(team: Team, topics: list[str]) -> dict[str, str]:
    rows = (
        Change.objects.filter(repository__team=team, topic__in=topics)
        .exclude(owner__name="")
        .values("topic", "owner__name")
        .annotate(n=Count("pk"))
        .order_by("topic", "-n", "owner__name")
    )
    owners: dict[str, str] = {}
    for row in rows:
        owners.setdefault(row["topic"], row["owner__name"])
    return owners


def _open_changes(team: Team, topics: list[str]) -> dict[str, list[Change]]:
    found: dict[str, list[Change]] = {}
    changes = (
        Change.objects.filter(repository__team=team, topic__in=topics, status=ChangeStatus.NEW)
        .select_related("repository")
        .order_by("-updated")
    )
    for change in changes:
        found.setdefault(change.topic, [])
        if len(found[change.topic]) < 2:
            found[change.topic].append(change)
    return found


def seed_demo_priorities(team: Team) -> None:
    """Give the demo team a current and a previous cycle list and two FFE requests.

    Does nothing if the team already has priorities for the current cycle, so running it
    twice is harmless.
    """
    current, previous = demo_cycles()
    if Priority.objects.filter(team=team, cycle=current).exists():
        return
    topics = _topics(team, CURRENT_ITEMS + PREVIOUS_ITEMS)
    owners = _owners(team, topics)
    open_changes = _open_changes(team, topics)
    made = []
    for topic in topics[:CURRENT_ITEMS]:
        made.append(
            create_priority(
                team=team,
                cycle=current,
                actor=None,
                actor_name=DEMO_ACTOR,
                title=_title(topic),
                owner_names=[owners[topic]] if topic in owners else [],
                topics=[topic],
                change_numbers=[c.number for c in open_changes.get(topic, [])],
                target=f"M{1 + len(made) % 3}",
            )
        )
    # The PTL moved the last item to the top after the PTG: the history shows a reorder.
    if len(made) > 1:
        order = [made[-1].pk] + [item.pk for item in made[:-1]]
        reorder_priorities(
            team=team,
            cycle=current,
            actor=None,
            actor_name=DEMO_ACTOR,
            order=order,
            expected_version=list_version(team=team, cycle=current),
        )
    for index, topic in enumerate(topics[CURRENT_ITEMS:]):
        item = create_priority(
            team=team,
            cycle=previous,
            actor=None,
            actor_name=DEMO_ACTOR,
            title=_title(topic),
            owner_names=[owners[topic]] if topic in owners else [],
            topics=[topic],
        )
        status, reason = OUTCOMES[index % len(OUTCOMES)]
        on = previous.end or (timezone.localdate() - timedelta(days=60))
        set_priority_status(
            priority=item,
            actor=None,
            actor_name=DEMO_ACTOR,
            expected_version=item.version,
            status=status,
            reason=reason,
            on=on,
        )
    _seed_ffes(team, current, made, open_changes)


def _seed_ffes(
    team: Team, cycle: Cycle, items: list[Priority], open_changes: dict[str, list[Change]]
) -> None:
    cores = list(
        CoreMembership.objects.filter(team=team, left__isnull=True)
        .exclude(account__name="")
        .values_list("account__name", flat=True)[:2]
    ) or ["A core reviewer"]
    asked = 0
    # Priorities' own open changes first; any open change of the team if they have none.
    spare = list(
        Change.objects.filter(repository__team=team, status=ChangeStatus.NEW)
        .select_related("repository")
        .order_by("-updated")[:2]
    )
    for item in items:
        changes = open_changes.get(item.topics[0], []) if item.topics else []
        if not changes and spare:
            changes = [spare.pop(0)]
        if not changes:
            continue
        ffe = request_ffe(
            team=team,
            cycle=cycle,
            requester=None,
            requester_name=cores[asked % len(cores)],
            title=f"{item.title}: land {changes[0].subject[:80]}",
            reason="The last patch of the series has a +2 and needs one more review.",
            change=changes[0],
            requested=timezone.localdate() - timedelta(days=3 - asked),
        )
        if asked == 0:
            decide_ffe(
                ffe=ffe,
                decider=None,
                decision=FFEDecision.GRANTED,
                note="Granted until RC1: it must merge by Thursday.",
            )
        asked += 1
        if asked == 2:
            return
