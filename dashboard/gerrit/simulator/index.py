"""The change index: the few facts per change that queries filter and sort on.

It plays the part of Gerrit's Lucene change index (facts §2.2): results come most
recently updated first, ties broken by the higher change number. The order is re-sorted
lazily after mutations (Python's sort is linear on an almost sorted list). A client
paging through a query with ``S`` would make every page rescan all earlier matches, so
the scan of a recent query is kept as a cursor and resumed, until the index changes. The
index is not locked itself; the Simulator serialises access to it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from .content import ChangeSpec
from .generator import Skeleton
from .history import ChangeState

Predicate = Callable[["IndexEntry"], bool]
_CURSORS = 8  # queries whose scans are kept; a sync pages through one at a time


class IndexEntry:
    """One change as the index knows it; ``index`` is its position in the generated
    history, None for a change added after it.

    A generated change keeps its skeleton: drawing it again costs about a tenth of
    rendering the change, and it adds only some 300 bytes a change next to the fields
    the entry shares with it.
    """

    __slots__ = (
        "number",
        "index",
        "skeleton",
        "change_id",
        "project",
        "branch",
        "owner",
        "created",
        "updated",
        "status",
        "topic",
        "hashtags",
        "wip",
    )

    def __init__(self, source: Skeleton | ChangeSpec, index: int | None) -> None:
        self.number = source.number
        self.index = index
        self.change_id = source.change_id
        self.project = source.project
        self.branch = source.branch
        self.owner = source.owner
        self.created = source.created
        self.topic = source.topic
        self.hashtags = source.hashtags
        if isinstance(source, Skeleton):
            self.skeleton: Skeleton | None = source
            self.updated, self.status, self.wip = source.updated, source.status, source.wip
        else:  # a change created just now: one patch set, open
            self.skeleton = None
            self.updated, self.status, self.wip = source.created, "NEW", False


@dataclass(slots=True)
class _Cursor:
    """How far the scan for one query got: its matches so far and the next position."""

    generation: int
    found: list[IndexEntry] = field(default_factory=list)
    position: int = 0


class ChangeIndex:
    def __init__(self) -> None:
        self._entries: dict[int, IndexEntry] = {}
        self._by_change_id: dict[str, list[int]] = {}
        self._ordered: list[IndexEntry] = []
        self._stale_order = False
        self._generation = 0  # bumped by every change to entries or their order
        self._cursors: OrderedDict[Hashable, _Cursor] = OrderedDict()

    def __getitem__(self, number: int) -> IndexEntry:
        return self._entries[number]

    def add(self, entry: IndexEntry) -> None:
        self._entries[entry.number] = entry
        self._by_change_id.setdefault(entry.change_id, []).append(entry.number)
        self._ordered.append(entry)
        self._stale_order = True
        self._generation += 1

    def numbers(self) -> list[int]:
        return sorted(self._entries)

    def open_numbers(self) -> list[int]:
        return sorted(n for n, e in self._entries.items() if e.status == "NEW")

    def update(self, number: int, state: ChangeState) -> None:
        """Re-index a change after new events."""
        entry = self._entries[number]
        entry.updated, entry.status = state.updated, state.status
        entry.topic, entry.wip = state.topic, state.work_in_progress
        self._stale_order = True
        self._generation += 1

    def sort(self) -> None:
        """Put the entries in result order, if a change since the last sort upset it.

        Queries sort lazily; a server sorts once at startup too, so that its first query
        does not pay for sorting the whole history (half a second at 300,000 changes)."""
        if self._stale_order:
            self._ordered.sort(key=lambda e: (e.updated, e.number), reverse=True)
            self._stale_order = False

    def matches(
        self,
        predicate: Callable[[IndexEntry], bool],
        stop: int | None,
        *,
        start: int = 0,
        key: Hashable | None = None,
        updated_floor: int | None = None,
    ) -> list[IndexEntry]:
        """Matching entries in result order from the ``start``-th to before the
        ``stop``-th. ``key`` names the query (equal keys must mean equal predicates): its
        scan is then resumed from where an earlier call stopped. ``updated_floor`` (epoch
        ms) promises that no entry updated earlier matches, so the scan ends there."""
        self.sort()
        cursor = self._cursors.pop(key, None) if key is not None else None
        if cursor is None or cursor.generation != self._generation:
            cursor = _Cursor(self._generation)
        if key is not None:
            self._cursors[key] = cursor
            if len(self._cursors) > _CURSORS:
                self._cursors.popitem(last=False)
        found, ordered, position = cursor.found, self._ordered, cursor.position
        end = len(ordered)
        while position < end and (stop is None or len(found) < stop):
            entry = ordered[position]
            if updated_floor is not None and entry.updated * 1000 < updated_floor:
                position = end  # everything after it is older still
                break
            position += 1
            if predicate(entry):
                found.append(entry)
        cursor.position = position
        return found[start:stop]

    def resolve(self, ref: str) -> list[int]:
        """Changes a ``{change-id}`` names: number, ``project~number``,
        ``project~branch~Change-Id`` or a bare Change-Id (facts §1.5)."""
        parts = ref.split("~")
        if len(parts) == 1:
            candidates = [int(ref)] if ref.isdigit() else self._by_change_id.get(ref, [])
        elif len(parts) == 2 and parts[1].isdigit():
            candidates = [int(parts[1])]
        elif len(parts) == 3:
            candidates = self._by_change_id.get(parts[2], [])
        else:
            return []
        found = []
        for number in candidates:
            entry = self._entries.get(number)
            if entry is None or (len(parts) > 1 and entry.project != parts[0]):
                continue
            if len(parts) == 3 and entry.branch != parts[1].removeprefix("refs/heads/"):
                continue
            found.append(number)
        return found
