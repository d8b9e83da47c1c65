"""The cost of a sync that finds nothing new: for one team, and for every team of a server.

Issue 7 budgets "a no-change incremental sync of one team in one HTTP request per query
and under 200 ms". Most syncs are such syncs (a scheduler runs them every few minutes and
Gerrit changed nothing of the team's meanwhile), so their cost is what a deployment of
many teams pays all day. ``timed_sync`` is the one way of measuring a sync (wall time
around ``sync_team``, the run's own request count and changes fetched), shared by
``bench_sync`` and ``no_change_syncs``.

``no_change_syncs`` expects a database loaded with ``manage.py load_forge`` (each team's
first sync recorded at the forge's clock) and the same forge served over HTTP
(``python -m dashboard.gerrit.simulator --forge`` or ``SimulatorProcess(forge=...)``,
same sizes and end), so every sync is incremental and fetches only the safety overlap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from dashboard.gerrit.client import GerritClient
from dashboard.gerrit.models import SyncRun, SyncRunStatus, Team
from dashboard.gerrit.sync import sync_team


class NoChangeSyncError(RuntimeError):
    """A measured sync failed, or was not incremental: its figures would mean nothing."""


@dataclass(frozen=True)
class TimedSync:
    """One sync and what it cost: wall time, HTTP requests, changes fetched."""

    run: SyncRun
    ms: float

    @property
    def requests(self) -> int:
        return self.run.requests

    @property
    def changes_fetched(self) -> int:
        return self.run.changes_fetched


def timed_sync(*, team: Team, client: GerritClient | None = None) -> TimedSync:
    """Run ``sync_team`` for ``team`` (with ``client``, else the team's own) and time it."""
    started = time.perf_counter()
    run = sync_team(team=team, client=client)
    return TimedSync(run=run, ms=(time.perf_counter() - started) * 1000)


def no_change_syncs(*, gerrit_url: str, team: str | None = None) -> dict[str, Any]:
    """Sync one team, then every team, from the server at ``gerrit_url``; report each.

    ``gerrit_url`` is where the forge is served: the teams' stored server URL is left as
    the load recorded it (the bulk load's is a placeholder), only the client points there.
    ``team`` names the single team (default: the first team created, on a forge its
    biggest). Every team of the database is synced in the second pass, one after another
    with one client, as a scheduler's round would. Raises NoChangeSyncError when a sync
    fails or reads all history (no earlier succeeded run: the database was not loaded
    with its first syncs recorded, or with other repositories).
    """
    teams = list(Team.objects.select_related("server").order_by("pk"))
    if not teams:
        raise NoChangeSyncError("No team in the database: load the forge first.")
    single = next((t for t in teams if t.name == team), None) if team else teams[0]
    if single is None:
        raise NoChangeSyncError(f"No team named {team!r}.")
    one = _checked(timed_sync(team=single, client=_client(gerrit_url)))
    client = _client(gerrit_url)
    started = time.perf_counter()
    runs = [_checked(timed_sync(team=t, client=client)) for t in teams]
    all_ms = (time.perf_counter() - started) * 1000
    return {
        "one_team": {
            "team": single.name,
            "ms": round(one.ms, 1),
            "requests": one.requests,
            "changes_fetched": one.changes_fetched,
        },
        "all_teams": {
            "teams": len(runs),
            "ms": round(all_ms, 1),
            "requests": sum(r.requests for r in runs),
            "changes_fetched": sum(r.changes_fetched for r in runs),
            "slowest_team_ms": round(max(r.ms for r in runs), 1),
        },
    }


def _client(gerrit_url: str) -> GerritClient:
    return GerritClient(gerrit_url, timeout=settings.GERRIT_TIMEOUT)


def _checked(timed: TimedSync) -> TimedSync:
    run = timed.run
    if run.status != SyncRunStatus.SUCCEEDED:
        raise NoChangeSyncError(f"The sync of {run.team.name} failed: {run.error}")
    if run.window_start is None:
        raise NoChangeSyncError(
            f"The sync of {run.team.name} read all history: it had no earlier succeeded "
            "sync of the same repositories (load the database with load_forge)."
        )
    return timed
