"""Writes to a team's weekly review priorities, and who may make them.

Every write locks the list row, checks the version the client read, bumps it and leaves a
``WeeklyEdit`` row, all in one transaction: a write made from an older version raises
``StaleWeeklyList`` instead of overwriting what someone else did meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dashboard.core.roles import PTL, has_role
from dashboard.gerrit.models import Change, Team
from dashboard.governance.models import Spec
from dashboard.governance.models.weekly import (
    ItemKind,
    WeeklyDelegate,
    WeeklyEdit,
    WeeklyItem,
    WeeklyList,
)


class StaleWeeklyList(Exception):
    """The list changed since the client read it; ``current`` is its version now."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            "Someone else changed this list while you were editing it; nothing was saved. "
            "Here is the list as it is now."
        )


class InvalidItem(ValueError):
    """What the user typed cannot become an item; the message says why, in their words."""


def can_compose(*, user: AbstractBaseUser | AnonymousUser, team: Team) -> bool:
    """The PTL (and staff) compose every team's lists; delegates compose their team's."""
    if has_role(user, PTL):
        return True
    return bool(
        user.is_authenticated and WeeklyDelegate.objects.filter(team=team, user_id=user.pk).exists()
    )


# A change as people paste it: "12345", "#12345", a Change-Id, or a URL of any Gerrit
# generation: /#/c/12345/, /c/12345/3, /c/openstack/glance/+/12345/, /12345.
_URL_NUMBER = re.compile(r"^https?://[^/]+/(?:.*?/)?(?:#/c/|c/(?:.+/\+/)?)?(\d+)(?:[/?#].*)?$")
_NUMBER = re.compile(r"^#?(\d+)$")
_CHANGE_ID = re.compile(r"^I[0-9a-f]{40}$")


@dataclass(frozen=True)
class ChangeReference:
    """A pasted change, resolved: its number, and its synced row if the team has it."""

    number: int
    change: Change | None


def parse_change_reference(*, team: Team, text: str) -> ChangeReference:
    """Read a pasted change number, Change-Id or Gerrit URL (raises ``InvalidItem``)."""
    text = text.strip()
    if not text:
        raise InvalidItem("Paste a change number or a Gerrit change URL.")
    changes = Change.objects.filter(server_id=team.server_id, repository__team=team)
    if _CHANGE_ID.match(text):
        change = changes.filter(change_id=text).order_by("-updated").first()
        if change is None:
            raise InvalidItem(f"No synced change of {team} has the Change-Id {text}.")
        return ChangeReference(number=change.number, change=change)
    match = _NUMBER.match(text) or _URL_NUMBER.match(text)
    if match is None:
        raise InvalidItem(
            f"“{text[:80]}” is not a change number, a Change-Id or a Gerrit change URL "
            "(for example 12345 or https://review.opendev.org/c/openstack/glance/+/12345)."
        )
    number = int(match.group(1))
    return ChangeReference(number=number, change=changes.filter(number=number).first())


def _name(actor: AbstractBaseUser | None, fallback: str = "Tiller") -> str:
    if actor is None:
        return fallback
    return (actor.get_full_name() if hasattr(actor, "get_full_name") else "") or str(
        actor.get_username()
    )


def _locked(weekly_list: WeeklyList, version: int | None) -> WeeklyList:
    # Locking the row serialises concurrent writers on PostgreSQL: the second waits, then
    # sees the first one's version and is refused. (SQLite serialises writes anyway.)
    fresh = WeeklyList.objects.select_for_update().get(pk=weekly_list.pk)
    if version is not None and version != fresh.version:
        raise StaleWeeklyList(fresh.version)
    return fresh


def _bump(weekly_list: WeeklyList, *, actor: AbstractBaseUser | None, summary: str) -> None:
    weekly_list.version += 1
    weekly_list.updated = timezone.now()
    weekly_list.updated_by = actor if actor is not None and actor.pk else None
    weekly_list.updated_by_name = _name(actor)[:150]
    weekly_list.save(update_fields=["version", "updated", "updated_by", "updated_by_name"])
    WeeklyEdit.objects.create(
        weekly_list=weekly_list,
        version=weekly_list.version,
        summary=summary[:500],
        actor=weekly_list.updated_by,
        actor_name=weekly_list.updated_by_name,
    )


def _renumber(weekly_list: WeeklyList) -> None:
    items = list(weekly_list.items.order_by("position", "pk"))
    moved = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            moved.append(item)
    WeeklyItem.objects.bulk_update(moved, ["position"])


@transaction.atomic
def open_list(*, team: Team, week: date, actor: AbstractBaseUser | None = None) -> WeeklyList:
    """The team's list for the meeting of ``week``, created empty if there is none yet."""
    weekly_list, created = WeeklyList.objects.get_or_create(
        team=team, week=week, defaults={"updated_by_name": _name(actor)[:150]}
    )
    if created:
        WeeklyEdit.objects.create(
            weekly_list=weekly_list,
            version=weekly_list.version,
            summary=f"Started the list for the week of {week:%Y-%m-%d}",
            actor=actor if actor is not None and actor.pk else None,
            actor_name=_name(actor)[:150],
        )
    return weekly_list


def _item_fields(*, team: Team, kind: str, value: str) -> dict[str, object]:
    value = value.strip()
    if kind == ItemKind.CHANGE:
        return {"change_number": parse_change_reference(team=team, text=value).number}
    if kind == ItemKind.TOPIC:
        if not value or len(value) > 255 or any(c.isspace() for c in value):
            raise InvalidItem("A topic is one word of at most 255 characters, e.g. bp/image-import")
        return {"topic": value}
    if kind == ItemKind.SPEC:
        spec = Spec.objects.filter(team=team, pk=int(value)).first() if value.isdigit() else None
        if spec is None:
            raise InvalidItem(f"{team} has no spec with the id “{value[:40]}”.")
        return {"spec": spec, "spec_title": spec.title[:300]}
    if kind == ItemKind.TEXT:
        if not value:
            raise InvalidItem("Write the item's text.")
        return {"text": value[:500]}
    raise InvalidItem(f"Unknown kind of item “{kind[:20]}”.")


def _duplicate(weekly_list: WeeklyList, fields: dict[str, object]) -> WeeklyItem | None:
    lookup = {k: v for k, v in fields.items() if k in ("change_number", "topic", "spec")}
    return weekly_list.items.filter(**lookup).first() if lookup else None


@transaction.atomic
def add_item(
    *,
    weekly_list: WeeklyList,
    version: int | None,
    kind: str,
    value: str,
    note: str = "",
    actor: AbstractBaseUser | None,
) -> WeeklyItem:
    """Append an item (a pasted change, a topic, a spec id or free text) to the list.

    Raises ``InvalidItem`` for input that names nothing, or names something already on
    the list, and ``StaleWeeklyList`` when ``version`` is not the list's version.
    """
    fresh = _locked(weekly_list, version)
    fields = _item_fields(team=fresh.team, kind=kind, value=value)
    existing = _duplicate(fresh, fields)
    if existing is not None:
        raise InvalidItem(f"{existing.label} is already item {existing.position} of this list.")
    item = WeeklyItem.objects.create(
        weekly_list=fresh,
        position=(fresh.items.aggregate(last=Max("position"))["last"] or 0) + 1,
        kind=kind,
        note=note.strip(),
        added_by_name=_name(actor)[:150],
        **fields,
    )
    _bump(fresh, actor=actor, summary=f"Added {item.label}")
    weekly_list.version = fresh.version
    return item


@transaction.atomic
def edit_note(
    *, item: WeeklyItem, version: int | None, note: str, actor: AbstractBaseUser | None
) -> WeeklyItem:
    """Replace an item's note."""
    fresh = _locked(item.weekly_list, version)
    item.note = note.strip()
    item.save(update_fields=["note"])
    _bump(fresh, actor=actor, summary=f"Edited the note of {item.label}")
    return item


@transaction.atomic
def remove_item(*, item: WeeklyItem, version: int | None, actor: AbstractBaseUser | None) -> None:
    """Take an item off the list and close the gap it leaves."""
    fresh = _locked(item.weekly_list, version)
    label = item.label
    item.delete()
    _renumber(fresh)
    _bump(fresh, actor=actor, summary=f"Removed {label}")


@transaction.atomic
def reorder_items(
    *,
    weekly_list: WeeklyList,
    version: int | None,
    order: Sequence[int],
    actor: AbstractBaseUser | None,
) -> None:
    """Put the list's items in ``order`` (item ids, first = review first).

    The order must name every item exactly once: anything else means the client's list is
    not the list as it is (someone added or removed an item), so it is refused as stale.
    """
    fresh = _locked(weekly_list, version)
    items = {item.pk: item for item in fresh.items.all()}
    if sorted(order) != sorted(items):
        raise StaleWeeklyList(fresh.version)
    changed = []
    for position, pk in enumerate(order, start=1):
        if items[pk].position != position:
            items[pk].position = position
            changed.append(items[pk])
    if not changed:
        return
    WeeklyItem.objects.bulk_update(changed, ["position"])
    _bump(fresh, actor=actor, summary="Reordered the list")


@transaction.atomic
def set_intro(
    *, weekly_list: WeeklyList, version: int | None, intro: str, actor: AbstractBaseUser | None
) -> None:
    """Replace the words that open the week's email."""
    fresh = _locked(weekly_list, version)
    fresh.intro = intro.strip()
    fresh.save(update_fields=["intro"])
    _bump(fresh, actor=actor, summary="Edited the introduction")


@dataclass(frozen=True)
class CarryResult:
    """What carrying a list forward did: items copied, and those left behind (closed)."""

    source: WeeklyList | None
    copied: int
    skipped: tuple[str, ...]


@transaction.atomic
def carry_forward(
    *, weekly_list: WeeklyList, version: int | None, actor: AbstractBaseUser | None
) -> CarryResult:
    """Append the previous week's items, with their notes, to this week's list.

    Changes merged or abandoned meanwhile stay behind (they are done), as does anything
    already on this list; the result names what was left behind so the page can say so.
    """
    fresh = _locked(weekly_list, version)
    source = (
        WeeklyList.objects.filter(team_id=fresh.team_id, week__lt=fresh.week)
        .order_by("-week")
        .first()
    )
    if source is None:
        return CarryResult(source=None, copied=0, skipped=())
    items = list(source.items.select_related("spec").order_by("position", "pk"))
    closed = set(
        Change.objects.filter(
            server_id=fresh.team.server_id,
            repository__team_id=fresh.team_id,
            number__in=[i.change_number for i in items if i.change_number],
        )
        .exclude(status="NEW")
        .values_list("number", flat=True)
    )
    position = fresh.items.aggregate(last=Max("position"))["last"] or 0
    copied, skipped = [], []
    for item in items:
        fields = {
            "change_number": item.change_number,
            "topic": item.topic,
            "spec": item.spec,
            "spec_title": item.spec_title,
            "text": item.text,
        }
        if item.change_number in closed:
            skipped.append(f"{item.label} (closed)")
            continue
        if item.kind != ItemKind.TEXT and _duplicate(fresh, _identity(item)) is not None:
            skipped.append(f"{item.label} (already on this list)")
            continue
        position += 1
        copied.append(
            WeeklyItem(
                weekly_list=fresh,
                position=position,
                kind=item.kind,
                note=item.note,
                added_by_name=_name(actor)[:150],
                **fields,
            )
        )
    WeeklyItem.objects.bulk_create(copied)
    if copied:
        _bump(
            fresh,
            actor=actor,
            summary=f"Carried {len(copied)} items forward from the week of {source.week:%Y-%m-%d}",
        )
    weekly_list.version = fresh.version
    return CarryResult(source=source, copied=len(copied), skipped=tuple(skipped))


def _identity(item: WeeklyItem) -> dict[str, object]:
    if item.kind == ItemKind.CHANGE:
        return {"change_number": item.change_number}
    if item.kind == ItemKind.TOPIC:
        return {"topic": item.topic}
    if item.kind == ItemKind.SPEC and item.spec_id is not None:
        return {"spec": item.spec_id}
    return {}


@transaction.atomic
def add_delegate(
    *, team: Team, user: AbstractBaseUser, actor: AbstractBaseUser | None
) -> WeeklyDelegate:
    """Let ``user`` compose the team's weekly lists."""
    delegate, _ = WeeklyDelegate.objects.get_or_create(
        team=team, user=user, defaults={"granted_by_name": _name(actor)[:150]}
    )
    return delegate


@transaction.atomic
def remove_delegate(*, team: Team, user: AbstractBaseUser) -> None:
    """Stop ``user`` composing the team's weekly lists (the PTL always can)."""
    WeeklyDelegate.objects.filter(team=team, user=user).delete()
