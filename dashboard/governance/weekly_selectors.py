"""Reads of the weekly review priorities: the current list, and each item's live status.

An item's status is computed from synced data at read time (never stored), relative to the
previous meeting: what merged, was abandoned or got a new patch set since then, whether CI
fails, how many +2s the change has. A fixed number of queries serves a list of any length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.governance.models.weekly import ItemKind, WeeklyItem, WeeklyList


def current_list(*, team: Team, today: date) -> WeeklyList | None:
    """The list in force on ``today``: the newest whose meeting is on or before it."""
    return WeeklyList.objects.for_team(team.pk).filter(week__lte=today).first()


def previous_list(weekly_list: WeeklyList) -> WeeklyList | None:
    """The team's list of the meeting before ``weekly_list``'s, if any."""
    return (
        WeeklyList.objects.for_team(weekly_list.team_id).filter(week__lt=weekly_list.week).first()
    )


@dataclass(frozen=True)
class Marked:
    """What the review dashboards mark as this week's priority: change numbers and topics."""

    week: date | None
    numbers: frozenset[int]
    topics: frozenset[str]

    def marks(self, change: Change) -> bool:
        return change.number in self.numbers or bool(change.topic and change.topic in self.topics)


NOTHING_MARKED = Marked(week=None, numbers=frozenset(), topics=frozenset())


def marked_changes(*, team: Team, today: date) -> Marked:
    """The current list's changes and topics, for the dashboards' row markers (2 queries)."""
    weekly_list = current_list(team=team, today=today)
    if weekly_list is None:
        return NOTHING_MARKED
    rows = weekly_list.items.filter(kind__in=[ItemKind.CHANGE, ItemKind.TOPIC]).values_list(
        "change_number", "topic"
    )
    numbers = frozenset(number for number, _ in rows if number)
    topics = frozenset(topic for _, topic in rows if topic)
    return Marked(week=weekly_list.week, numbers=numbers, topics=topics)


def with_weekly_marker(changes: QuerySet[Change], *, today: date) -> QuerySet[Change]:
    """Annotate ``weekly_priority``: True when the change, or its topic, is on its team's
    list in force ``today`` (the dashboards' row marker), in the rows' own query."""
    in_force = (
        WeeklyList.objects.filter(team=OuterRef(OuterRef("repository__team")), week__lte=today)
        .order_by("-week")
        .values("pk")[:1]
    )
    listed = WeeklyItem.objects.filter(weekly_list=in_force).filter(
        Q(kind=ItemKind.CHANGE, change_number=OuterRef("number"))
        | Q(kind=ItemKind.TOPIC, topic=OuterRef("topic"))
    )
    return changes.annotate(weekly_priority=Exists(listed))


@dataclass(frozen=True)
class Badge:
    """One fact about an item, as a short phrase; ``tone`` picks its colour in the page."""

    key: str
    text: str
    tone: str = "info"  # "good", "bad", "warn" or "info"


@dataclass(frozen=True)
class ItemStatus:
    """An item with what synced data says about it now.

    ``missing`` is True when the item points at something Tiller does not have (a change
    not synced, or no longer; a deleted spec): it is shown as such, never dropped.
    ``url`` is the item's address in Gerrit (or the spec's review or blueprint), "" if none.
    """

    item: WeeklyItem
    title: str
    url: str
    badges: tuple[Badge, ...]
    missing: bool = False
    change: Change | None = None

    @property
    def summary(self) -> str:
        """The badges as one line of words, for the email."""
        return "; ".join(badge.text for badge in self.badges)


@dataclass(frozen=True)
class WeeklyStatus:
    """A list's items with their statuses, and the meeting the statuses count from."""

    weekly_list: WeeklyList
    since: date | None
    items: tuple[ItemStatus, ...]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def change_badges(change: Change, *, since: datetime) -> tuple[Badge, ...]:
    """What a reviewer wants to know about a priority change before opening it."""
    if change.status == ChangeStatus.MERGED:
        when = change.closed or change.submitted or change.updated
        if when is not None and when >= since:
            return (Badge("merged", "merged since last week", "good"),)
        return (Badge("merged", "merged", "good"),)
    if change.status == ChangeStatus.ABANDONED:
        when = change.closed or change.updated
        text = "abandoned since last week" if when is not None and when >= since else "abandoned"
        return (Badge("abandoned", text, "bad"),)
    badges = []
    if change.current_patch_set_created is not None and change.current_patch_set_created >= since:
        badges.append(Badge("new-patch-set", f"new patch set {change.current_patch_set}"))
    if change.work_in_progress:
        badges.append(Badge("wip", "work in progress", "warn"))
    if change.verified < 0:
        badges.append(Badge("ci-failing", "CI failing", "bad"))
    if change.mergeable is False:
        badges.append(Badge("conflict", "merge conflict", "bad"))
    plus2 = change.cr_plus2_count
    if change.workflow > 0:
        badges.append(Badge("approved", "approved, waiting to merge", "good"))
    elif change.cr_min <= -2:
        badges.append(Badge("blocked", "a core's -2 blocks it", "bad"))
    elif plus2 == 1:
        badges.append(Badge("one-more", "1 +2, needs one more +2", "warn"))
    elif plus2 >= 2:
        badges.append(Badge("plus2", f"{plus2} +2s, needs approval", "good"))
    else:
        badges.append(Badge("plus2", "no +2 yet"))
    if change.cr_min < 0 or change.verified < 0:
        badges.append(Badge("submitter", "waiting on the submitter", "warn"))
    return tuple(badges)


def weekly_status(*, weekly_list: WeeklyList) -> WeeklyStatus:
    """Every item of ``weekly_list`` with its live status, in order (four queries)."""
    team = weekly_list.team
    previous = previous_list(weekly_list)
    since_day = previous.week if previous else weekly_list.week - timedelta(days=7)
    since = _midnight(since_day)
    items = list(weekly_list.items.select_related("spec__review__server").order_by("position"))
    numbers = [i.change_number for i in items if i.kind == ItemKind.CHANGE and i.change_number]
    changes = {
        change.number: change
        for change in Change.objects.filter(
            server_id=team.server_id, repository__team=team, number__in=numbers
        ).select_related("repository", "owner", "server")
    }
    topics = [i.topic for i in items if i.kind == ItemKind.TOPIC and i.topic]
    topic_counts = {
        row["topic"]: row
        for row in Change.objects.filter(repository__team=team, topic__in=topics)
        .values("topic")
        .annotate(
            open=Count("pk", filter=Q(status=ChangeStatus.NEW)),
            merged=Count("pk", filter=Q(status=ChangeStatus.MERGED, closed__gte=since)),
            total=Count("pk"),
        )
    }
    server_url = team.server.url.rstrip("/")
    statuses = []
    for item in items:
        if item.kind == ItemKind.CHANGE:
            change = changes.get(item.change_number)
            statuses.append(_change_status(item, change, server_url, since))
        elif item.kind == ItemKind.TOPIC:
            statuses.append(_topic_status(item, topic_counts.get(item.topic), server_url))
        elif item.kind == ItemKind.SPEC:
            statuses.append(_spec_status(item))
        else:
            statuses.append(ItemStatus(item=item, title=item.text, url="", badges=()))
    return WeeklyStatus(weekly_list=weekly_list, since=since_day, items=tuple(statuses))


def _change_status(
    item: WeeklyItem, change: Change | None, server_url: str, since: datetime
) -> ItemStatus:
    url = f"{server_url}/c/{item.change_number}"
    if change is None:
        return ItemStatus(
            item=item,
            title=f"Change {item.change_number}",
            url=url,
            badges=(Badge("missing", "not in Tiller's synced data", "warn"),),
            missing=True,
        )
    return ItemStatus(
        item=item,
        title=change.subject,
        url=change.gerrit_url,
        badges=change_badges(change, since=since),
        change=change,
    )


def _topic_status(item: WeeklyItem, counts: dict | None, server_url: str) -> ItemStatus:
    url = f"{server_url}/q/topic:{quote(item.topic, safe='/')}"
    if not counts:
        badge = Badge("missing", "no synced change has this topic", "warn")
        return ItemStatus(item=item, title=f"Topic {item.topic}", url=url, badges=(badge,))
    badges = [Badge("open", f"{counts['open']} open")]
    if counts["merged"]:
        badges.append(Badge("merged", f"{counts['merged']} merged since last week", "good"))
    return ItemStatus(item=item, title=f"Topic {item.topic}", url=url, badges=tuple(badges))


def _spec_status(item: WeeklyItem) -> ItemStatus:
    spec = item.spec
    if spec is None:
        badge = Badge("missing", "this spec no longer exists in Tiller", "warn")
        return ItemStatus(item=item, title=item.spec_title, url="", badges=(badge,), missing=True)
    url = spec.review.gerrit_url if spec.review_id and spec.review else spec.blueprint_url
    badge = Badge("spec-state", f"spec {spec.get_state_display().lower()}")
    return ItemStatus(item=item, title=spec.title, url=url, badges=(badge,))
