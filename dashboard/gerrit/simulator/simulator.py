"""The simulated server's state: a clock, a light search index and mutation overlays.

Only the index lives in memory for every change (number, project, branch, owner, status,
updated…: what queries filter and sort on, plus the skeleton they were drawn from). Full
changes are regenerated on demand from the seed and replayed together with the events
added since (the *overlay*), so a history of 50,000 changes stays small; the API keeps a
bounded cache of rendered changes on top (``pages``). Every mutation happens at the
simulator's clock ``now``, which starts at the history's end and only moves forward;
mutations bump ``updated`` exactly as Gerrit does (facts §4.2), which is what incremental
syncs are tested against.

All public methods are thread-safe: the HTTP server calls them from many threads.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .activity import ChangeScript, poisson
from .content import ChangeSpec
from .generator import (
    DEFAULT_END,
    DEFAULT_REPOSITORIES,
    DEFAULT_SHAPE,
    HISTORY_DAYS,
    HistoryGenerator,
    Skeleton,
)
from .history import ABANDON, DELETE_VOTE, RESTORE, REVIEW, REWORK, UPLOAD, ChangeState, Event, fold
from .index import ChangeIndex, IndexEntry
from .people import Account, Team, build_team
from .query import Query
from .timestamps import to_epoch
from .vocabulary import FIRST_NAMES, LAST_NAMES, NEUTRAL

DEFAULT_VERSION = "3.10.2"
MAX_PEOPLE = len(FIRST_NAMES) * len(LAST_NAMES)  # every invented name is used once at most


class ChangeConflict(Exception):
    """A state change Gerrit refuses with 409, e.g. abandoning a merged change."""


@dataclass(frozen=True, slots=True)
class ChangeSnapshot:
    """A change's content and replayed state, consistent with each other."""

    spec: ChangeSpec
    state: ChangeState


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A change as captured under the lock: all that building it later needs.

    Overlays only ever grow, so ``(number, version)`` names one state of a change for
    good, which is what caches of rendered changes are keyed by.
    """

    number: int
    index: int | None
    skeleton: Skeleton | None
    added: ChangeSpec | None
    overlay: tuple[Event, ...]

    @property
    def version(self) -> int:
        return len(self.overlay)


def replay(
    spec: ChangeSpec, events: Sequence[Event], *, seed: int, accounts: Mapping[int, Account]
) -> ChangeSnapshot:
    """A change's snapshot from its content and its events (in time order).

    Message ids are digests of the seed, the change number and the event's position, so
    they are stable across runs and unique within the change, as Gerrit's are.
    """
    prefix = f"message:{seed}:{spec.number}:".encode()

    def message_id(seq: int) -> str:
        return hashlib.sha1(prefix + b"%d" % seq).hexdigest()

    state = fold(
        events,
        owner=spec.owner,
        created=spec.created,
        topic=spec.topic,
        accounts=accounts,
        message_id=message_id,
    )
    return ChangeSnapshot(spec, state)


def checked_core_members(
    account_ids: Iterable[int], known: Mapping[int, Account], unknown_is: str
) -> set[int]:
    """The accounts a new core group is to hold, refused (ValueError) when some are not
    ``known`` or when fewer than three: any change, even one owned by a core, must be able
    to get two +2 votes from cores other than its owner."""
    wanted = set(account_ids)
    unknown = wanted - set(known)
    if unknown:
        raise ValueError(f"{unknown_is}: {sorted(unknown)}")
    if len(wanted) < 3:
        raise ValueError("the core group needs at least three members")
    return wanted


class Simulator:
    """A deterministic Gerrit: same parameters, same history, byte for byte.

    ``credentials`` maps user names to HTTP passwords; a user name that is not one of the
    generated people gets an account of its own so that ``self`` resolves. ``shape`` names
    one of ``generator.SHAPES``: how many patch sets and reviews a change gets.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        changes: int = 3000,
        people: int = 40,
        companies: int = 8,
        repositories: tuple[tuple[str, int], ...] = DEFAULT_REPOSITORIES,
        end: datetime = DEFAULT_END,
        history_days: int = HISTORY_DAYS,
        credentials: Mapping[str, str] | None = None,
        version: str = DEFAULT_VERSION,
        shape: str = DEFAULT_SHAPE,
    ) -> None:
        if not 3 <= people <= MAX_PEOPLE:
            raise ValueError(
                f"people must be between 3 (two cores besides an owner) and {MAX_PEOPLE}"
            )
        if changes < 0 or history_days < 1:
            raise ValueError("changes must be >= 0 and history_days >= 1")
        self.seed = seed
        self.version = version
        self.credentials = dict(credentials or {})
        self.end = to_epoch(end)
        self.start = self.end - history_days * 86400
        self.team: Team = build_team(
            seed=seed,
            people=people,
            companies=companies,
            start=self.start,
            end=self.end,
            extra_users=tuple(self.credentials),
        )
        self.generator = HistoryGenerator(
            seed=seed,
            changes=changes,
            team=self.team,
            repositories=repositories,
            start=self.start,
            end=self.end,
            shape=shape,
        )
        self._start_serving()

    def _start_serving(self) -> None:
        """Index every generated change: the state every public method works on.

        Called once ``team`` and ``generator`` are set, by ``__init__`` and by
        ``ForgeSimulator`` (the forge's teams behind the same two interfaces)."""
        self.projects = self.generator.projects
        self._lock = threading.RLock()
        self._now = self.end
        self._rng = random.Random(f"mutations:{self.seed}")
        self._index = ChangeIndex()
        self._overlays: dict[int, tuple[Event, ...]] = {}
        self._added: dict[int, ChangeSpec] = {}
        self._next_number = self.generator.last_number + 1
        for index in range(len(self.generator)):
            self._index.add(IndexEntry(self.generator.skeleton(index), index))
        self._index.sort()

    # -- reading -----------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The server clock in epoch seconds (sent as the HTTP ``Date`` header)."""
        return self._now

    @property
    def accounts(self) -> Mapping[int, Account]:
        return self.team.accounts

    def numbers(self) -> list[int]:
        """Every change number, oldest first."""
        with self._lock:
            return self._index.numbers()

    def resolve_change(self, ref: str) -> list[int]:
        """Change numbers a ``{change-id}`` path segment names (facts §1.5)."""
        with self._lock:
            return self._index.resolve(ref)

    def change(self, number: int) -> ChangeSnapshot:
        """The current content and state of one change (KeyError if unknown)."""
        return self.snapshot(self.row(number))

    def row(self, number: int) -> ChangeRow:
        """One change captured now (KeyError if unknown); ``snapshot`` builds it."""
        with self._lock:
            return self._capture(number)

    def search(self, query: Query, *, skip: int, limit: int) -> tuple[list[ChangeRow], bool]:
        """A page of matches in Gerrit's order (updated desc, then number desc) and whether
        more matches follow. Rows are chosen under the lock; building and rendering them
        (``snapshot``) happens outside it, and only for rows no cache already holds."""
        with self._lock:
            stop = skip + limit + 1
            rows = self._index.matches(
                query.predicate,
                stop,
                start=skip,
                key=query.key,
                updated_floor=query.updated_floor,
            )
            captured = [self._capture(e.number) for e in rows[:limit]]
        return captured, len(rows) > limit

    def snapshot(self, captured: ChangeRow) -> ChangeSnapshot:
        """Regenerate a captured change and replay its events (no lock needed)."""
        if captured.added is not None:
            spec, base = captured.added, ()
        else:
            assert captured.index is not None
            spec, base = self.generator.history(captured.index, captured.skeleton)
        events = base + captured.overlay if captured.overlay else base
        return replay(spec, events, seed=self._seed_of(spec.project), accounts=self.accounts)

    def core_members(self) -> list[Account]:
        with self._lock:
            return [self.accounts[a] for a in self.team.cores_at(self._now)]

    # -- mutating ----------------------------------------------------------------------

    def advance(self, seconds: int, *, activity: bool = True) -> list[int]:
        """Move the clock and, unless ``activity`` is false, let the team work meanwhile:
        reviews, CI runs, new patch sets, merges, abandons and new changes, at a rate that
        matches the history's. Returns the numbers of the changes that were touched."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            begin, self._now = self._now, self._now + seconds
            if not activity or seconds == 0:
                return []
            rng = self._rng
            rate = max(len(self.generator), 1) * 4 / (self.end - self.start)
            bursts = max(1, min(poisson(rng, seconds * rate), 5000))
            open_numbers = self._index.open_numbers()
            fresh = sum(1 for _ in range(bursts) if not open_numbers or rng.random() < 0.08)
            touched = rng.sample(open_numbers, min(bursts - fresh, len(open_numbers)))
            for number in touched:
                self._append(number, self._burst(rng, number, rng.randint(begin + 1, self._now)))
            for at in sorted(rng.randint(begin + 1, self._now) for _ in range(fresh)):
                touched.append(self._add_change(at))  # numbers grow with creation time
            return sorted(touched)

    def touch(
        self,
        number: int,
        *,
        author: int | None = None,
        message: str | None = None,
        votes: Mapping[str, int] | None = None,
        comments: int = 0,
        tag: str | None = None,
    ) -> None:
        """Post a review on the current patch set now (a neutral comment by default)."""
        with self._lock:
            entry = self._index[number]
            if author is None:
                people = self._people_of(entry.project)
                author = people.pick_reviewer(self._rng, self._now, (entry.owner,)).account_id
            if message is None:
                message = "" if votes else self._rng.choice(NEUTRAL)
            vote_items = tuple((votes or {}).items())
            event = Event(REVIEW, self._now, author, vote_items, message, tag, comments)
            self._append(number, [event])

    def upload(self, number: int, *, uploader: int | None = None, kind: str = REWORK) -> None:
        """Upload a new patch set now (``kind`` decides which votes are copied)."""
        with self._lock:
            uploader = self._index[number].owner if uploader is None else uploader
            self._append(number, [Event(UPLOAD, self._now, uploader, kind=kind)])

    def abandon(self, number: int, *, author: int | None = None, message: str = "") -> None:
        """Abandon an open change now (by its owner unless ``author`` is given);
        ChangeConflict if it is not open, as Gerrit's 409."""
        with self._lock:
            owner = self._require(number, "NEW").owner
            author = owner if author is None else author
            self._append(number, [Event(ABANDON, self._now, author, text=message)])

    def restore(self, number: int, *, author: int | None = None, message: str = "") -> None:
        """Restore an abandoned change now; ChangeConflict if it is not abandoned."""
        with self._lock:
            owner = self._require(number, "ABANDONED").owner
            author = owner if author is None else author
            self._append(number, [Event(RESTORE, self._now, author, text=message)])

    def merge(self, number: int) -> None:
        """Approve (two cores, Workflow+1), pass the gate and merge, all at this second."""
        with self._lock:
            entry = self._require(number, "NEW")
            state = self.snapshot(self._capture(number)).state
            script = self._script(self._rng, entry)
            events = script.approve_and_merge(
                state.current.number, self._now, self._now, blocks=state.blocking_votes()
            )
            self._append(number, events)

    def remove_vote(self, number: int, *, label: str, account: int, remover: int) -> None:
        """``remover`` deletes ``account``'s current vote on ``label`` (a no-op, with no
        message, when there is no such vote)."""
        with self._lock:
            event = Event(DELETE_VOTE, self._now, remover, label=label, target=account)
            self._append(number, [event])

    def add_change(
        self,
        *,
        project: str | None = None,
        branch: str = "master",
        owner: int | None = None,
        subject: str | None = None,
        topic: str | None = None,
    ) -> int:
        """Create a change now with one patch set; returns its number."""
        if project is not None and project not in self.projects:
            raise ValueError(f"unknown project {project}")
        with self._lock:
            return self._add_change(
                self._now, project=project, branch=branch, owner=owner, subject=subject, topic=topic
            )

    def set_core_members(self, account_ids: Iterable[int]) -> None:
        """Make exactly these accounts the core group from now on (joins and leaves).

        At least three: any change, even one owned by a core, must be able to get two +2
        votes from cores other than its owner.
        """
        wanted = checked_core_members(account_ids, self.accounts, "unknown accounts")
        with self._lock:
            self.team.set_core_members(wanted, self._now)

    def disturb_paging(
        self,
        query: Query,
        *,
        skip: int,
        size: int,
        seen: int = 1,
        unseen: int = 1,
        close_seen: int = 0,
    ) -> list[int]:
        """Update rows of a result while a client pages through it (facts §4.3).

        One second later, ``seen`` rows of the page just served and ``unseen`` rows after it
        get a comment, so they jump to the top: the next page repeats a row and the jumped
        unseen rows are missed. ``close_seen`` open rows of the page are abandoned, so a
        status query shrinks and the next page skips a row.
        """
        with self._lock:
            rows = [e.number for e in self._index.matches(query.predicate, None)]
            page, later = rows[skip : skip + size], rows[skip + size :]
            self._now += 1
            picked = self._rng.sample(page, min(seen, len(page)))
            picked += self._rng.sample(later, min(unseen, len(later)))
            for number in picked:
                self.touch(number)
            still_open = [n for n in page if self._index[n].status == "NEW"]
            for number in self._rng.sample(still_open, min(close_seen, len(still_open))):
                self.abandon(number, message="Abandoned while you were paging.")
                picked.append(number)
            return picked

    # -- internals ---------------------------------------------------------------------

    def _seed_of(self, project: str) -> int:
        """The seed a change of ``project`` was generated with (message ids derive from
        it): one per simulator, one per team on a forge."""
        return self.seed

    def _people_of(self, project: str) -> Team:
        """Who works on ``project``: whom its reviews and new changes are drawn from."""
        return self.team

    def _capture(self, number: int) -> ChangeRow:
        entry = self._index[number]
        return ChangeRow(
            number,
            entry.index,
            entry.skeleton,
            self._added.get(number),
            self._overlays.get(number, ()),
        )

    def _append(self, number: int, events: list[Event]) -> None:
        self._overlays[number] = self._overlays.get(number, ()) + tuple(
            sorted(events, key=lambda e: e.time)
        )
        self._index.update(number, self.snapshot(self._capture(number)).state)

    def _require(self, number: int, status: str) -> IndexEntry:
        entry = self._index[number]
        if entry.status != status:
            raise ChangeConflict(f"change is {entry.status.lower()}")
        return entry

    def _script(self, rng: random.Random, entry: IndexEntry) -> ChangeScript:
        return ChangeScript(
            rng,
            self._people_of(entry.project),
            owner=entry.owner,
            project=entry.project,
            number=entry.number,
        )

    def _burst(self, rng: random.Random, number: int, at: int) -> list[Event]:
        state = self.snapshot(self._capture(number)).state
        return self._script(rng, self._index[number]).burst(state, at, self._now)

    def _add_change(
        self,
        at: int,
        *,
        project: str | None = None,
        branch: str = "master",
        owner: int | None = None,
        subject: str | None = None,
        topic: str | None = None,
    ) -> int:
        rng = self._rng
        number = self._next_number
        self._next_number += 1 + rng.randint(0, 20)
        project = project or rng.choice(self.projects)
        if owner is None:
            owner = self._people_of(project).pick_author(rng, at).account_id
        spec = self.generator.new_spec(
            key=len(self.generator) + len(self._added),
            number=number,
            created=at,
            project=project,
            branch=branch,
            owner=owner,
            topic=topic,
            subject=subject,
        )
        self._added[number] = spec
        self._index.add(IndexEntry(spec, None))
        self._append(number, [Event(UPLOAD, at, spec.owner)])
        return number
