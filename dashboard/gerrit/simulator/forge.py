"""Many teams on one simulated Gerrit server: an OpenDev-sized slice, generated as a stream.

A real deployment serves many teams from one Gerrit (issue 7): their repositories are
their own, their people are not (one person reviews for several teams), and change
numbers run in one sequence across the server. The forge describes such a server from a
handful of sizes and a seed, and reuses the one-team machinery for everything else:

* the server's people are one ``account_pool``; each team draws its humans from it (every
  account has a home team, and each team also takes in visitors from other teams), and
  ``build_team`` gives them their activity and the team's core-group history;
* the server's creation schedule (``creation_schedule``) is dealt out to the teams by
  their weights, and each team's ``HistoryGenerator`` gets its share of it, so numbers are
  unique per server and grow with creation time across teams;
* a change's events come from its team's generator and are folded by ``replay``, and
  ``ChangeWriter`` writes its ChangeInfo, exactly as the one-team simulator serves it.

Per change, only its place in the schedule is held (creation time and number, its team
and its index there; some 100 bytes): changes are generated one at a time, in server
order, and forgotten. ``rendered_pages`` can render pages in worker processes (the work is a pure
function of the seed and the position), with at most a few pages in flight.

Pure standard library and no Django, like the rest of the simulator.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import random
from array import array
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .changejson import ChangeWriter
from .generator import DEFAULT_END, DEFAULT_SHAPE, HISTORY_DAYS, HistoryGenerator
from .people import FIRST_ACCOUNT_ID, Account, Team, account_pool, build_team, service_accounts
from .schedule import creation_schedule
from .simulator import ChangeSnapshot, replay
from .timestamps import to_epoch

# OpenStack-like project names; a forge with more teams numbers them again ("nova-2").
TEAM_NAMES = (
    "nova", "neutron", "cinder", "swift", "keystone", "glance", "horizon", "heat",
    "ironic", "manila", "octavia", "designate", "barbican", "trove", "magnum", "zaqar",
    "aodh", "ceilometer", "gnocchi", "watcher", "senlin", "mistral", "murano", "tacker",
    "vitrage", "zun", "cyborg", "blazar", "masakari", "freezer", "kuryr", "monasca",
    "storlets", "adjutant", "venus", "skyline", "kolla", "tripleo", "openstacksdk", "oslo",
    "placement", "cloudkitty", "sahara", "solum", "karbor", "qinling", "searchlight",
    "winstackers", "requirements", "devstack",
)  # fmt: skip
# A team's repositories, in order: the service, its client, specs, then the rest.
_REPOSITORY_PATTERNS = (
    "openstack/{team}",
    "openstack/python-{team}client",
    "openstack/{team}-specs",
    "openstack/{team}-tempest-plugin",
    "openstack/{team}-dashboard",
    "openstack/{team}-lib",
)
_VISITORS = 0.25  # each team takes in this share of its home people from other teams
DEFAULT_TEAMS, DEFAULT_REPOSITORIES, DEFAULT_CHANGES, DEFAULT_ACCOUNTS = 50, 500, 300_000, 5_000


@dataclass(frozen=True)
class ForgeTeam:
    """One team of the forge: its name, repositories, people and history generator."""

    position: int
    name: str
    display_name: str
    core_group: str
    repositories: tuple[str, ...]
    seed: int
    people: Team
    generator: HistoryGenerator

    def core_members(self, at: int) -> list[Account]:
        """The team's core group at ``at`` (epoch seconds), as Gerrit would list it."""
        return [self.people.accounts[a] for a in self.people.cores_at(at)]


class Forge:
    """A deterministic Gerrit server with ``teams`` teams: same sizes and seed, same slice.

    Sizes are the server's totals: ``repositories`` are dealt out so that every team has
    at least one (bigger teams more), ``changes`` by the teams' weights (a few big teams
    and a long tail, as on OpenDev), ``accounts`` is the pool every team draws from.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        teams: int = DEFAULT_TEAMS,
        repositories: int = DEFAULT_REPOSITORIES,
        changes: int = DEFAULT_CHANGES,
        accounts: int = DEFAULT_ACCOUNTS,
        shape: str = DEFAULT_SHAPE,
        end: datetime = DEFAULT_END,
        history_days: int = HISTORY_DAYS,
    ) -> None:
        if not 1 <= teams <= 65535 or repositories < teams:
            raise ValueError("a forge needs one to 65,535 teams and at least a repository per team")
        if accounts < 4 * teams:
            raise ValueError("a forge needs at least four accounts per team (three cores)")
        if changes < 0 or history_days < 1:
            raise ValueError("changes must be >= 0 and history_days >= 1")
        self.seed = seed
        self.end = to_epoch(end)
        self.start = self.end - history_days * 86400
        # What a worker process needs to build the same forge (``rendered_pages``).
        self.parameters: dict[str, Any] = {
            "seed": seed,
            "teams": teams,
            "repositories": repositories,
            "changes": changes,
            "accounts": accounts,
            "shape": shape,
            "end": end,
            "history_days": history_days,
        }
        pool = account_pool(seed=seed, size=accounts)
        self.service = service_accounts(FIRST_ACCOUNT_ID + accounts)  # (Zuul, requirements bot)
        self.accounts: dict[int, Account] = {a.account_id: a for a in (*pool, *self.service)}
        rng = random.Random(f"forge:{seed}")
        # Zipf-like team weights: a few big teams (nova, neutron) and a long tail.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(teams)]
        members = _members(rng, pool, teams)
        counts = _deal(repositories - teams, weights)
        schedule = creation_schedule(seed, changes, self.start, self.end)
        cumulative = list(itertools.accumulate(weights))
        # Position -> (team, index in the team): 2 + 4 bytes a change.
        self._team_of = array("H")
        self._local = array("I")
        shares: list[list[tuple[int, int]]] = [[] for _ in range(teams)]
        for moment in schedule:
            team = bisect(cumulative, rng.random() * cumulative[-1])
            self._team_of.append(team)
            self._local.append(len(shares[team]))
            shares[team].append(moment)
        self.teams = tuple(
            self._team(position, members[position], counts[position] + 1, shares[position], shape)
            for position in range(teams)
        )
        self._writer = ChangeWriter(self.accounts)

    def __len__(self) -> int:
        return len(self._team_of)

    @property
    def now(self) -> int:
        """The server clock (epoch seconds): the end of the history."""
        return self.end

    def team_of(self, position: int) -> ForgeTeam:
        """The team of the change at ``position`` in server order."""
        return self.teams[self._team_of[position]]

    def locate(self, position: int) -> tuple[ForgeTeam, int]:
        """The team of the change at ``position`` and the change's index in that team."""
        return self.teams[self._team_of[position]], self._local[position]

    def snapshots(self, start: int = 0, stop: int | None = None) -> Iterator[ChangeSnapshot]:
        """The changes at positions [start, stop) in server order (creation order, numbers
        ascending), each generated when asked for."""
        stop = len(self) if stop is None else min(stop, len(self))
        for position in range(start, stop):
            team = self.teams[self._team_of[position]]
            spec, events = team.generator.history(self._local[position])
            yield replay(spec, events, seed=team.seed, accounts=self.accounts)

    def render(self, start: int, stop: int, options: frozenset[str]) -> list[str]:
        """ChangeInfo JSON texts of the changes at [start, stop), for ``options``."""
        change = self._writer.change
        return [change(s.spec, s.state, options) for s in self.snapshots(start, stop)]

    def rendered_pages(
        self, *, size: int, options: frozenset[str], workers: int = 0
    ) -> Iterator[list[str]]:
        """Every change's ChangeInfo text, in server order, ``size`` a page.

        With ``workers`` > 0 the pages are rendered by that many worker processes (each
        builds the same forge from its sizes), at most two pages a worker ahead of the
        reader, so memory stays flat however slowly the pages are consumed. Workers are
        spawned, not forked (no copy of the caller's database connections): a script that
        asks for them needs the ``if __name__ == "__main__":`` guard (manage.py has it).
        """
        bounds = [(start, min(start + size, len(self))) for start in range(0, len(self), size)]
        if workers <= 0:
            for start, stop in bounds:
                yield self.render(start, stop, options)
            return
        context = multiprocessing.get_context("spawn")  # no copies of the caller's state
        arguments = (self.parameters, options)
        with context.Pool(workers, initializer=_start_worker, initargs=arguments) as pool:
            pending: deque[multiprocessing.pool.AsyncResult[list[str]]] = deque()
            for start, stop in bounds:
                if len(pending) >= 2 * workers:
                    yield pending.popleft().get()
                pending.append(pool.apply_async(_render_in_worker, (start, stop)))
            while pending:
                yield pending.popleft().get()

    def _team(
        self,
        position: int,
        humans: list[Account],
        repositories: int,
        share: list[tuple[int, int]],
        shape: str,
    ) -> ForgeTeam:
        base = TEAM_NAMES[position % len(TEAM_NAMES)]
        lap = position // len(TEAM_NAMES)
        name = base if lap == 0 else f"{base}-{lap + 1}"
        names = [
            _REPOSITORY_PATTERNS[k].format(team=name)
            if k < len(_REPOSITORY_PATTERNS)
            else f"openstack/{name}-extra-{k - len(_REPOSITORY_PATTERNS) + 1}"
            for k in range(repositories)
        ]
        # The service repository gets most changes, then its client, and so on.
        weighted = tuple((repo, 60 // (k + 1) + 4) for k, repo in enumerate(names))
        seed = int.from_bytes(hashlib.sha1(f"forge:{self.seed}:{position}".encode()).digest()[:6])
        people = build_team(
            seed=seed,
            people=len(humans),
            companies=0,
            start=self.start,
            end=self.end,
            extra_users=(),
            humans=humans,
            service=self.service,
        )
        generator = HistoryGenerator(
            seed=seed,
            changes=len(share),
            team=people,
            repositories=weighted,
            start=self.start,
            end=self.end,
            shape=shape,
            schedule=share,
            cache_size=0,  # read once, in order
        )
        return ForgeTeam(
            position=position,
            name=name,
            display_name=name.replace("-", " ").title(),
            core_group=f"{name}-core",
            repositories=tuple(names),
            seed=seed,
            people=people,
            generator=generator,
        )


def _members(rng: random.Random, pool: list[Account], teams: int) -> list[list[Account]]:
    """Each team's people: a home share of the pool (every account works somewhere) plus
    visitors from other teams, so people work in one team or several."""
    shuffled = rng.sample(pool, len(pool))
    homes = [shuffled[team::teams] for team in range(teams)]
    members = []
    for home in homes:
        taken = {a.account_id for a in home}
        others = [a for a in pool if a.account_id not in taken]
        visitors = rng.sample(others, min(len(others), round(len(home) * _VISITORS)))
        members.append(sorted(home + visitors, key=lambda a: a.account_id))
    return members


def _deal(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` (largest remainders get the rest)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda k: counts[k] - exact[k])
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    return counts


# A worker process's forge (``rendered_pages``): built once per worker from the sizes.
_worker: tuple[Forge, frozenset[str]] | None = None


def _start_worker(parameters: dict[str, Any], options: frozenset[str]) -> None:
    global _worker
    _worker = (Forge(**parameters), options)


def _render_in_worker(start: int, stop: int) -> list[str]:
    assert _worker is not None, "the pool's initializer builds the forge"
    forge, options = _worker
    return forge.render(start, stop, options)
