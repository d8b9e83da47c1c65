"""The simulated team: accounts, who is active when, and the core group's history.

Gerrit itself keeps no membership history in REST (facts §5.2): a client only sees the
members of ``glance-core`` at the moment it asks. The simulator needs the history anyway,
because every merged change must carry two +2 votes from people who were core *at the time
of the vote*, and because the dashboard records "joined"/"left" by observing the group over
time. So core membership is a list of terms (joined, left) per person, and the group's
member list is always derived from it at the simulator's clock.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import vocabulary
from .draws import choice

CORE_GROUP = "glance-core"
SERVICE_TAG = "SERVICE_USER"
FIRST_ACCOUNT_ID = 1000000
_BUCKET_SECONDS = 7 * 86400
_NAME_EMAIL = re.compile(r"(.*?)\s*<([^>]+)>")
_NAME_ID = re.compile(r".*\((\d+)\)")


@dataclass(frozen=True, slots=True)
class Account:
    """One Gerrit account; ``tz`` (minutes east of UTC) is used for git dates only."""

    account_id: int
    name: str
    username: str
    email: str
    tz: int = 0
    tags: tuple[str, ...] = ()

    def info(self, *, detailed: bool) -> dict[str, Any]:
        """AccountInfo: only ``_account_id`` unless detailed (facts §2.4, §3.7)."""
        if not detailed:
            return {"_account_id": self.account_id}
        out: dict[str, Any] = {
            "_account_id": self.account_id,
            "name": self.name,
            "email": self.email,
            "username": self.username,
        }
        if self.tags:
            out["tags"] = list(self.tags)
        return out

    @property
    def name_email(self) -> str:
        """``Full Name <email>``, the form Gerrit writes into vote-removal messages."""
        return f"{self.name} <{self.email}>"


@dataclass(slots=True)
class Contributor:
    """A human's activity profile: how much they do, and during which period."""

    account: Account
    weight: float
    active_from: int
    active_until: int


@dataclass(slots=True)
class CoreTerm:
    account_id: int
    joined: int
    left: int | None = None

    def covers(self, at: int) -> bool:
        return self.joined <= at and (self.left is None or at < self.left)


@dataclass(slots=True)
class Group:
    """An internal group; members of the core group come from the team's core terms."""

    name: str
    uuid: str
    group_id: int
    description: str
    owner_uuid: str
    created_on: int
    members: tuple[int, ...] = ()
    includes: tuple[str, ...] = ()


# (version of the terms, boundaries, (sorted ids, id set) from each boundary on)
_Timeline = tuple[int, list[int], list[tuple[tuple[int, ...], frozenset[int]]]]


@dataclass(slots=True)
class Team:
    """Everyone the simulator knows, plus the selection helpers the generator uses."""

    accounts: dict[int, Account]
    contributors: list[Contributor]
    zuul: Account
    bot: Account
    core_terms: list[CoreTerm]
    groups: list[Group]
    start: int
    _buckets: list[tuple[list[Contributor], list[float]]] = field(default_factory=list)
    _core_timeline: _Timeline | None = None
    _core_version: int = 0  # bumped by set_core_members, the only way terms change

    def cores_at(self, at: int) -> list[int]:
        """Account ids that were direct members of the core group at ``at``."""
        return list(self._cores(at)[0])

    def is_core(self, account_id: int, at: int) -> bool:
        return account_id in self._cores(at)[1]

    def set_core_members(self, account_ids: set[int], at: int) -> None:
        """Make exactly ``account_ids`` core from ``at`` on, closing or opening terms."""
        current = set(self.cores_at(at))
        for term in self.core_terms:
            if term.account_id in current - account_ids and term.covers(at):
                term.left = at
        self.core_terms.extend(CoreTerm(a, at) for a in sorted(account_ids - current))
        self._core_version += 1

    def _cores(self, at: int) -> tuple[tuple[int, ...], frozenset[int]]:
        """The sorted core ids at ``at`` and the same as a set.

        Every generated review asks who is core at its second, so membership is kept as a
        timeline: the terms' join and leave times cut time into intervals with a constant
        core group, found by bisection instead of a scan of every term.
        """
        timeline = self._core_timeline
        if timeline is None or timeline[0] != self._core_version:
            version, terms = self._core_version, list(self.core_terms)
            moments = {t.joined for t in terms} | {t.left for t in terms if t.left is not None}
            boundaries = sorted(moments)
            groups: list[tuple[tuple[int, ...], frozenset[int]]] = [((), frozenset())]
            for moment in boundaries:
                ids = sorted({t.account_id for t in terms if t.covers(moment)})
                groups.append((tuple(ids), frozenset(ids)))
            timeline = self._core_timeline = (version, boundaries, groups)
        return timeline[2][bisect.bisect_right(timeline[1], at)]

    def pick_author(self, rng: random.Random, at: int, exclude: tuple[int, ...] = ()) -> Account:
        """A human active at ``at``, weighted by activity (a few people do most work)."""
        people, weights = self._buckets[
            min(max(at - self.start, 0) // _BUCKET_SECONDS, len(self._buckets) - 1)
        ]
        for _ in range(8):
            chosen = people[bisect.bisect(weights, rng.random() * weights[-1])]
            if chosen.account.account_id not in exclude:
                return chosen.account
        return next(c.account for c in self.contributors if c.account.account_id not in exclude)

    def pick_core(self, rng: random.Random, at: int, exclude: tuple[int, ...] = ()) -> Account:
        """A core member at ``at`` other than ``exclude`` (the team always keeps two)."""
        candidates = [a for a in self.cores_at(at) if a not in exclude]
        return self.accounts[choice(rng, candidates)]

    def pick_reviewer(self, rng: random.Random, at: int, exclude: tuple[int, ...]) -> Account:
        """Reviews come from cores about half of the time, as on a real core-gated project."""
        if rng.random() < 0.5:
            return self.pick_core(rng, at, exclude)
        return self.pick_author(rng, at, exclude)

    def account_for_username(self, username: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.username == username), None)

    def find_accounts(self, who: str) -> set[int]:
        """Accounts a user argument names: id, ``Name <email>``, ``Name (id)``, e-mail,
        user name or full name (facts §5.1); unknown users match nothing, as in 3.x."""
        if who.isdigit():
            return {int(who)} if int(who) in self.accounts else set()
        if match := _NAME_EMAIL.fullmatch(who):
            who = match.group(2)
        elif match := _NAME_ID.fullmatch(who):
            return self.find_accounts(match.group(1))
        folded = who.casefold()
        return {
            a.account_id
            for a in self.accounts.values()
            if folded in (a.email.casefold(), a.name.casefold()) or who == a.username
        }

    def group(self, key: str) -> Group | None:
        """Look a group up by name or UUID, as ``{group-id}`` allows (facts §5.2)."""
        return next((g for g in self.groups if key in (g.name, g.uuid)), None)

    def members(self, group: Group, at: int, *, recursive: bool = False) -> list[Account]:
        """Members sorted as Gerrit lists them: by name, then e-mail, then id."""
        ids = set(self.cores_at(at)) if group.name == CORE_GROUP else set(group.members)
        return listed_members(self, group, ids, at, recursive=recursive)

    def index_buckets(self, end: int) -> None:
        """Precompute weekly (people, cumulative weights) so picking an author is O(log n)."""
        self._buckets = []
        for week_start in range(self.start, end + 1, _BUCKET_SECONDS):
            mid = week_start + _BUCKET_SECONDS // 2
            active = [c for c in self.contributors if c.active_from <= mid <= c.active_until]
            active = active or self.contributors
            self._buckets.append((active, list(itertools.accumulate(c.weight for c in active))))


_UNDECOMPOSABLE = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "đ": "d"})


def listed_members(
    directory: Any, group: Group, ids: set[int], at: int, *, recursive: bool
) -> list[Account]:
    """``group``'s members as Gerrit lists them (by name, then e-mail, then id): ``ids``, its
    direct members at ``at``, plus with ``recursive`` those of the groups it includes, as
    ``directory`` (a ``Team``, or the forge's directory of many) resolves them."""
    if recursive:
        for uuid in group.includes:
            included = directory.group(uuid)
            if included is not None:
                ids.update(a.account_id for a in directory.members(included, at, recursive=True))
    found = [directory.accounts[i] for i in ids]
    return sorted(found, key=lambda a: (a.name, a.email, a.account_id))


def _ascii(text: str) -> str:
    """A name's letters as plain ASCII, for user names and e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    folded = plain.encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def site_groups(
    uuid: Callable[[str], str], zuul: Account, bot: Account, created: int
) -> tuple[Group, Group]:
    """The groups of the server itself, on every simulated Gerrit: Administrators (owning
    itself) and Service Users (the CI and the bot), ``uuid`` naming each by its name."""
    admins = Group(
        "Administrators", uuid("Administrators"), 1, "Gerrit Site Administrators", "", created
    )
    admins.owner_uuid = admins.uuid
    service = Group(
        "Service Users",
        uuid("Service Users"),
        4,
        "Service accounts that interact with Gerrit",
        admins.uuid,
        created,
        members=(zuul.account_id, bot.account_id),
    )
    return admins, service


def _uuid(seed: int, name: str) -> str:
    return hashlib.sha1(f"group:{seed}:{name}".encode()).hexdigest()


def build_team(
    *,
    seed: int,
    people: int,
    companies: int,
    start: int,
    end: int,
    extra_users: tuple[str, ...],
    humans: Sequence[Account] | None = None,
    service: tuple[Account, Account] | None = None,
) -> Team:
    """Invent ``people`` humans from ``companies`` companies, two bots and the core history.

    Activity follows a Zipf-like law; the most active dozen stay for the whole history while
    the long tail drifts in and out. About eight people are core when the history starts;
    a few leave and a few join during it, so that 8–12 are core at ``end``.

    A team on a server shared with other teams (``forge``) draws its people from the
    server's accounts instead: ``humans`` (then ``people`` and ``companies`` are unused)
    and ``service``, the server's (CI, requirements bot) accounts.
    """
    rng = random.Random(f"team:{seed}")
    span = end - start
    firms = vocabulary.COMPANIES[: max(1, min(companies, len(vocabulary.COMPANIES)))]
    if humans is None:
        names = rng.sample(
            [(f, la) for f in vocabulary.FIRST_NAMES for la in vocabulary.LAST_NAMES], people
        )
    else:
        people = len(humans)
    accounts: dict[int, Account] = {}
    contributors: list[Contributor] = []
    usernames: set[str] = set()
    ranks = list(range(people))
    rng.shuffle(ranks)  # account ids must not reveal who is most active
    for rank, person in zip(ranks, humans or names, strict=True):
        if isinstance(person, Account):
            account = person
        else:
            firm = firms[rank % len(firms)] if rank < 2 * len(firms) else rng.choice(firms)
            first, last = person
            account_id = FIRST_ACCOUNT_ID + len(accounts)
            account = _invent(
                rng, first, last, firm=firm, usernames=usernames, account_id=account_id
            )
        usernames.add(account.username)
        accounts[account.account_id] = account
        if rank < 12:
            active_from, active_until = start - 86400, end
        else:
            active_from = start + int(rng.random() * span * 0.9)
            active_until = min(end, active_from + int(rng.lognormvariate(15.5, 0.8)))
        contributors.append(Contributor(account, 1 / (rank + 1) ** 1.1, active_from, active_until))
    zuul, bot = service or service_accounts(len(accounts) + FIRST_ACCOUNT_ID)
    accounts[zuul.account_id] = zuul
    accounts[bot.account_id] = bot
    for username in extra_users:
        if username not in usernames and username not in (zuul.username, bot.username):
            extra = Account(max(accounts) + 1, username, username, f"{username}@users.example")
            accounts[extra.account_id] = extra
    core_terms = _core_terms(rng, contributors, start, end)
    groups = _groups(seed, rng, contributors, core_terms, zuul, bot, start)
    team = Team(accounts, contributors, zuul, bot, core_terms, groups, start)
    team.index_buckets(end)
    return team


def _invent(
    rng: random.Random,
    first: str,
    last: str,
    *,
    firm: tuple[str, str, int],
    usernames: set[str],
    account_id: int,
    middle: str = "",
) -> Account:
    """A person's account: user name from the initial and last name (a digit appended
    while taken), e-mail at the company's domain. ``middle`` is an initial that tells
    apart people of the same name in a pool larger than the names allow."""
    _company, domain, tz = firm
    username = _ascii(first)[0] + _ascii(middle) + _ascii(last)
    while username in usernames:
        username += str(rng.randint(1, 9))
    usernames.add(username)
    local = ".".join(_ascii(part) for part in (first, middle, last) if part)
    return Account(
        account_id=account_id,
        name=" ".join(part for part in (first, f"{middle}." if middle else "", last) if part),
        username=username,
        email=f"{local}@{domain}",
        tz=tz,
    )


def service_accounts(first_id: int) -> tuple[Account, Account]:
    """The CI account (Zuul) and the requirements bot, numbered from ``first_id``."""
    zuul = Account(first_id, "Zuul", "zuul", "zuul@ci.example", tags=(SERVICE_TAG,))
    bot = Account(
        first_id + 1,
        "Requirements Bot",
        "requirements-bot",
        "requirements-bot@ci.example",
        tags=(SERVICE_TAG,),
    )
    return zuul, bot


def account_pool(*, seed: int, size: int) -> list[Account]:
    """``size`` people of a whole server, numbered from ``FIRST_ACCOUNT_ID``, from every
    company. Each full name is used once until all are, then again with a middle initial
    (``Ana B. Silva``), so a pool may hold 27 times the invented names."""
    combos = [(f, la) for f in vocabulary.FIRST_NAMES for la in vocabulary.LAST_NAMES]
    if size > len(combos) * 27:
        raise ValueError(f"a pool holds at most {len(combos) * 27} people")
    rng = random.Random(f"pool:{seed}")
    usernames: set[str] = set()
    pool: list[Account] = []
    for middle in ("", *string.ascii_uppercase):
        for first, last in rng.sample(combos, len(combos)):
            if len(pool) == size:
                return pool
            firm = choice(rng, vocabulary.COMPANIES)
            pool.append(
                _invent(
                    rng,
                    first,
                    last,
                    firm=firm,
                    usernames=usernames,
                    account_id=FIRST_ACCOUNT_ID + len(pool),
                    middle=middle,
                )
            )
    return pool


def _core_terms(
    rng: random.Random, contributors: list[Contributor], start: int, end: int
) -> list[CoreTerm]:
    """Three permanent cores, five who may leave, and newcomers who join mid-history."""
    by_activity = sorted(contributors, key=lambda c: -c.weight)
    permanent_ids = [c.account.account_id for c in by_activity[:3]]
    terms = [CoreTerm(a, start - 400 * 86400) for a in permanent_ids]
    span = end - start
    for c in by_activity[3:8]:
        left = start + int(span * rng.uniform(0.15, 0.9)) if rng.random() < 0.5 else None
        terms.append(CoreTerm(c.account.account_id, start - 200 * 86400, left))
    for c in by_activity[8:14]:
        if rng.random() < 0.75:
            joined = start + int(span * rng.uniform(0.1, 0.85))
            c.active_from = min(c.active_from, start)
            c.active_until = end
            terms.append(CoreTerm(c.account.account_id, joined))
    return terms


def _groups(
    seed: int,
    rng: random.Random,
    contributors: list[Contributor],
    core_terms: list[CoreTerm],
    zuul: Account,
    bot: Account,
    start: int,
) -> list[Group]:
    core_ids = {t.account_id for t in core_terms}
    outsiders = [c.account.account_id for c in contributors if c.account.account_id not in core_ids]
    created = start - 3 * 365 * 86400
    admins, service = site_groups(lambda name: _uuid(seed, name), zuul, bot, created)
    core = Group(
        CORE_GROUP, _uuid(seed, CORE_GROUP), 42, "Core reviewers for Glance", admins.uuid, created
    )
    stable = Group(
        "glance-stable-maint",
        _uuid(seed, "glance-stable-maint"),
        57,
        "Stable branch reviewers for Glance",
        core.uuid,
        created,
        members=tuple(sorted(rng.sample(outsiders, min(2, len(outsiders))))),
        includes=(core.uuid,),
    )
    return [admins, core, stable, service]
