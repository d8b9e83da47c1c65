"""A deterministic history of a Glance-like team, generated one change at a time.

Change ``i`` is a pure function of ``(seed, i)``: its creation time and number come from
the shared schedule (``schedule.py``), everything else from ``random.Random`` instances
seeded with ``seed`` and ``i``. The generator answers two questions separately:

* the *skeleton*: what the search index needs (project, branch, owner, status, created,
  updated, topic…), cheap enough to compute for 50,000 changes in a few seconds;
* the *history*: the change's content and its event list, built only when a change is
  rendered, and constrained by the skeleton (the last event happens exactly at
  ``updated``, the status it leads to is the skeleton's).

Defaults resemble the Glance team around the Newton, Ocata and Pike cycles: four
repositories, mostly ``master`` with some stable backports (which share the Change-Id of
their master change, facts §1.5), most old changes merged or abandoned and a backlog of a
few hundred open ones at the end, some of them forgotten for months.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
from bisect import bisect
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from operator import itemgetter

from . import vocabulary
from .activity import ChangeScript
from .content import (
    CODE,
    REQUIREMENTS,
    SPEC,
    SPECS_PROJECT,
    ChangeSpec,
    Theme,
    change_id_for,
    is_specs,
    make_spec,
    slug,
)
from .draws import choice, randint
from .history import NO_CODE_CHANGE, REWORK, SET_TOPIC, TRIVIAL_REBASE, Event, blocking_after
from .people import Team
from .schedule import FIRST_NUMBER, creation_schedule
from .timestamps import to_epoch

DEFAULT_END = datetime(2017, 8, 30, 12, 0, tzinfo=UTC)
DEFAULT_REPOSITORIES = (
    ("openstack/glance", 55),
    ("openstack/glance_store", 15),
    ("openstack/python-glanceclient", 20),
    (SPECS_PROJECT, 10),
)
HISTORY_DAYS = 548  # three six-month cycles
# (branch, created, end of life) as epoch seconds; backports only go to living branches
STABLE_BRANCHES = (
    ("stable/mitaka", to_epoch(datetime(2016, 3, 17, tzinfo=UTC)), 1491782400),  # 2017-04-10
    ("stable/newton", to_epoch(datetime(2016, 9, 15, tzinfo=UTC)), None),
    ("stable/ocata", to_epoch(datetime(2017, 2, 10, tzinfo=UTC)), None),
    ("stable/pike", to_epoch(datetime(2017, 8, 10, tzinfo=UTC)), None),
)
_DAY = 86400


@dataclass(frozen=True)
class HistoryShape:
    """How much happens on a change: how many patch sets (weights of 1, 2, 3… per final
    status), how many reviews each replaced patch set gets (drawn from
    ``window_reviews``) and how likely its owner is to answer them (``window_replies``).
    The default, ``glance``, is the demo's Glance-like history."""

    name: str
    patch_set_weights: dict[str, tuple[int, ...]]
    window_reviews: tuple[int, ...]
    window_replies: float

    def patch_set_counts(self, status: str) -> tuple[range, list[int]]:
        """(patch-set counts, cumulative weights): choices() with cum_weights draws exactly
        as with the weights, without accumulating them again for every change."""
        weights = self.patch_set_weights[status]
        return range(1, len(weights) + 1), list(itertools.accumulate(weights))


SHAPES = {
    shape.name: shape
    for shape in (
        # About 3.3 patch sets and 14.4 messages a change.
        HistoryShape(
            "glance",
            {
                "MERGED": (20, 22, 18, 12, 9, 6, 4, 3, 2, 2, 1, 1),
                "ABANDONED": (35, 25, 15, 10, 5, 4, 2, 2, 1, 1),
                "NEW": (30, 25, 15, 10, 7, 5, 3, 2, 1, 1, 1),
            },
            (0, 0, 1, 1, 2),
            0.25,
        ),
        # About five patch sets and fifteen messages a change: the shape the sync's
        # throughput budget is stated for (issue 2). Patch sets follow each other quickly,
        # mostly on CI's word, so a replaced patch set seldom gets a human review.
        HistoryShape(
            "reworked",
            {
                "MERGED": (4, 8, 13, 18, 18, 13, 9, 6, 4, 3, 2, 2),
                "ABANDONED": (6, 10, 15, 18, 15, 11, 8, 6, 4, 4, 3),
                "NEW": (6, 10, 15, 18, 15, 11, 8, 6, 4, 4, 3),
            },
            (0,),
            0.05,
        ),
    )
}
DEFAULT_SHAPE = "glance"
_KINDS = (REWORK, TRIVIAL_REBASE, NO_CODE_CHANGE)
_KIND_CUMULATIVE = list(itertools.accumulate((72, 20, 8)))
_CACHE_SIZE = 512  # rendered changes have their own cache (pages); this serves mutations
_TIME = itemgetter(1)  # Event.time, as the C sort key


@dataclass(frozen=True, slots=True)
class Skeleton:
    """The searchable facts about a change, as the index keeps them."""

    index: int
    number: int
    change_id: str
    project: str
    branch: str
    owner: int
    created: int
    updated: int
    status: str
    topic: str | None
    hashtags: tuple[str, ...]
    wip: bool
    mergeable: bool
    topic_later: bool  # set with "Topic set to …" after the upload instead of at push time
    theme: Theme


class HistoryGenerator:
    """Skeletons and histories of ``changes`` changes created in [start, end).

    ``schedule`` gives the (created, number) of each change instead of drawing them: a
    team on a server shared with other teams gets its share of the server's schedule
    (``forge``), since numbers are unique per server. ``cache_size`` is how many
    histories stay cached for mutations; a one-pass reader sets 0.
    """

    def __init__(
        self,
        *,
        seed: int,
        changes: int,
        team: Team,
        repositories: tuple[tuple[str, int], ...],
        start: int,
        end: int,
        shape: str = DEFAULT_SHAPE,
        schedule: Sequence[tuple[int, int]] | None = None,
        cache_size: int = _CACHE_SIZE,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"unknown history shape {shape!r}: one of {', '.join(SHAPES)}")
        self.seed = seed
        self.team = team
        self.shape = SHAPES[shape]
        self._patch_set_counts = {
            status: self.shape.patch_set_counts(status) for status in self.shape.patch_set_weights
        }
        self.start, self.end = start, end
        self.projects = tuple(name for name, _ in repositories)
        self._project_weights = list(itertools.accumulate(w for _, w in repositories))
        self._schedule = (
            creation_schedule(seed, changes, start, end) if schedule is None else schedule
        )
        self._cache_size = cache_size
        self._cache: OrderedDict[int, tuple[ChangeSpec, tuple[Event, ...]]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._schedule)

    @property
    def last_number(self) -> int:
        return self._schedule[-1][1] if self._schedule else FIRST_NUMBER - 1

    def skeleton(self, index: int) -> Skeleton:
        """The index facts of change ``index``; a backport borrows its source's identity."""
        draft = self._draft(index)
        if draft.branch == "master" or index == 0:
            return draft
        rng = self._rng(index, 2)
        source = self._draft(index - 1 - rng.randrange(min(index, 300)))
        if (source.project, source.branch, source.theme.flavor) != (draft.project, "master", CODE):
            return draft
        return replace(draft, change_id=source.change_id, theme=source.theme)

    def history(
        self, index: int, skeleton: Skeleton | None = None
    ) -> tuple[ChangeSpec, tuple[Event, ...]]:
        """Content and events of change ``index`` (recently used ones are cached);
        ``skeleton`` saves drawing it again when the caller kept it."""
        with self._cache_lock:
            if index in self._cache:
                self._cache.move_to_end(index)
                return self._cache[index]
        if skeleton is None:
            skeleton = self.skeleton(index)
        spec = make_spec(
            seed=self.seed,
            number=skeleton.number,
            change_id=skeleton.change_id,
            branch=skeleton.branch,
            owner=skeleton.owner,
            hashtags=skeleton.hashtags,
            mergeable=skeleton.mergeable,
            theme=skeleton.theme,
            topic=None if skeleton.topic_later else skeleton.topic,
            created=skeleton.created,
        )
        result = (spec, tuple(self._events(skeleton)))
        if self._cache_size:
            with self._cache_lock:
                self._cache[index] = result
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return result

    def new_spec(
        self,
        *,
        key: int,
        number: int,
        created: int,
        project: str,
        branch: str,
        owner: int,
        topic: str | None,
        subject: str | None,
    ) -> ChangeSpec:
        """Content for a change added after the history (``key`` seeds its randomness)."""
        rng = self._rng(key, 3)
        flavor = SPEC if is_specs(project) else CODE
        theme = Theme(
            number,
            project,
            flavor,
            rng.randrange(len(vocabulary.FEATURES)),
            _bug(rng, created),
            topic,
            created,
        )
        return make_spec(
            seed=self.seed,
            number=number,
            change_id=change_id_for(self.seed, number),
            branch=branch,
            owner=owner,
            hashtags=(),
            mergeable=True,
            theme=theme,
            topic=topic,
            created=created,
            subject=subject,
        )

    def _rng(self, index: int, stream: int) -> random.Random:
        return random.Random((self.seed << 34) ^ (index << 2) ^ stream)

    def _draft(self, index: int) -> Skeleton:
        created, number = self._schedule[index]
        rng = self._rng(index, 0)
        team, end = self.team, self.end
        project = self.projects[
            bisect(self._project_weights, rng.random() * self._project_weights[-1])
        ]
        flavor = SPEC if is_specs(project) else CODE
        if flavor == CODE and rng.random() < 0.04:
            flavor = REQUIREMENTS
        branch = "master"
        if flavor == CODE and rng.random() < 0.09:
            living = [
                b
                for b, opened, eol in STABLE_BRANCHES
                if opened <= created and (eol is None or created < eol)
            ]
            if living:
                branch = rng.choices(living, weights=range(1, len(living) + 1))[0]
        if flavor == REQUIREMENTS:
            owner = team.bot.account_id
        else:
            owner = team.pick_author(rng, created).account_id
        feature = rng.randrange(len(vocabulary.FEATURES))
        bug = _bug(rng, created)
        topic = _topic(rng, flavor, feature, bug)
        topic_later = topic is not None and rng.random() < 0.3
        hashtags = (choice(rng, vocabulary.HASHTAGS),) if rng.random() < 0.03 else ()
        life = max(3600, int(rng.lognormvariate(math.log(5 * _DAY), 1.5)))
        abandoned = rng.random() < (0.3 if flavor == REQUIREMENTS else 0.15)
        if abandoned:
            life = int(life * 1.8)
        stale = rng.random() < 0.07
        if not stale and created + life <= end:
            status, updated = ("ABANDONED" if abandoned else "MERGED"), created + life
        elif stale:
            status, updated = "NEW", created + int((end - created) * rng.uniform(0.0, 0.6))
        else:
            status, updated = "NEW", end - int(rng.expovariate(1 / (6 * _DAY)))
            if updated <= created:  # young changes: last touched some time after creation
                updated = created + int((end - created) * rng.random())
        wip = status == "NEW" and rng.random() < 0.06
        mergeable = status != "NEW" or rng.random() >= 0.15
        theme = Theme(number, project, flavor, feature, bug, topic, created)
        return Skeleton(
            index,
            number,
            change_id_for(self.seed, number),
            project,
            branch,
            owner,
            created,
            updated,
            status,
            topic,
            hashtags,
            wip,
            mergeable,
            topic_later,
            theme,
        )

    def _events(self, sk: Skeleton) -> list[Event]:
        """Patch sets spread over the change's life, a review window for each."""
        rng = self._rng(sk.index, 1)
        script = ChangeScript(
            rng,
            self.team,
            owner=sk.owner,
            project=sk.project,
            number=sk.number,
            reviews=self.shape.window_reviews,
            replies=self.shape.window_replies,
        )
        span = sk.updated - sk.created
        counts, cumulative = self._patch_set_counts[sk.status]
        count = rng.choices(counts, cum_weights=cumulative)[0]
        count = max(1, min(count, span // 3600 + 1, 2 if sk.theme.flavor == REQUIREMENTS else 99))
        uploads = [
            sk.created,
            *sorted(sk.created + int(rng.uniform(0.02, 0.85) * span) for _ in range(count - 1)),
        ]
        events: list[Event] = []
        for ps, start in enumerate(uploads, 1):
            kind = REWORK if ps == 1 else rng.choices(_KINDS, cum_weights=_KIND_CUMULATIVE)[0]
            events.append(script.upload(start, kind))
            if ps == 1 and sk.topic_later:
                events.append(
                    Event(
                        SET_TOPIC,
                        start + min(randint(rng, 5, 900), span),
                        sk.owner,
                        text=sk.topic or "",
                    )
                )
            if ps < count:
                end = uploads[ps]
                events += [e for e in script.window(ps, start, end) if e.time < end]
            elif sk.status == "MERGED":
                blocks = blocking_after(sorted(events, key=_TIME), sk.owner)
                events.extend(script.approve_and_merge(ps, start, sk.updated, blocks=blocks))
            else:
                events += [e for e in script.window(ps, start, sk.updated) if e.time < sk.updated]
                if sk.wip:
                    events.append(
                        script.set_wip(start + min(randint(rng, 5, 600), (sk.updated - start) // 2))
                    )
                if sk.status == "ABANDONED":
                    events.append(script.abandon(sk.updated))
                else:
                    events.append(script.last_word(sk.updated))
        events.sort(key=_TIME)  # stable: same-second events keep causal order
        return events


def _bug(rng: random.Random, created: int) -> int:
    """A Launchpad-like bug number that grows with time, as bug trackers' numbers do."""
    days = (created - 1451606400) // _DAY  # since 2016-01-01
    return max(1_000_000, 1_530_000 + days * 330 - randint(rng, 0, 40_000))


def _topic(rng: random.Random, flavor: str, feature: int, bug: int) -> str | None:
    r = rng.random()
    blueprint = "bp/" + slug(vocabulary.FEATURES[feature])
    if flavor == REQUIREMENTS:
        return "openstack/requirements"
    if flavor == SPEC:
        return blueprint if r < 0.5 else None
    if r < 0.15:
        return blueprint
    if r < 0.32:
        return f"bug/{bug}"
    if r < 0.36:
        return choice(rng, vocabulary.FREE_TOPICS)
    return None
