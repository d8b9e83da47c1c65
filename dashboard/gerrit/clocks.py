"""When each open-reviews clock of an open change starts, kept in ``ReviewClocks``.

The open-reviews report (``health.openreviews``) times every change waiting on reviewers
by three clocks, each started by a patch set's *date*: its earliest vote announced in a
message (reviewstats' stand-in for "CI reported"), else its upload time.

- ``current``: the current patch set's date;
- ``first``: the first patch set's date;
- ``no_negative``: the date of the oldest patch set of the trailing run (the current
  one and those before it) with no -1/-2 still standing on it (Code-Review or Verified;
  the current patch set's own votes never break the run). Standing: the latest vote by
  that account on that label of that patch set is negative and not a removal.

Only patch sets numbered up to the current one count. When the current patch set's row
is missing (a partial sync), ``current`` and ``no_negative`` fall back to the change's
``current_patch_set_created`` (else ``created``), and ``first`` to the earliest stored
patch set's date (else ``created``).

Computing these at page time cost a correlated subquery per patch set of every open change
(some 10,000 for a big team, a quarter to half a second per page view); they change only
when the change's votes or patch sets do, which is when the store rewrites it. So
``store.store_changes`` calls ``refresh_review_clocks`` on each page's changes after
writing their rows, the bulk load once over everything, and migration 0016 over what was
stored before. Closed changes have no row: no page times them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from dashboard.gerrit.models import (
    Change,
    ChangeStatus,
    PatchSet,
    ReviewClocks,
    Vote,
    VoteSource,
)

NEGATIVE_LABELS = ("Code-Review", "Verified")
# Changes per statement when ids are listed: far below every database's parameter limit.
CHUNK = 500
_COLUMNS = ("change_id", "current", "first", "no_negative")


def _sql() -> str:
    """The INSERT … SELECT of the clocks of the open changes its WHERE clause selects
    (``{where}`` is filled in by the caller)."""
    q = connection.ops.quote_name
    c, p, v = (q(model._meta.db_table) for model in (Change, PatchSet, Vote))
    labels = ", ".join(f"'{label}'" for label in NEGATIVE_LABELS)

    def dated(ps: str) -> str:
        """A patch set's date: its earliest vote announced in a message, else its upload."""
        return (
            f"COALESCE((SELECT MIN(dv.granted) FROM {v} dv WHERE dv.change_id = {ps}.change_id"
            f" AND dv.patch_set = {ps}.number AND dv.source = '{VoteSource.MESSAGE}'),"
            f" {ps}.created)"
        )

    # A -1/-2 standing on patch set ``nq``: no later vote by the same account on the same
    # label of it. ``+ 0`` keeps SQLite on the (change, patch set) index rather than the
    # (account, granted) one, which scans a busy reviewer's every later vote.
    negative = (
        f"EXISTS (SELECT 1 FROM {v} nv WHERE nv.change_id = nq.change_id"
        f" AND nv.patch_set = nq.number AND nv.label IN ({labels}) AND nv.value < 0"
        f" AND NOT nv.removal AND NOT EXISTS (SELECT 1 FROM {v} lv"
        f" WHERE lv.change_id = nv.change_id AND lv.patch_set = nv.patch_set"
        f" AND lv.label = nv.label AND lv.account_id + 0 = nv.account_id"
        f" AND lv.granted > nv.granted))"
    )
    has_current = (
        f"EXISTS (SELECT 1 FROM {p} hp WHERE hp.change_id = {c}.id"
        f" AND hp.number = {c}.current_patch_set)"
    )
    fallback = f"COALESCE({c}.current_patch_set_created, {c}.created)"
    current = (
        f"COALESCE((SELECT {dated('cp')} FROM {p} cp WHERE cp.change_id = {c}.id"
        f" AND cp.number = {c}.current_patch_set), {fallback})"
    )
    first = (
        f"COALESCE((SELECT {dated('fp')} FROM {p} fp WHERE fp.change_id = {c}.id"
        f" AND fp.number <= {c}.current_patch_set ORDER BY fp.number LIMIT 1), {c}.created)"
    )
    last_negative = (
        f"COALESCE((SELECT MAX(nq.number) FROM {p} nq WHERE nq.change_id = {c}.id"
        f" AND nq.number < {c}.current_patch_set AND {negative}), 0)"
    )
    no_negative = (
        f"CASE WHEN {has_current} THEN (SELECT {dated('rp')} FROM {p} rp"
        f" WHERE rp.change_id = {c}.id AND rp.number <= {c}.current_patch_set"
        f" AND rp.number > {last_negative} ORDER BY rp.number LIMIT 1) ELSE {fallback} END"
    )
    clocks = q(ReviewClocks._meta.db_table)
    return (
        f"INSERT INTO {clocks} ({', '.join(map(q, _COLUMNS))})"
        f" SELECT {c}.id, {current}, {first}, {no_negative} FROM {c} WHERE {{where}}"
    )


def refresh_review_clocks(change_ids: Iterable[int] | None) -> None:
    """Replace the clocks of ``change_ids`` (of every change if None) with clocks derived
    from their stored patch sets and votes, for those that are open: call it after
    writing either."""
    sql = _sql()
    q = connection.ops.quote_name
    table, clocks = q(Change._meta.db_table), q(ReviewClocks._meta.db_table)
    is_open = f"{table}.status = '{ChangeStatus.NEW}'"
    with connection.cursor() as cursor:
        if change_ids is None:
            cursor.execute(f"DELETE FROM {clocks}")
            cursor.execute(sql.replace("{where}", is_open))
            return
        ids = list(change_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {clocks} WHERE change_id IN ({marks})", chunk)
            # ``status || ''``: given ``status = 'NEW'`` beside the ids, SQLite walked the
            # status index over every open change of the server instead of looking the
            # page's changes up by key.
            where = f"{table}.id IN ({marks}) AND {table}.status || '' = '{ChangeStatus.NEW}'"
            cursor.execute(sql.replace("{where}", where), chunk)
