"""Page-shaped reads for the weekly priorities page: the list with its live status, its
neighbours and history, what to suggest adding, and the composer's search boxes.

Everything here is a bounded number of queries whatever the list's length, so the page's
query count is pinned by its tests; writes are governance.weekly's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q

from dashboard.core.roles import CORE, PTL
from dashboard.gerrit.models import Change, Team
from dashboard.governance.models import (
    Cycle,
    ItemKind,
    Priority,
    PriorityStatus,
    Spec,
    WeeklyDelegate,
    WeeklyEdit,
    WeeklyList,
)
from dashboard.governance.weekly_selectors import WeeklyStatus, weekly_status
from dashboard.health.stale import policy_for, starved_changes

HISTORY_ROWS = 30
PAST_WEEKS = 12
SUGGESTED_STARVED = 8
SEARCH_RESULTS = 10
MEETING_INTERVAL = timedelta(days=7)


def next_meeting(*, team: Team, today: date) -> date:
    """The default date of the next list: a week after the latest list, else today."""
    latest = WeeklyList.objects.for_team(team.pk).values_list("week", flat=True).first()
    return latest + MEETING_INTERVAL if latest is not None else today


def upcoming_week(*, team: Team, today: date) -> date:
    """Where to go when no list is in force: the earliest list after ``today`` if one was
    started ahead of its meeting, else the default date of the next list."""
    upcoming = (
        WeeklyList.objects.filter(team=team, week__gt=today)
        .order_by("week")
        .values_list("week", flat=True)
        .first()
    )
    return upcoming if upcoming is not None else next_meeting(team=team, today=today)


@dataclass(frozen=True)
class WeekNavigation:
    """The meetings around one week: the lists before and after it, and the latest ones."""

    previous: date | None
    next: date | None
    weeks: tuple[date, ...]  # the team's latest lists, newest first


def week_navigation(*, team: Team, week: date) -> WeekNavigation:
    """Neighbouring lists and the list of past weeks, from one query of dates."""
    weeks = list(WeeklyList.objects.for_team(team.pk).values_list("week", flat=True))
    earlier = [w for w in weeks if w < week]
    later = [w for w in weeks if w > week]
    return WeekNavigation(
        previous=earlier[0] if earlier else None,
        next=later[-1] if later else None,
        weeks=tuple(weeks[:PAST_WEEKS]),
    )


@dataclass(frozen=True)
class Suggestion:
    """Something worth adding to the list: ``kind`` and ``value`` as the add form takes
    them, ``label`` and ``why`` for the reader."""

    kind: str
    value: str
    label: str
    why: str


def _on_list(status: WeeklyStatus | None) -> tuple[set[int], set[str], set[int]]:
    numbers: set[int] = set()
    topics: set[str] = set()
    specs: set[int] = set()
    for row in status.items if status else ():
        item = row.item
        if item.kind == ItemKind.CHANGE and item.change_number:
            numbers.add(item.change_number)
        elif item.kind == ItemKind.TOPIC:
            topics.add(item.topic)
        elif item.kind == ItemKind.SPEC and item.spec_id:
            specs.add(item.spec_id)
    return numbers, topics, specs


def suggestions(*, team: Team, week: date, status: WeeklyStatus | None) -> tuple[Suggestion, ...]:
    """Starved changes under the team's stale policy, then the cycle's active priorities'
    changes, topics and specs, leaving out what the list already holds (5 queries)."""
    numbers, topics, specs = _on_list(status)
    policy = policy_for(team)
    found: list[Suggestion] = []
    for stale in starved_changes(team=team, days=policy.starved_after_days):
        if len([s for s in found if s.kind == ItemKind.CHANGE]) >= SUGGESTED_STARVED:
            break
        change = stale.change
        if change.number in numbers:
            continue
        numbers.add(change.number)
        found.append(
            Suggestion(
                ItemKind.CHANGE,
                str(change.number),
                f"{change.number} {change.subject}",
                f"starved: waiting {int(stale.days)} days for reviewers",
            )
        )
    cycle = Cycle.objects.current(at=week)
    if cycle is None:
        return tuple(found)
    priorities = (
        Priority.objects.for_list(team_id=team.pk, cycle_id=cycle.pk)
        .filter(status=PriorityStatus.ACTIVE)
        .prefetch_related("specs")
    )
    for priority in priorities:
        why = f"{cycle} priority “{priority.title}”"
        for number in priority.change_numbers:
            if isinstance(number, int) and number not in numbers:
                numbers.add(number)
                found.append(Suggestion(ItemKind.CHANGE, str(number), f"Change {number}", why))
        for topic in priority.topics:
            if topic not in topics:
                topics.add(topic)
                found.append(Suggestion(ItemKind.TOPIC, topic, f"Topic {topic}", why))
        for spec in priority.specs.all():
            if spec.pk not in specs:
                specs.add(spec.pk)
                found.append(Suggestion(ItemKind.SPEC, str(spec.pk), f"Spec “{spec.title}”", why))
    return tuple(found)


@dataclass(frozen=True)
class TopicHit:
    topic: str
    open: int
    total: int


def search_topics(*, team: Team, text: str) -> tuple[TopicHit, ...]:
    """Topics of the team's synced changes containing ``text``, most open changes first."""
    text = text.strip()
    if not text:
        return ()
    rows = (
        Change.objects.filter(repository__team=team, topic__icontains=text)
        .values("topic")
        .annotate(open=Count("pk", filter=Q(status="NEW")), total=Count("pk"))
        .order_by("-open", "-total", "topic")[:SEARCH_RESULTS]
    )
    return tuple(TopicHit(row["topic"], row["open"], row["total"]) for row in rows)


def search_specs(*, team: Team, text: str) -> tuple[Spec, ...]:
    """The team's specs whose title contains ``text``, newest cycle first."""
    text = text.strip()
    if not text:
        return ()
    specs = Spec.objects.filter(team=team, title__icontains=text).select_related("cycle")
    return tuple(specs.order_by("-cycle_id", "title")[:SEARCH_RESULTS])


@dataclass(frozen=True)
class WeeklyPage:
    """Everything the weekly page shows for one week; ``weekly_list`` is None when the
    team has no list for that meeting yet (the page offers to start it)."""

    team: Team
    week: date
    weekly_list: WeeklyList | None
    status: WeeklyStatus | None
    history: tuple[WeeklyEdit, ...]
    navigation: WeekNavigation
    suggestions: tuple[Suggestion, ...]
    next_meeting: date

    @property
    def version(self) -> int:
        return self.weekly_list.version if self.weekly_list else 0


def weekly_page(*, team: Team, week: date, today: date, composing: bool) -> WeeklyPage:
    """The page for ``week``: a fixed number of queries for a list of any length.

    ``composing`` adds the suggestions (only those who may add them see them, and only
    once the list exists).
    """
    weekly_list = (
        WeeklyList.objects.filter(team=team, week=week).select_related("updated_by").first()
    )
    status = None
    history: tuple[WeeklyEdit, ...] = ()
    if weekly_list is not None:
        weekly_list.team = team  # the caller's row, with its server, saves two queries
        status = weekly_status(weekly_list=weekly_list)
        history = tuple(weekly_list.edits.order_by("-pk")[:HISTORY_ROWS])
    navigation = week_navigation(team=team, week=week)
    latest = navigation.weeks[0] if navigation.weeks else None
    return WeeklyPage(
        team=team,
        week=week,
        weekly_list=weekly_list,
        status=status,
        history=history,
        navigation=navigation,
        suggestions=(
            suggestions(team=team, week=week, status=status)
            if composing and weekly_list is not None
            else ()
        ),
        next_meeting=latest + MEETING_INTERVAL if latest is not None else today,
    )


@dataclass(frozen=True)
class DelegatesPanel:
    """The PTL's view of who composes besides them, and the cores who could."""

    delegates: tuple[WeeklyDelegate, ...]
    candidates: tuple[AbstractBaseUser, ...]


def delegates_panel(*, team: Team) -> DelegatesPanel:
    """The team's delegates and the users with the core role who are not yet (2 queries)."""
    delegates = tuple(
        WeeklyDelegate.objects.filter(team=team).select_related("user").order_by("user__username")
    )
    taken = {delegate.user_id for delegate in delegates}
    users = (
        get_user_model()
        .objects.filter(groups__name=CORE, is_active=True)
        .exclude(groups__name=PTL)
        .distinct()
        .order_by("username")
    )
    return DelegatesPanel(
        delegates=delegates, candidates=tuple(u for u in users if u.pk not in taken)
    )
