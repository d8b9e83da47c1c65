"""A forge (``forge.Forge``: many teams on one server) served like the one-team simulator.

The benchmarks of issue 7 sync the forge over HTTP (a no-change sync of one team and of
every team), so the server must answer the sync's requests for any of its teams exactly
as the one-team ``Simulator`` answers them for its one team, and render each change byte
for byte as ``Forge.render`` does (which is what ``bulkload.load_forge`` stores). Rather
than a second server, ``ForgeSimulator`` is a ``Simulator`` whose two collaborators are
composites over the forge's teams:

* ``ForgeDirectory`` stands where a ``people.Team`` stands (``self.team``): the server's
  account pool, and one core group per team (``<team>-core``) whose members at any moment
  come from that team's core history, besides the Administrators and Service Users;
* ``ForgeHistory`` stands where a ``HistoryGenerator`` stands (``self.generator``): change
  ``i`` of the server is change ``j`` of one team's generator (``Forge.locate``), so the
  index, the queries (``project:``, ``after:``, OR…), paging, caching and mutations all
  work unchanged over every team's changes at once.

Changes are replayed with their team's seed (message ids derive from it) and mutations
draw reviewers and authors from the team owning the change's project.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from .content import ChangeSpec
from .forge import Forge, ForgeTeam
from .generator import Skeleton
from .history import Event
from .people import Account, Group, Team, listed_members, site_groups
from .schedule import FIRST_NUMBER
from .simulator import DEFAULT_VERSION, Simulator, checked_core_members


class ForgeDirectory:
    """The server's accounts and groups, in the shape of a ``people.Team``: what queries,
    group and account endpoints ask (``accounts``, ``groups``, ``group``, ``members``,
    ``find_accounts``, ``account_for_username``)."""

    def __init__(self, forge: Forge, *, extra_users: Iterable[str] = ()) -> None:
        self.forge = forge
        self.accounts: dict[int, Account] = dict(forge.accounts)
        usernames = {a.username for a in self.accounts.values()}
        for username in extra_users:  # credentials of people outside the pool, so
            if username not in usernames:  # ``self`` resolves as on the one-team server
                extra = Account(
                    max(self.accounts) + 1, username, username, f"{username}@users.example"
                )
                self.accounts[extra.account_id] = extra
        created = forge.start - 3 * 365 * 86400
        zuul, bot = forge.service
        admins, service = site_groups(lambda name: _uuid(forge.seed, name), zuul, bot, created)
        self._core_groups: dict[str, ForgeTeam] = {}
        self.groups: list[Group] = [admins, service]
        for team in forge.teams:
            group = Group(
                team.core_group,
                _uuid(forge.seed, team.core_group),
                100 + team.position,
                f"Core reviewers for {team.display_name}",
                admins.uuid,
                created,
            )
            self.groups.append(group)
            self._core_groups[group.uuid] = team
        self._by_key = {key: g for g in self.groups for key in (g.name, g.uuid)}
        self._by_username = {a.username: a for a in self.accounts.values()}

    # The same lookups as the one-team directory's: by id, name, e-mail or user name.
    find_accounts = Team.find_accounts

    def account_for_username(self, username: str) -> Account | None:
        return self._by_username.get(username)

    def group(self, key: str) -> Group | None:
        """A group by name or UUID, as ``{group-id}`` allows (facts §5.2)."""
        return self._by_key.get(key)

    def core_team(self, group: Group) -> ForgeTeam | None:
        """The team whose core group ``group`` is (None for the server's own groups)."""
        return self._core_groups.get(group.uuid)

    def members(self, group: Group, at: int, *, recursive: bool = False) -> list[Account]:
        """Members sorted as Gerrit lists them: by name, then e-mail, then id; a core
        group's are its team's cores at ``at``."""
        team = self.core_team(group)
        ids = set(team.people.cores_at(at)) if team else set(group.members)
        return listed_members(self, group, ids, at, recursive=recursive)


class ForgeHistory:
    """Every team's generator behind one ``HistoryGenerator`` interface, indexed by the
    change's position on the server (creation order, numbers ascending)."""

    def __init__(self, forge: Forge) -> None:
        self.forge = forge
        self.projects = tuple(name for team in forge.teams for name in team.repositories)
        self._teams = {name: team for team in forge.teams for name in team.repositories}

    def __len__(self) -> int:
        return len(self.forge)

    @property
    def last_number(self) -> int:
        numbers = [t.generator.last_number for t in self.forge.teams if len(t.generator)]
        return max(numbers, default=FIRST_NUMBER - 1)

    def team_of(self, project: str) -> ForgeTeam:
        """The team owning ``project`` (KeyError for a repository of no team)."""
        return self._teams[project]

    def skeleton(self, position: int) -> Skeleton:
        team, local = self.forge.locate(position)
        return team.generator.skeleton(local)

    def history(
        self, position: int, skeleton: Skeleton | None = None
    ) -> tuple[ChangeSpec, tuple[Event, ...]]:
        team, local = self.forge.locate(position)
        return team.generator.history(local, skeleton)

    def new_spec(self, *, key: int, project: str, **fields: Any) -> ChangeSpec:
        """Content for a change added after the history, by the project's team."""
        return self.team_of(project).generator.new_spec(key=key, project=project, **fields)


class ForgeSimulator(Simulator):
    """A ``Simulator`` serving every team of ``forge``: same requests, same answers as the
    one-team simulator for each team, and the changes ``Forge.render`` renders.

    The clock starts at the forge's end, like the one-team simulator's at its history's
    end. ``core_members`` and ``set_core_members`` take the team's name (default: the
    first team), since each team has its own core group.
    """

    def __init__(
        self,
        forge: Forge,
        *,
        credentials: Mapping[str, str] | None = None,
        version: str = DEFAULT_VERSION,
    ) -> None:
        self.forge = forge
        self.seed = forge.seed
        self.version = version
        self.credentials = dict(credentials or {})
        self.end, self.start = forge.end, forge.start
        self.team = ForgeDirectory(forge, extra_users=tuple(self.credentials))  # type: ignore[assignment]
        self.generator = ForgeHistory(forge)  # type: ignore[assignment]
        self._start_serving()

    def forge_team(self, name: str | None = None) -> ForgeTeam:
        """The team called ``name`` (the first team if None); KeyError if there is none."""
        if name is None:
            return self.forge.teams[0]
        for team in self.forge.teams:
            if team.name == name:
                return team
        raise KeyError(name)

    def core_members(self, team: str | None = None) -> list[Account]:  # type: ignore[override]
        with self._lock:
            return self.forge_team(team).core_members(self._now)

    def set_core_members(self, account_ids: Iterable[int], team: str | None = None) -> None:  # type: ignore[override]
        """Make exactly these accounts the team's core group from now on (at least three
        of the team's people)."""
        people = self.forge_team(team).people
        wanted = checked_core_members(account_ids, people.accounts, "not people of the team")
        with self._lock:
            people.set_core_members(wanted, self._now)

    def _seed_of(self, project: str) -> int:
        return self.generator.team_of(project).seed  # type: ignore[attr-defined]

    def _people_of(self, project: str) -> Team:
        return self.generator.team_of(project).people  # type: ignore[attr-defined]


def _uuid(seed: int, name: str) -> str:
    return hashlib.sha1(f"forge-group:{seed}:{name}".encode()).hexdigest()
