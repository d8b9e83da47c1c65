"""Filling a team's database from a Gerrit simulator in-process, without HTTP.

For page benchmarks only (``bench_dashboard``): they need a large synced history quickly
and measure the pages, not the sync. Sync benchmarks (``bench_sync``) still go over HTTP.
Changes are rendered by the simulator's own ChangeInfo writer with the sync's options and
stored with the sync's ``store_changes``, one page of 250 per transaction, so the rows are
what a sync would have written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from dashboard.gerrit.client import SYNC_OPTIONS
from dashboard.gerrit.corehistory import infer_core_history
from dashboard.gerrit.models import CoreMembership, Team
from dashboard.gerrit.reviews import refresh_review_flags
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.simulator.pages import ChangePages
from dashboard.gerrit.store import store_changes, upsert_accounts

PAGE_SIZE = 250


def load_history(
    *, team: Team, simulator: Simulator, progress: Callable[[int], None] | None = None
) -> int:
    """Store every change of ``simulator`` for ``team`` and make the simulator's current
    core members the team's, joined now (the simulator's clock, as a sync records it).

    Returns the number of changes stored; ``progress`` gets the running count per page.
    """
    pages = ChangePages(simulator, cache_bytes=0, prefetch=False)
    options = frozenset(SYNC_OPTIONS)
    server_time = datetime.fromtimestamp(simulator.now, UTC)  # what a sync would record
    numbers = simulator.numbers()
    stored = 0
    for start in range(0, len(numbers), PAGE_SIZE):
        page = [
            json.loads(pages.render(simulator.row(number), options))
            for number in numbers[start : start + PAGE_SIZE]
        ]
        with transaction.atomic():
            stats = store_changes(team=team, changes=page, synced_at=timezone.now())
        stored += stats.changes
        if progress is not None:
            progress(stored)
    with transaction.atomic():
        members = [account.info(detailed=True) for account in simulator.core_members()]
        pks = upsert_accounts(team=team, infos=members).values()
        replaced = list(
            team.core_memberships.filter(left__isnull=True).values_list("account", flat=True)
        )
        team.core_memberships.filter(left__isnull=True).delete()
        CoreMembership.objects.bulk_create(
            CoreMembership(team=team, account_id=pk, joined=server_time) for pk in pks
        )
        refresh_review_flags(team=team, account_ids=[*replaced, *pks])
    infer_core_history(team=team)
    return stored
