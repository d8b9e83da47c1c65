"""Incremental sync of a team's changes from Gerrit into the database.

The algorithm follows facts §4.4 and gertty's watermark design:

* The cursor is Gerrit's clock (the ``Date`` header of the run's first answer), never
  ours. A run queries ``(project:A OR project:B …) after:"<cursor - overlap>"`` with no
  status filter, so a change can only *join* the result while we page through it: offset
  paging then yields duplicates (harmless, every write is an upsert) but never gaps, and
  changes updated during the run are newer than the cursor and come with the next run.
* Each page is written in one transaction together with the run's checkpoint
  (``covered_from``/``covered_to``): everything updated in that interval is stored. A run
  that stops for any reason (Ctrl-C, a crash, a network error) loses nothing already
  fetched, and the next run fetches only what the checkpoint does not cover.
* Only a run that finished moves the cursor.
* One running ``SyncRun`` per team (a conditional unique constraint) is the lock; a run
  whose heartbeat stopped long ago is taken to have died and is marked interrupted.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from dashboard.gerrit.client import (
    SYNC_OPTIONS,
    ChangePage,
    GerritClient,
    GerritError,
    GerritNotFound,
    format_timestamp,
)
from dashboard.gerrit.corehistory import infer_core_history
from dashboard.gerrit.models import (
    Account,
    CoreMembership,
    SyncRun,
    SyncRunStatus,
    Team,
)
from dashboard.gerrit.reviews import refresh_review_flags
from dashboard.gerrit.store import SyncDataError, store_changes, upsert_accounts
from dashboard.gerrit.throttle import throttle_for

logger = logging.getLogger(__name__)

# Index lag and clock skew between Gerrit's nodes: re-read this much before the cursor.
OVERLAP = timedelta(minutes=5)
# A running run that has not written a heartbeat for this long is taken to have died.
STALE_AFTER = timedelta(minutes=10)
# Cyclic garbage collection thresholds while a sync runs (see _fewer_collections).
SYNC_GC_THRESHOLDS = (50_000, 20, 100)
# SQLite: pages of write-ahead log (4 KiB each) between checkpoints while a sync stores
# pages (see _page_writes); SQLite's default is 1,000.
SYNC_WAL_AUTOCHECKPOINT = 25_000


class SyncAlreadyRunning(Exception):
    """Another sync of the same team holds the lock."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        age = (timezone.now() - run.heartbeat).total_seconds()
        super().__init__(
            f"A sync of {run.team.name} is already running (started "
            f"{run.started:%Y-%m-%d %H:%M:%S} UTC, last progress {age:.0f} s ago); "
            "not starting another."
        )


@dataclass(frozen=True)
class Window:
    """A slice of history to fetch: changes updated in [after, before] (None: unbounded)."""

    after: datetime | None
    before: datetime | None
    extends_checkpoint: bool

    def query(self, repositories: Iterable[str]) -> str:
        terms = " OR ".join(f'project:"{name}"' for name in repositories)
        parts = [f"({terms})"]
        if self.after is not None:
            parts.append(f'after:"{format_timestamp(self.after)}"')
        if self.before is not None:
            parts.append(f'before:"{format_timestamp(self.before)}"')
        return " ".join(parts)


ProgressCallback = Callable[[SyncRun], None]


def client_for(team: Team, **kwargs: Any) -> GerritClient:
    """A Gerrit client with the team's server credentials (password from the environment),
    held to the server's request rate if it has one."""
    server = team.server
    password = os.environ.get(server.password_env, "") if server.password_env else ""
    kwargs.setdefault("throttle", throttle_for(server))
    return GerritClient(
        server.url,
        username=server.username if password else "",
        password=password,
        auth_scheme=server.auth_scheme,
        timeout=settings.GERRIT_TIMEOUT,
        **kwargs,
    )


def sync_team(
    *,
    team: Team,
    full: bool = False,
    since: datetime | None = None,
    client: GerritClient | None = None,
    estimate: bool = False,
    progress: ProgressCallback | None = None,
    page_size: int | None = None,
) -> SyncRun:
    """Bring the team's changes and core group up to date with Gerrit.

    ``full`` re-reads all history (or all since ``since``); otherwise the run continues from
    the last finished run, and completes an unfinished one first. ``estimate`` counts the
    changes to fetch beforehand (a few cheap requests) so progress can show an ETA.
    Returns the finished ``SyncRun``: its status says whether it succeeded, its ``error``
    why not. Raises ``SyncAlreadyRunning`` when the team is locked, and re-raises
    ``KeyboardInterrupt`` after recording the interruption.
    """
    run = _acquire(team=team, full=full, since=since)
    client = client or client_for(team)
    client.server_time = None
    requests_before = client.requests_made
    try:
        with _fewer_collections():
            _run(
                run,
                client=client,
                estimate=estimate,
                progress=progress,
                page_size=page_size or settings.GERRIT_PAGE_SIZE,
            )
    except KeyboardInterrupt:
        _finish(run, SyncRunStatus.INTERRUPTED, "Interrupted by the user.", client, requests_before)
        raise
    except (GerritError, SyncDataError) as exc:
        _finish(run, SyncRunStatus.FAILED, str(exc), client, requests_before)
    except Exception as exc:
        logger.exception("Sync of %s crashed", team.name)
        _finish(run, SyncRunStatus.FAILED, f"Internal error: {exc!r}", client, requests_before)
        raise
    else:
        _finish(run, SyncRunStatus.SUCCEEDED, "", client, requests_before)
    return run


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often during a sync, then as before.

    A decoded page is some 100,000 dicts and lists, freed by reference counting when the
    page is stored; with the default thresholds the collector nonetheless ran about six
    times a page, full collections included, for about 7% of a full sync's CPU. Nothing
    a sync allocates needs the collector to be freed, so a generation-0 threshold of
    50,000 (and rarer older collections) loses nothing and gains that time back.
    """
    before = gc.get_threshold()
    gc.set_threshold(*(max(old, new) for old, new in zip(before, SYNC_GC_THRESHOLDS, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _page_writes() -> Iterator[None]:
    """Store pages with SQLite tuned for a stream of large transactions, then as before.

    * Foreign keys go unchecked while pages are stored. The store takes every key it
      writes from rows it has just read or upserted in the same transaction, and SQLite's
      transactions here are IMMEDIATE (no other writer can delete an account or a change
      between the read and the insert), so a page cannot break a foreign key; yet SQLite
      checked each one, about a tenth of the store's CPU (the change upsert alone cost
      three times as much with the checks). PostgreSQL keeps its checks (Django cannot
      turn them off there), and inside an outer transaction, as in tests, SQLite cannot
      turn them off either: the writes are the same, only checked.
    * The write-ahead log is copied back into the database every ~100 MB instead of
      every 4 MB (``wal_autocheckpoint``). A page writes about 4 MB, so with the default
      every commit ran a checkpoint, rewriting the same index pages and waiting on the
      disk each time; commits took about half as long with the larger bound.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (autocheckpoint,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SYNC_WAL_AUTOCHECKPOINT:d}")
    try:
        with connection.constraint_checks_disabled():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint):d}")


def _acquire(*, team: Team, full: bool, since: datetime | None) -> SyncRun:
    now = timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    team=team, full=full, since=since, started=now, heartbeat=now
                )
        except IntegrityError:
            holder = team.sync_runs.running().first()
            if holder is None:
                continue
            if now - holder.heartbeat < STALE_AFTER:
                raise SyncAlreadyRunning(holder) from None
            holder.status = SyncRunStatus.INTERRUPTED
            holder.finished = holder.heartbeat
            holder.error = "The process running this sync stopped without finishing it."
            holder.save(update_fields=["status", "finished", "error"])
    raise SyncAlreadyRunning(team.sync_runs.running().get())


def _finish(
    run: SyncRun, status: str, error: str, client: GerritClient, requests_before: int
) -> None:
    run.status = status
    run.error = error
    run.finished = timezone.now()
    run.requests = client.requests_made - requests_before
    run.save()


def plan_windows(run: SyncRun, repositories: list[str]) -> list[Window]:
    """Decide what this run fetches, from the team's earlier runs.

    * An unfinished earlier run with a checkpoint over the same lower bound and the same
      repositories is completed: first what changed since its checkpoint, then what lies
      below the checkpoint.
    * Otherwise a single window from the lower bound: ``since``, or nothing (all history)
      for a full run, for a team's first run, or when the team's repositories changed;
      else the last finished run's server time minus the overlap.
    """
    team = run.team
    earlier = team.sync_runs.exclude(pk=run.pk)
    last_success = earlier.succeeded().order_by("-started").first()
    if run.since is not None:
        lower: datetime | None = run.since
    elif (
        run.full
        or last_success is None
        or sorted(last_success.repositories) != repositories
        or last_success.server_time is None
    ):
        lower = None
    else:
        lower = last_success.server_time - OVERLAP
    run.window_start = lower
    run.repositories = repositories

    unfinished = earlier.filter(started__gt=last_success.started) if last_success else earlier
    previous = unfinished.exclude(status=SyncRunStatus.SUCCEEDED).order_by("-started").first()
    if (
        not run.full
        and previous is not None
        and previous.covered_from is not None
        and previous.window_start == lower
        and sorted(previous.repositories) == repositories
    ):
        run.covered_from = previous.covered_from
        run.covered_to = previous.covered_to
        return [
            Window(after=previous.covered_to - OVERLAP, before=None, extends_checkpoint=False),
            Window(after=lower, before=previous.covered_from, extends_checkpoint=True),
        ]
    return [Window(after=lower, before=None, extends_checkpoint=True)]


def _run(
    run: SyncRun,
    *,
    client: GerritClient,
    estimate: bool,
    progress: ProgressCallback | None,
    page_size: int,
) -> None:
    team = run.team
    repositories = sorted(team.repositories.values_list("name", flat=True))
    if not repositories:
        raise SyncDataError(f"Team {team.name} has no repositories to sync.")
    windows = plan_windows(run, repositories)
    first_sync = run.window_start is None
    if first_sync:
        _check_repositories(client, repositories)
    _sync_core_group(run, client)
    if estimate:
        counts = [client.count_changes(window.query(repositories)) for window in windows]
        run.changes_expected = None if None in counts else sum(c or 0 for c in counts)
    run.save()
    if progress:
        progress(run)

    for window in windows:
        pages = client.iter_change_pages(
            window.query(repositories), options=SYNC_OPTIONS, page_size=page_size
        )
        with _page_writes():
            _store_pages(run, window, prefetched(pages), client=client, progress=progress)
        if not window.extends_checkpoint:
            # Everything since the earlier run's checkpoint is in: the covered interval now
            # reaches up to this run's start.
            run.covered_to = run.server_time
            run.save(update_fields=["covered_to"])
    if first_sync:
        # All history is in: estimate the core group's past from it (see corehistory).
        infer_core_history(team=team)


def _store_pages(
    run: SyncRun,
    window: Window,
    pages: Iterable[ChangePage],
    *,
    client: GerritClient,
    progress: ProgressCallback | None,
) -> None:
    """Store each page in a transaction of its own, with the run's checkpoint."""
    team = run.team
    for page in pages:
        if run.server_time is None:
            # Gerrit's clock at the first answer of this run: the next run's cursor.
            run.server_time = client.server_time or timezone.now()
            if run.covered_to is None:
                run.covered_to = run.server_time
        with transaction.atomic():
            stats = store_changes(team=team, changes=page.changes, synced_at=timezone.now())
            run.changes_fetched += stats.changes
            run.changes_created += stats.created
            run.votes_recorded += stats.votes
            run.messages_recorded += stats.messages
            if window.extends_checkpoint and stats.oldest_updated is not None:
                run.covered_from = stats.oldest_updated
            run.heartbeat = timezone.now()
            run.requests = client.requests_made
            run.save()
        if progress:
            progress(run)


def prefetched(pages: Iterator[ChangePage]) -> Iterator[ChangePage]:
    """Fetch the next page in a background thread while the caller stores this one.

    Fetching waits on Gerrit and storing waits on the database; overlapping the two is
    most of what makes a full sync fast. Only one request is in flight at a time, so the
    client's session is never used by two threads at once.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gerrit-prefetch") as pool:
        pending = pool.submit(next, pages, None)
        try:
            while (page := pending.result()) is not None:
                pending = pool.submit(next, pages, None)
                yield page
        finally:
            pending.cancel()
            # A throttled client reserves its request slots from this thread: close the
            # thread's database connection here rather than leave it to the garbage collector.
            pool.submit(connections.close_all)


def _check_repositories(client: GerritClient, repositories: list[str]) -> None:
    """Fail early and clearly on a misspelt repository: a query for it just finds nothing."""
    for name in repositories:
        try:
            client.project(name)
        except GerritNotFound:
            raise GerritNotFound(
                f"Repository {name} does not exist on Gerrit at {client.base_url} "
                "(or is not visible with these credentials)"
            ) from None


def _sync_core_group(run: SyncRun, client: GerritClient) -> None:
    """Record who joined and who left the core group since the last observation."""
    team = run.team
    if team.core_group:
        try:
            members = client.group_members(team.core_group)
        except GerritNotFound:
            raise GerritNotFound(
                f"Core group {team.core_group} does not exist on Gerrit at {client.base_url} "
                "(or is not visible with these credentials)"
            ) from None
        ids = upsert_accounts(team=team, infos=members)
        current = set(ids.values())
    elif team.core_usernames:
        current = set(
            Account.objects.filter(
                server=team.server, username__in=team.core_usernames
            ).values_list("pk", flat=True)
        )
    else:
        return
    now = client.server_time or timezone.now()
    with transaction.atomic():
        open_stretches = {m.account_id: m for m in team.core_memberships.filter(left__isnull=True)}
        joined = [
            CoreMembership(team=team, account_id=pk, joined=now, joined_sync=run)
            for pk in current - open_stretches.keys()
        ]
        CoreMembership.objects.bulk_create(joined)
        left = [m for pk, m in open_stretches.items() if pk not in current]
        for membership in left:
            membership.left = now
            membership.left_sync = run
        CoreMembership.objects.bulk_update(left, ["left", "left_sync"])
        if joined or left:
            changed = [m.account_id for m in joined] + [m.account_id for m in left]
            refresh_review_flags(team=team, account_ids=changed)
    run.core_joined, run.core_left = len(joined), len(left)
