"""Writing Gerrit's JSON into the database, one page of changes at a time.

A ChangeInfo is a complete snapshot, so each change's patch sets, messages, votes,
approvals, reviewers and files are replaced wholesale; re-storing the same page changes
nothing. Writes are batched per page (a handful of bulk statements for 250 changes), which
is what keeps a full sync above a thousand changes a second. Callers wrap a page in a
transaction, so a page is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from django.db import connection

from dashboard.gerrit.client import parse_timestamp
from dashboard.gerrit.clocks import refresh_review_clocks
from dashboard.gerrit.models import (
    VALUE_SET_COLUMNS,
    Account,
    Approval,
    Change,
    ChangeFile,
    GerritServer,
    Message,
    PatchSet,
    Review,
    Reviewer,
    ReviewerState,
    Team,
    Vote,
    VoteSource,
    value_set,
)
from dashboard.gerrit.reviews import insert_reviews
from dashboard.gerrit.storerows import PageRows, PageTimes
from dashboard.gerrit.votes import StandingVote, VoteEvent, copied_votes, events_from_message

# CI and service accounts on OpenStack's Gerrit over the years (jenkins until October 2017,
# zuul since); newer servers also tag such accounts SERVICE_USER.
KNOWN_BOTS = frozenset({"zuul", "jenkins", "hudson-openstack", "smokestack", "elastic-recheck"})

_ACCOUNT_FIELDS = ("username", "name", "email", "is_bot", "inactive")


class SyncDataError(Exception):
    """Gerrit sent a change the sync cannot store (a required field is missing)."""


@dataclass(frozen=True)
class PageStats:
    changes: int
    created: int
    votes: int
    messages: int
    oldest_updated: datetime | None


def _require(info: dict[str, Any], field: str, what: str) -> Any:
    try:
        return info[field]
    except (KeyError, TypeError):
        raise SyncDataError(f"{what} has no '{field}', which the sync cannot do without") from None


def _account_id(info: Any, what: str) -> int:
    if not isinstance(info, dict) or not isinstance(info.get("_account_id"), int):
        raise SyncDataError(f"{what} names an account without '_account_id'")
    return info["_account_id"]


def _is_bot(info: dict[str, Any], bot_usernames: Collection[str]) -> bool:
    username = info.get("username", "")
    return (
        "SERVICE_USER" in (info.get("tags") or [])
        or username in KNOWN_BOTS
        or username in bot_usernames
    )


def _has_details(info: dict[str, Any]) -> bool:
    return any(key in info for key in ("username", "name", "email"))


def upsert_accounts(*, team: Team, infos: Iterable[dict[str, Any]]) -> dict[int, int]:
    """Store AccountInfos and return ``{_account_id: primary key}``.

    Bare ``{"_account_id": N}`` entries (no DETAILED_ACCOUNTS) never blank out details
    learnt earlier: only entries that carry details update a row.
    """
    return _upsert_accounts(team.server, team.bot_usernames or [], infos)[0]


def _upsert_accounts(
    server: GerritServer, bot_usernames: Collection[str], infos: Iterable[dict[str, Any]]
) -> tuple[dict[int, int], set[int]]:
    """``upsert_accounts``, plus the ``_account_id`` of the bots among them.

    A page names the same few dozen people thousands of times, nearly always exactly as
    they are stored already: rows are read first and only new or changed ones written, so
    a page usually costs one query here instead of three.
    """
    # One entry per account, preferring one with details. This loop sees every account
    # mention of a page (some 36 a change), so it stays inline.
    unique: dict[int, dict[str, Any]] = {}
    for info in infos:
        try:
            account_id = info["_account_id"]
        except (KeyError, TypeError):
            account_id = None
        if type(account_id) is not int and not isinstance(account_id, int):
            raise SyncDataError("An account names an account without '_account_id'")
        known = unique.get(account_id)
        if known is None or (
            len(info) > len(known)
            and "username" not in known
            and "name" not in known
            and "email" not in known  # known has no details (_has_details, inlined)
        ):
            unique[account_id] = info
    if not unique:
        return {}, set()
    stored = {
        row[0]: row[1:]
        for row in Account.objects.filter(server=server, account_id__in=unique.keys()).values_list(
            "account_id", "pk", *_ACCOUNT_FIELDS
        )
    }
    changed: list[Account] = []
    new_bare: list[Account] = []
    bots = {account_id for account_id, row in stored.items() if row[4]}  # is_bot
    for account_id, info in unique.items():
        if _has_details(info):
            account = Account(
                server=server,
                account_id=account_id,
                username=info.get("username", ""),
                name=info.get("name", "") or info.get("display_name", ""),
                email=info.get("email", ""),
                is_bot=_is_bot(info, bot_usernames),
                inactive=bool(info.get("inactive")),
            )
            row = stored.get(account_id)
            if row is None or row[1:] != tuple(getattr(account, f) for f in _ACCOUNT_FIELDS):
                changed.append(account)
            if account.is_bot:
                bots.add(account_id)
            else:
                bots.discard(account_id)
        elif account_id not in stored:
            new_bare.append(Account(server=server, account_id=account_id))
    if changed:
        Account.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["server", "account_id"],
            update_fields=list(_ACCOUNT_FIELDS),
        )
    if new_bare:
        Account.objects.bulk_create(new_bare, ignore_conflicts=True)
    pks = {account_id: row[0] for account_id, row in stored.items()}
    if len(pks) < len(unique):
        pks.update(
            Account.objects.filter(
                server=server, account_id__in=unique.keys() - pks.keys()
            ).values_list("account_id", "pk")
        )
    return pks, bots


def _accounts_in(change: dict[str, Any]) -> list[dict[str, Any]]:
    found = [change["owner"]]
    add = found.append
    for revision in (change.get("revisions") or {}).values():
        if revision.get("uploader"):
            add(revision["uploader"])
    for message in change.get("messages") or []:
        if author := message.get("author"):
            add(author)
        if real_author := message.get("real_author"):
            add(real_author)
    for label in (change.get("labels") or {}).values():
        found += label.get("all") or []
    for people in (change.get("reviewers") or {}).values():
        found += people
    return found


def _label_summary(votes: list[int], *, negative_first: bool) -> int:
    if not votes:
        return 0
    if negative_first and min(votes) < 0:
        return min(votes)
    return max(votes)


def _checked(changes: list[dict[str, Any]], repositories: dict[str, int]) -> list[dict[str, Any]]:
    """The changes of ``repositories``, after checking every change has what the store
    cannot do without (SyncDataError names the first that does not)."""
    wanted: list[dict[str, Any]] = []
    for position, info in enumerate(changes):
        what = f"Change #{position + 1} of the page"
        number = _require(info, "_number", what)
        what = f"Change {number}"
        for name in ("project", "branch", "subject", "status", "created", "updated", "owner"):
            _require(info, name, what)
        _account_id(info["owner"], what)
        if info["project"] in repositories:
            wanted.append(info)
    return wanted


def store_changes(*, team: Team, changes: list[dict[str, Any]], synced_at: datetime) -> PageStats:
    """Store one page of ChangeInfo (fetched with ``client.SYNC_OPTIONS``)."""
    repositories = dict(team.repositories.values_list("name", "pk"))
    wanted = _checked(changes, repositories)
    if not wanted:
        return PageStats(0, 0, 0, 0, None)

    account_pks, bots = _upsert_accounts(
        team.server, team.bot_usernames or [], chain.from_iterable(map(_accounts_in, wanted))
    )
    numbers = [info["_number"] for info in wanted]
    change_pks = _change_pks(team.server, numbers)
    existing = set(change_pks)
    times = PageTimes()
    _upsert_changes(
        [
            _change_row(team.server.pk, info, repositories, account_pks, synced_at, times)
            for info in wanted
        ]
    )
    if len(change_pks) < len(set(numbers)):
        change_pks.update(_change_pks(team.server, list(set(numbers) - existing)))
    pks = list(change_pks.values())
    # A snapshot replaces what was stored; changes new to the database have nothing yet.
    _delete_children([change_pks[number] for number in existing])
    rows = _child_rows(wanted, change_pks, repositories, _People(account_pks, bots), times)
    rows.insert()
    insert_reviews(pks)  # one INSERT … SELECT from the votes just written
    refresh_review_clocks(pks)  # and the open changes' clocks, from the same rows
    return PageStats(
        changes=len(wanted),
        created=len(set(numbers) - existing),
        votes=len(rows.votes),
        messages=len(rows.messages),
        oldest_updated=min(parse_timestamp(info["updated"]) for info in wanted),
    )


@dataclass
class KnownAccounts:
    """The accounts a bulk load has stored so far (``_account_id`` to primary key, and
    which are bots), so that a page's mentions of them cost no query."""

    pks: dict[int, int] = field(default_factory=dict)
    bots: set[int] = field(default_factory=set)


def store_new_changes(
    *,
    server: GerritServer,
    repositories: dict[str, int],
    changes: list[dict[str, Any]],
    synced_at: datetime,
    accounts: KnownAccounts,
    bot_usernames: Collection[str] = (),
) -> PageStats:
    """Store changes none of which is in the database yet: a bulk load into an empty
    server (``bulkload.load_forge``), in pages as large as the caller likes, across teams
    (``repositories`` maps the names of every team's repositories to their keys).

    The same rows as ``store_changes``, built by the same code, without what only a sync
    needs: no lookup of stored changes, nothing to delete, accounts stored already
    skipped by ``accounts`` (a load's accounts never change details). Review rows and
    the open changes' clocks are left to the caller: one ``insert_reviews(None)`` and one
    ``refresh_review_clocks(None)`` after the last page cost less than one per page.
    """
    wanted = _checked(changes, repositories)
    if not wanted:
        return PageStats(0, 0, 0, 0, None)
    known = accounts.pks
    mentions = chain.from_iterable(map(_accounts_in, wanted))
    new = [info for info in mentions if info.get("_account_id") not in known]
    if new:
        pks, bots = _upsert_accounts(server, bot_usernames, new)
        known.update(pks)
        accounts.bots |= bots
    times = PageTimes()
    _upsert_changes(
        [_change_row(server.pk, info, repositories, known, synced_at, times) for info in wanted]
    )
    change_pks = _change_pks(server, [info["_number"] for info in wanted])
    rows = _child_rows(wanted, change_pks, repositories, _People(known, accounts.bots), times)
    rows.insert()
    return PageStats(
        changes=len(wanted),
        created=len(change_pks),
        votes=len(rows.votes),
        messages=len(rows.messages),
        oldest_updated=min(parse_timestamp(info["updated"]) for info in wanted),
    )


def _change_pks(server: GerritServer, numbers: list[int]) -> dict[int, int]:
    """The stored changes among ``numbers``, number to primary key (in chunks, so a page
    of any size stays under the database's limit of parameters)."""
    pks: dict[int, int] = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        pks.update(
            Change.objects.filter(server=server, number__in=chunk).values_list("number", "pk")
        )
    return pks


def _child_rows(
    wanted: list[dict[str, Any]],
    change_pks: dict[int, int],
    repositories: dict[str, int],
    people: _People,
    times: PageTimes,
) -> PageRows:
    """Every row hanging off these changes (patch sets, messages, vote events, current
    approvals, reviewers, files), in database form: the one place they are built, for a
    sync's pages and a bulk load's alike."""
    rows = PageRows()
    account_pks, bots = people.account_pks, people.bots
    stamp = times.database
    # The loops below run for every message and vote of a history (some 25 rows a change):
    # lookups are bound to locals and rows built as tuples in place.
    account_pk = account_pks.get
    add_patch_set, add_message = rows.patch_sets.append, rows.messages.append
    add_vote, add_approval = rows.votes.append, rows.approvals.append
    both = times.both
    from_message, by_message, by_label = events_from_message, VoteSource.MESSAGE, VoteSource.LABEL
    for info in wanted:
        change_pk = change_pks[info["_number"]]
        repository_pk = repositories[info["project"]]
        current = _current_revision(info)
        for sha, revision in (info.get("revisions") or {}).items():
            add_patch_set(
                (
                    change_pk,
                    repository_pk,
                    revision["_number"],
                    sha,
                    people.pk(revision.get("uploader")),
                    stamp(revision["created"]),
                    revision.get("kind", ""),
                )
            )
        events: list[VoteEvent] = []
        event_times: list[Any] = []  # each event's time in database form, as events
        message_ids: set[str] = set()
        for message in info.get("messages") or []:
            # Accounts were checked by _upsert_accounts: an author has an int id.
            author = (message.get("author") or {}).get("_account_id")
            # 2.13's documentation spells these "updated" and "revision_number".
            text_stamp = message.get("date") or message.get("updated")
            if not text_stamp:
                raise SyncDataError(f"A message of change {info['_number']} has no 'date'")
            date, database_date = both(text_stamp)
            revision_number = message.get("_revision_number", message.get("revision_number"))
            text = message.get("message", "")
            gerrit_id = str(message.get("id", ""))
            if gerrit_id not in message_ids:
                message_ids.add(gerrit_id)
                add_message(
                    (
                        change_pk,
                        gerrit_id,
                        account_pk(author),
                        database_date,
                        revision_number,
                        text,
                        message.get("tag", ""),
                    )
                )
            announced = from_message(text, author=author, date=date, revision=revision_number)
            if announced:
                events += announced
                event_times += [database_date] * len(announced)
        current_ps = _current_patch_set(info, current)
        for event, granted in zip(events, event_times, strict=True):
            voter = event.voter if event.voter is not None else people.resolve(event)
            voter_pk = account_pk(voter)
            if voter_pk is None:
                continue
            add_vote(
                (
                    change_pk,
                    repository_pk,
                    event.patch_set,
                    event.label,
                    event.value,
                    voter_pk,
                    granted,
                    event.removal,
                    voter in bots,
                    by_message,
                    account_pk(event.remover),
                )
            )
        standing = _standing_votes(info, times)
        for vote in copied_votes(events, standing, current_patch_set=current_ps):
            add_vote(
                (
                    change_pk,
                    repository_pk,
                    current_ps,
                    vote.label,
                    vote.value,
                    account_pks[vote.voter],
                    times.when(vote.granted) if vote.granted else stamp(info["updated"]),
                    False,
                    vote.voter in bots,
                    by_label,
                    None,
                )
            )
        seen_votes: set[tuple[str, int]] = set()
        for vote in standing:
            if (vote.label, vote.voter) not in seen_votes:
                seen_votes.add((vote.label, vote.voter))
                add_approval(
                    (
                        change_pk,
                        vote.label,
                        account_pks[vote.voter],
                        vote.value,
                        times.when(vote.granted) if vote.granted else None,
                        vote.tag,
                    )
                )
        seen_reviewers: set[int] = set()
        for state in (ReviewerState.REVIEWER, ReviewerState.CC):
            for person in (info.get("reviewers") or {}).get(state, []):
                pk = people.pk(person)
                if pk is not None and pk not in seen_reviewers:
                    seen_reviewers.add(pk)
                    rows.reviewers.append((change_pk, pk, state))
        for path in (current or {}).get("files") or {}:
            if not path.startswith("/"):  # /COMMIT_MSG and other magic files
                rows.files.append((change_pk, path))
    return rows


# Rows per statement when a list of ids goes into ``IN (…)``: far below SQLite's and
# PostgreSQL's parameter limits.
_CHUNK = 500
# Change.hashtags' own preparation (JSON text on SQLite, Jsonb on PostgreSQL).
_HASHTAGS = Change._meta.get_field("hashtags")

_CHANGE_UPDATE_FIELDS = [
    "repository",
    "change_id",
    "branch",
    "topic",
    "hashtags",
    "subject",
    "commit_message",
    "owner",
    "status",
    "created",
    "updated",
    "submitted",
    "closed",
    "mergeable",
    "work_in_progress",
    "is_private",
    "insertions",
    "deletions",
    "current_patch_set",
    "current_revision",
    "current_patch_set_created",
    "cr_max",
    "cr_min",
    "cr_plus2_count",
    "verified",
    "workflow",
    "cr_values",
    "verified_values",
    "workflow_values",
    "synced_at",
]


class _People:
    """Account lookups for one page: Gerrit ids to primary keys, and removal targets."""

    def __init__(self, account_pks: dict[int, int], bots: set[int]) -> None:
        self.account_pks = account_pks
        self.bots = bots
        self._by_email: dict[str, int] | None = None
        self._by_name: dict[str, int] | None = None

    def pk(self, info: dict[str, Any] | None) -> int | None:
        if not info or "_account_id" not in info:
            return None
        return self.account_pks.get(info["_account_id"])

    def pk_of(self, account_id: int | None) -> int | None:
        return None if account_id is None else self.account_pks.get(account_id)

    def resolve(self, event: VoteEvent) -> int | None:
        """The Gerrit id of the voter a "Removed … by Name <email>" message names."""
        if self._by_email is None:
            rows = Account.objects.filter(pk__in=self.account_pks.values()).values_list(
                "account_id", "email", "name"
            )
            self._by_email = {email.lower(): aid for aid, email, _ in rows if email}
            self._by_name = {name: aid for aid, _, name in rows if name}
        if event.voter_email and event.voter_email.lower() in self._by_email:
            return self._by_email[event.voter_email.lower()]
        assert self._by_name is not None
        return self._by_name.get(event.voter_name)


def _current_revision(info: dict[str, Any]) -> dict[str, Any] | None:
    revisions = info.get("revisions") or {}
    if info.get("current_revision") in revisions:
        return revisions[info["current_revision"]]
    if not revisions:
        return None
    return max(revisions.values(), key=lambda revision: revision.get("_number", 0))


def _closed(info: dict[str, Any]) -> str | None:
    """When the change was merged or abandoned, as Gerrit's timestamp text: Gerrit reports
    ``submitted`` only for merges, so an abandon is dated by its message (tag
    ``autogenerated:gerrit:abandon`` or the text "Abandoned"), else by ``updated``."""
    if info["status"] == "NEW":
        return None
    if info["status"] == "MERGED" and info.get("submitted"):
        return info["submitted"]
    wanted = (
        "autogenerated:gerrit:abandon"
        if info["status"] == "ABANDONED"
        else "autogenerated:gerrit:merged"
    )
    for message in reversed(info.get("messages") or []):
        text = message.get("message", "")
        if message.get("tag") == wanted or text.startswith(
            ("Abandoned", "Change has been successfully")
        ):
            stamp = message.get("date") or message.get("updated")
            if stamp:
                return stamp
    return info["updated"]


def _current_patch_set(info: dict[str, Any], current: dict[str, Any] | None) -> int:
    """From the current revision, else ``current_revision_number`` (newer servers), else 1."""
    if current and current.get("_number"):
        return current["_number"]
    return info.get("current_revision_number") or 1


def _standing_votes(info: dict[str, Any], times: PageTimes) -> list[StandingVote]:
    return [
        StandingVote(
            label=label,
            value=entry["value"],
            voter=entry["_account_id"],
            granted=times.moment(entry["date"]) if entry.get("date") else None,
            tag=entry.get("tag", ""),
        )
        for label, details in (info.get("labels") or {}).items()
        for entry in details.get("all") or []
        if entry.get("value") and "_account_id" in entry
    ]


_CHANGES_IN = "tiller_changes_in"


def _upsert_changes(rows: list[dict[str, Any]]) -> None:
    """``INSERT … ON CONFLICT (server, number) DO UPDATE`` in one ``executemany``.

    The same statement works on SQLite (3.24+) and PostgreSQL. ``rows`` hold values in
    database form already (``_change_row``): going through each field's own preparation
    cost more than the statement itself.
    """
    meta = Change._meta
    quote = connection.ops.quote_name
    names = ["server", "number", *_CHANGE_UPDATE_FIELDS]
    columns = [quote(meta.get_field(name).column) for name in names]
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns[2:])
    values = [tuple(row[name] for name in names) for row in rows]
    marks = f"({', '.join(['%s'] * len(columns))})"
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) VALUES "
    tail = f" ON CONFLICT ({columns[0]}, {columns[1]}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(head + marks + tail, values)
            return
        # PostgreSQL runs a statement per row of an executemany, and psycopg composes each
        # on the client: a page cost 80-100 ms that way and 26 ms as one COPY into a
        # scratch table and one INSERT … SELECT (measured on a 10,000-change database).
        # The scratch table lives as long as the connection; it is emptied after each use.
        listed = ", ".join(columns)
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_CHANGES_IN} AS "
            f"SELECT {listed} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {_CHANGES_IN} ({listed}) FROM STDIN") as stream:
            for row in values:
                stream.write_row(row)
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({listed}) SELECT {listed} FROM {_CHANGES_IN}"
            + tail
        )
        cursor.execute(f"DELETE FROM {_CHANGES_IN}")


def _delete_children(change_pks: list[int]) -> None:
    """Delete every row hanging off these changes (one statement per table and chunk).

    Raw SQL because nothing cascades from these tables and no signal listens: the ORM's
    delete would build the same statement at several times the cost.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (PatchSet, Message, Vote, Review, Approval, Reviewer, ChangeFile):
            table = quote(model._meta.db_table)
            for start in range(0, len(change_pks), _CHUNK):
                chunk = change_pks[start : start + _CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE change_id IN ({marks})", chunk)


def _change_row(
    server_pk: int,
    info: dict[str, Any],
    repositories: dict[str, int],
    account_pks: dict[int, int],
    synced_at: datetime,
    times: PageTimes,
) -> dict[str, Any]:
    """The change's column values, in database form (see ``_upsert_changes``)."""
    stamp = times.database
    current = _current_revision(info) or {}
    commit = current.get("commit") or {}
    labels = info.get("labels") or {}

    values = {
        label: [e["value"] for e in (labels.get(label) or {}).get("all") or [] if e.get("value")]
        for label in VALUE_SET_COLUMNS
    }
    code_review = values["Code-Review"]
    return {
        "server": server_pk,
        "repository": repositories[info["project"]],
        "number": info["_number"],
        "change_id": info.get("change_id", ""),
        "branch": info["branch"],
        "topic": info.get("topic", ""),
        "hashtags": _HASHTAGS.get_db_prep_save(info.get("hashtags") or [], connection),
        "subject": info["subject"],
        "commit_message": commit.get("message", ""),
        "owner": account_pks[info["owner"]["_account_id"]],
        "status": info["status"],
        "created": stamp(info["created"]),
        "updated": stamp(info["updated"]),
        "submitted": stamp(info["submitted"]) if info.get("submitted") else None,
        "closed": stamp(closed) if (closed := _closed(info)) else None,
        "mergeable": info.get("mergeable"),
        "work_in_progress": bool(info.get("work_in_progress")),
        "is_private": bool(info.get("is_private")),
        "insertions": info.get("insertions") or 0,
        "deletions": info.get("deletions") or 0,
        "current_patch_set": _current_patch_set(info, current),
        "current_revision": info.get("current_revision", ""),
        "current_patch_set_created": stamp(current["created"]) if current.get("created") else None,
        "cr_max": max(code_review, default=0),
        "cr_min": min(code_review, default=0),
        "cr_plus2_count": sum(1 for value in code_review if value >= 2),
        "verified": _label_summary(values["Verified"], negative_first=True),
        "workflow": _label_summary(values["Workflow"], negative_first=True),
        **{column: value_set(values[label]) for label, column in VALUE_SET_COLUMNS.items()},
        "synced_at": times.when(synced_at),
    }
