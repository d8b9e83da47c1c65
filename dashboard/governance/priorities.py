"""Writes to a team's cycle priorities and feature-freeze exceptions.

Every write runs in one transaction and leaves a ``PriorityChange`` row (who, when, what),
which is the page's history. The newest such row's id is the list's version: a reorder
says which version it was made from, and one made from an older list is refused with
``StaleList`` instead of overwriting what someone else did meanwhile. Edits of one item
check that item's ``version`` the same way (``StalePriority``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone

from dashboard.gerrit.models import Account, Change, Team
from dashboard.governance.models import (
    Cycle,
    FeatureFreezeException,
    FFEDecision,
    Priority,
    PriorityAction,
    PriorityChange,
    PriorityStatus,
    Spec,
)
from dashboard.governance.priorities_rst import Link, PriorityFile, link_target

# Statuses that end a priority need a reason: "missed" and "deprioritized" are what the
# team will ask about at the retrospective.
REASON_REQUIRED = (PriorityStatus.MISSED, PriorityStatus.DEPRIORITIZED)


class StaleList(Exception):
    """The list changed since the client read it; ``current`` is the version now."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            "Someone else changed this list while you were reordering it; nothing was "
            "saved. Here is the list as it is now."
        )


class StalePriority(Exception):
    """The item changed since the form was loaded; ``current`` is the fresh row."""

    def __init__(self, current: Priority) -> None:
        self.current = current
        super().__init__(
            f"“{current.title}” was changed by someone else while you edited it; nothing was "
            "saved. The form now shows the current values."
        )


def _actor_name(actor: AbstractBaseUser | None, fallback: str) -> str:
    if actor is None:
        return fallback
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


def _record(
    *,
    team: Team,
    cycle: Cycle,
    priority: Priority | None,
    title: str,
    action: str,
    summary: str,
    changes: dict[str, object] | None = None,
    actor: AbstractBaseUser | None,
    actor_name: str = "",
) -> PriorityChange:
    return PriorityChange.objects.create(
        team=team,
        cycle=cycle,
        priority=priority,
        title=title[:300],
        action=action,
        summary=summary[:500],
        changes=changes or {},
        actor=actor if actor is not None and actor.pk else None,
        actor_name=_actor_name(actor, actor_name or "Tiller")[:150],
    )


def list_version(*, team: Team, cycle: Cycle) -> int:
    """The version of a team's list for a cycle: its newest history row's id (0 if none)."""
    newest = PriorityChange.objects.filter(team=team, cycle=cycle).aggregate(v=Max("pk"))["v"]
    return newest or 0


def _locked_list(team: Team, cycle: Cycle) -> list[Priority]:
    # Locking the rows serialises concurrent writers on PostgreSQL: the second waits, then
    # reads the first one's history row and is refused. (SQLite serialises writes anyway.)
    return list(Priority.objects.select_for_update().for_list(team_id=team.pk, cycle_id=cycle.pk))


def _renumber(items: Sequence[Priority]) -> None:
    moved = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            moved.append(item)
    Priority.objects.bulk_update(moved, ["position"])


def match_accounts(*, team: Team, names: Iterable[str]) -> list[Account]:
    """Synced accounts of the team's server whose full name is one of ``names`` (any case)."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    if not wanted:
        return []
    return list(
        Account.objects.filter(server_id=team.server_id, is_bot=False)
        .annotate(lower_name=Lower("name"))
        .filter(lower_name__in=wanted)
    )


@transaction.atomic
def create_priority(
    *,
    team: Team,
    cycle: Cycle,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    owner_names: Sequence[str] = (),
    topics: Sequence[str] = (),
    change_numbers: Sequence[int] = (),
    specs: Sequence[Spec] = (),
    target: str = "",
    actor_name: str = "",
) -> Priority:
    """Add an item at the end of the list (the PTL then drags it where it belongs).

    ``actor_name`` names a command or script that writes without a user (the demo)."""
    items = _locked_list(team, cycle)
    priority = Priority.objects.create(
        team=team,
        cycle=cycle,
        position=len(items) + 1,
        title=title,
        description=description,
        owner_names=list(owner_names),
        topics=list(topics),
        change_numbers=list(change_numbers),
        target=target,
    )
    priority.owners.set(match_accounts(team=team, names=owner_names))
    priority.specs.set(specs)
    _record(
        team=team,
        cycle=cycle,
        priority=priority,
        title=title,
        action=PriorityAction.CREATED,
        summary=f"Added “{title}” at position {priority.position}",
        actor=actor,
        actor_name=actor_name,
    )
    return priority


EDITABLE = ("title", "description", "owner_names", "topics", "change_numbers", "target")


@transaction.atomic
def edit_priority(
    *,
    priority: Priority,
    actor: AbstractBaseUser | None,
    expected_version: int,
    title: str,
    description: str,
    owner_names: Sequence[str],
    topics: Sequence[str],
    change_numbers: Sequence[int],
    specs: Sequence[Spec],
    target: str = "",
    status: str,
    status_reason: str = "",
    status_date: date | None = None,
) -> Priority:
    """Replace an item's fields; a status change is recorded as its own history row.

    Raises StalePriority when the item is no longer at ``expected_version``, and
    ValueError when a missed/deprioritized status comes without a reason.
    """
    fresh = Priority.objects.select_for_update().get(pk=priority.pk)
    if fresh.version != expected_version:
        raise StalePriority(fresh)
    new = {
        "title": title,
        "description": description,
        "owner_names": list(owner_names),
        "topics": list(topics),
        "change_numbers": list(change_numbers),
        "target": target,
    }
    changes: dict[str, object] = {
        key: [getattr(fresh, key), value]
        for key, value in new.items()
        if getattr(fresh, key) != value
    }
    old_specs = sorted(fresh.specs.values_list("slug", flat=True))
    new_specs = sorted(spec.slug for spec in specs)
    if old_specs != new_specs:
        changes["specs"] = [old_specs, new_specs]
    status_changed = (status, status_reason, status_date) != (
        fresh.status,
        fresh.status_reason,
        fresh.status_date,
    )
    if not changes and not status_changed:
        return fresh
    for key, value in new.items():
        setattr(fresh, key, value)
    if changes:
        fresh.owners.set(match_accounts(team=fresh.team, names=owner_names))
        fresh.specs.set(specs)
        _record(
            team=fresh.team,
            cycle=fresh.cycle,
            priority=fresh,
            title=title,
            action=PriorityAction.EDITED,
            summary=f"Edited “{title}”: {', '.join(k.replace('_', ' ') for k in changes)}",
            changes=changes,
            actor=actor,
        )
    if status_changed:
        _apply_status(fresh, actor, status, status_reason, status_date)
    fresh.version += 1
    fresh.updated = timezone.now()
    fresh.save()
    return fresh


def _apply_status(
    priority: Priority,
    actor: AbstractBaseUser | None,
    status: str,
    reason: str,
    on: date | None,
    actor_name: str = "",
) -> None:
    if status not in PriorityStatus.values:
        raise ValueError(f"Unknown status {status!r}.")
    if status in REASON_REQUIRED and not reason.strip():
        raise ValueError(f"Say why it is {PriorityStatus(status).label.lower()}.")
    old = (priority.status, priority.status_reason, priority.status_date)
    priority.status = status
    priority.status_reason = reason.strip()
    priority.status_date = on or (None if status == PriorityStatus.ACTIVE else timezone.localdate())
    label = PriorityStatus(status).label.lower()
    summary = f"Marked “{priority.title}” {label}"
    if priority.status_reason:
        summary += f": {priority.status_reason}"
    _record(
        team=priority.team,
        cycle=priority.cycle,
        priority=priority,
        title=priority.title,
        action=PriorityAction.STATUS,
        summary=summary,
        changes={
            "status": [old[0], status],
            "status_reason": [old[1], priority.status_reason],
            "status_date": [
                old[2].isoformat() if old[2] else None,
                priority.status_date.isoformat() if priority.status_date else None,
            ],
        },
        actor=actor,
        actor_name=actor_name,
    )


@transaction.atomic
def set_priority_status(
    *,
    priority: Priority,
    actor: AbstractBaseUser | None,
    expected_version: int,
    status: str,
    reason: str = "",
    on: date | None = None,
    actor_name: str = "",
) -> Priority:
    """Set an item's status (``on`` defaults to today for anything but active)."""
    fresh = Priority.objects.select_for_update().get(pk=priority.pk)
    if fresh.version != expected_version:
        raise StalePriority(fresh)
    _apply_status(fresh, actor, status, reason, on, actor_name)
    fresh.version += 1
    fresh.updated = timezone.now()
    fresh.save()
    return fresh


@transaction.atomic
def delete_priority(
    *, priority: Priority, actor: AbstractBaseUser | None, expected_version: int
) -> None:
    """Remove an item; those below move up one. Its history stays, under its title."""
    team, cycle = priority.team, priority.cycle
    items = _locked_list(team, cycle)
    fresh = next((item for item in items if item.pk == priority.pk), None)
    if fresh is None:
        return  # already deleted by someone else: the wanted outcome
    if fresh.version != expected_version:
        raise StalePriority(fresh)
    _record(
        team=team,
        cycle=cycle,
        priority=None,
        title=fresh.title,
        action=PriorityAction.DELETED,
        summary=f"Removed “{fresh.title}” (was at position {fresh.position})",
        actor=actor,
    )
    PriorityChange.objects.filter(priority=fresh).update(priority=None)
    fresh.delete()
    _renumber([item for item in items if item.pk != fresh.pk])


def _move_summary(before: list[Priority], after: list[Priority]) -> str:
    """ "Moved “X” from 4 to 1" when one item moved, else a plain "Reordered"."""
    for item in before:
        rest_before = [i.pk for i in before if i.pk != item.pk]
        rest_after = [i.pk for i in after if i.pk != item.pk]
        if rest_before == rest_after:
            old = before.index(item) + 1
            new = [i.pk for i in after].index(item.pk) + 1
            return f"Moved “{item.title}” from {old} to {new}"
    return "Reordered the list"


@transaction.atomic
def reorder_priorities(
    *,
    team: Team,
    cycle: Cycle,
    actor: AbstractBaseUser | None,
    order: Sequence[int],
    expected_version: int,
    actor_name: str = "",
) -> list[Priority]:
    """Put the list in ``order`` (item ids, first = most important).

    Raises StaleList if the list is no longer at ``expected_version`` or ``order`` is not
    exactly its items (one was added or removed meanwhile): never a partial reorder.
    """
    items = _locked_list(team, cycle)
    current = list_version(team=team, cycle=cycle)
    by_id = {item.pk: item for item in items}
    if current != expected_version or sorted(order) != sorted(by_id):
        raise StaleList(current)
    after = [by_id[pk] for pk in order]
    if after == items:
        return items
    summary = _move_summary(items, after)
    _renumber(after)
    _record(
        team=team,
        cycle=cycle,
        priority=None,
        title=summary,
        action=PriorityAction.MOVED,
        summary=summary,
        changes={"order": [[i.title for i in items], [i.title for i in after]]},
        actor=actor,
        actor_name=actor_name,
    )
    return after


def move_priority(
    *, priority: Priority, actor: AbstractBaseUser | None, offset: int, expected_version: int
) -> list[Priority]:
    """Move one item up (negative ``offset``) or down, for the buttons beside each item."""
    items = list(Priority.objects.for_list(team_id=priority.team_id, cycle_id=priority.cycle_id))
    order = [item.pk for item in items]
    if priority.pk not in order:
        raise StaleList(list_version(team=priority.team, cycle=priority.cycle))
    index = order.index(priority.pk)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return reorder_priorities(
        team=priority.team,
        cycle=priority.cycle,
        actor=actor,
        order=order,
        expected_version=expected_version,
    )


# Import from a specs repository


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    unresolved: tuple[str, ...]  # spec references that matched no Spec, as "title: text"

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _resolve_specs(team: Team, links: Sequence[Link]) -> tuple[list[Spec], list[dict[str, str]]]:
    """Specs named by the links (by slug, deliverable first), and the links that named none."""
    targets = [(link, link_target(link)) for link in links]
    slugs = {slug for _, target in targets for slug in target.slugs}
    known: dict[str, list[Spec]] = {}
    if slugs:
        for spec in Spec.objects.filter(team=team, slug__in=slugs):
            known.setdefault(spec.slug, []).append(spec)
    found, unresolved = [], []
    for link, target in targets:
        spec = None
        for slug in target.slugs:
            candidates = known.get(slug, [])
            same = [s for s in candidates if s.deliverable == target.deliverable]
            spec = (same or candidates or [None])[0]
            if spec is not None:
                break
        if spec is None:
            unresolved.append({"text": link.text, "url": link.url})
        elif spec not in found:
            found.append(spec)
    return found, unresolved


@transaction.atomic
def import_priority_file(
    *, team: Team, cycle: Cycle, parsed: PriorityFile, source_name: str
) -> ImportResult:
    """Create or update the cycle's items from a parsed priorities file, in its order.

    Items are matched by title (any case), so importing the same file again changes
    nothing, and an edited file updates its items in place. Items the PTL added in Tiller
    and the file does not name stay, after the file's items; statuses set in Tiller stay.
    """
    items = _locked_list(team, cycle)
    by_title: dict[str, list[Priority]] = {}
    for existing in items:
        by_title.setdefault(existing.title.lower(), []).append(existing)
    created = updated = unchanged = 0
    unresolved: list[str] = []
    ordered: list[Priority] = []
    actor_name = f"import_priorities {source_name}"
    for entry in parsed.priorities:
        specs, refs = _resolve_specs(team, entry.specs)
        unresolved += [f"{entry.title}: {ref['text']}" for ref in refs]
        fields = {
            "title": entry.title,
            "description": entry.description,
            "owner_names": list(entry.owners),
            "spec_references": refs,
            "section": entry.section,
            "target": entry.extra.get("Target release milestone", ""),
            "imported_from": source_name,
        }
        same_title = by_title.get(entry.title.lower(), [])
        item = same_title.pop(0) if same_title else None
        if item is None:
            item = Priority.objects.create(team=team, cycle=cycle, position=0, **fields)
            item.owners.set(match_accounts(team=team, names=entry.owners))
            item.specs.set(specs)
            created += 1
            _record(
                team=team,
                cycle=cycle,
                priority=item,
                title=item.title,
                action=PriorityAction.IMPORTED,
                summary=f"Imported “{item.title}” from {source_name}",
                actor=None,
                actor_name=actor_name,
            )
        else:
            changes: dict[str, object] = {
                key: [getattr(item, key), value]
                for key, value in fields.items()
                if getattr(item, key) != value
            }
            old_specs = sorted(item.specs.values_list("pk", flat=True))
            if old_specs != sorted(spec.pk for spec in specs):
                changes["specs"] = [old_specs, sorted(spec.pk for spec in specs)]
            if changes:
                for key, value in fields.items():
                    setattr(item, key, value)
                item.version += 1
                item.updated = timezone.now()
                item.save()
                item.owners.set(match_accounts(team=team, names=entry.owners))
                item.specs.set(specs)
                updated += 1
                _record(
                    team=team,
                    cycle=cycle,
                    priority=item,
                    title=item.title,
                    action=PriorityAction.IMPORTED,
                    summary=f"Updated “{item.title}” from {source_name}: "
                    + ", ".join(key.replace("_", " ") for key in changes),
                    changes={k: v for k, v in changes.items() if k != "specs"},
                    actor=None,
                    actor_name=actor_name,
                )
            else:
                unchanged += 1
        ordered.append(item)
    final = ordered + [item for item in items if item not in ordered]
    before = [item.pk for item in items]
    _renumber(final)
    if created == 0 and before != [item.pk for item in final]:
        _record(
            team=team,
            cycle=cycle,
            priority=None,
            title="Reordered the list",
            action=PriorityAction.MOVED,
            summary=f"Reordered the list as {source_name} orders it",
            actor=None,
            actor_name=actor_name,
        )
    return ImportResult(created, updated, unchanged, tuple(unresolved))


# Feature-freeze exceptions


@transaction.atomic
def request_ffe(
    *,
    team: Team,
    cycle: Cycle,
    requester: AbstractBaseUser | None,
    title: str,
    reason: str = "",
    spec: Spec | None = None,
    change: Change | None = None,
    requester_name: str = "",
    requested: date | None = None,
) -> FeatureFreezeException:
    """Record a request; it names a spec of the team or a change of the team (or both)."""
    if spec is None and change is None:
        raise ValueError("A feature-freeze exception is for a spec or a change: name one.")
    if spec is not None and spec.team_id != team.pk:
        raise ValueError(f"The spec “{spec}” is not one of {team}'s.")
    if change is not None and change.repository.team_id != team.pk:
        raise ValueError(f"Change {change.number} is not in one of {team}'s repositories.")
    return FeatureFreezeException.objects.create(
        team=team,
        cycle=cycle,
        spec=spec,
        change=change,
        title=title,
        reason=reason,
        requester=requester if requester is not None and requester.pk else None,
        requester_name=(requester_name or _actor_name(requester, "Tiller"))[:150],
        requested=requested or timezone.localdate(),
    )


@transaction.atomic
def decide_ffe(
    *,
    ffe: FeatureFreezeException,
    decider: AbstractBaseUser | None,
    decision: str,
    note: str = "",
    on: date | None = None,
) -> FeatureFreezeException:
    """Grant or deny a request (or put it back to pending, which clears the decision)."""
    if decision not in FFEDecision.values:
        raise ValueError(f"Unknown decision {decision!r}.")
    fresh = FeatureFreezeException.objects.select_for_update().get(pk=ffe.pk)
    fresh.decision = decision
    fresh.note = note.strip()
    pending = decision == FFEDecision.PENDING
    fresh.decided = None if pending else (on or timezone.localdate())
    fresh.decided_by = None if pending or decider is None or not decider.pk else decider
    fresh.save()
    return fresh
