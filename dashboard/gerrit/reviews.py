"""Keeping ``gerrit.Review`` (one row per review) in step with the ``Vote`` events.

The definition of a review lives here, once, as SQL: statistics (``health.reviewsql`` and
the health selectors) read the stored rows, restricted to a window by ``Review.granted``,
instead of grouping every vote event of the window at query time (which cost about a
second on a 500,000-vote history). The statements are portable (GROUP BY, a correlated
subquery, ``ORDER BY … LIMIT 1``), so SQLite and PostgreSQL store the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from dashboard.gerrit.models import Change, Review, Vote, VoteSource

LABELS = ("Code-Review", "Workflow")
# Far below SQLite's and PostgreSQL's parameter limits; a sync page has 250 changes.
CHUNK = 500


def _insert_sql(*, restricted: bool) -> str:
    """INSERT … SELECT of the reviews of the changes the ``%s`` list names (or of all).

    The GROUP BY gives each (change, patch set, label, account) its first and latest
    counted vote times; a group of one vote takes its value directly, the others look
    it up again by the (change, patch set) index, the later Vote id winning a tie on
    ``granted``.
    """
    q = connection.ops.quote_name
    vote, change, review = Vote._meta.db_table, Change._meta.db_table, Review._meta.db_table
    labels = ", ".join(f"'{label}'" for label in LABELS)
    wanted = (
        f"{{v}}.is_bot = %s AND {{v}}.removal = %s AND {{v}}.source = %s AND {{v}}.value <> 0"
        f" AND {{v}}.label IN ({labels})"
    )
    return f"""
    INSERT INTO {q(review)} (change_id, repository_id, patch_set, label, account_id,
                             owner_id, value, granted, first_granted)
    SELECT g.change_id, g.repository_id, g.patch_set, g.label, g.account_id, g.owner_id,
           CASE WHEN g.votes = 1 THEN g.only_value ELSE (
               SELECT w.value FROM {q(vote)} w
               WHERE w.change_id = g.change_id AND w.patch_set = g.patch_set
                 AND w.account_id = g.account_id AND w.label = g.label
                 AND w.granted = g.granted AND {wanted.format(v="w")}
               ORDER BY w.id DESC
               LIMIT 1
           ) END,
           g.granted, g.first_granted
    FROM (
        SELECT v.change_id, v.repository_id, v.patch_set, v.label, v.account_id,
               c.owner_id, MAX(v.granted) AS granted, MIN(v.granted) AS first_granted,
               COUNT(*) AS votes, MIN(v.value) AS only_value
        FROM {q(vote)} v
        JOIN {q(change)} c ON c.id = v.change_id
        WHERE {wanted.format(v="v")}
          AND v.account_id <> c.owner_id
          {"AND v.change_id IN ({ids})" if restricted else ""}
        GROUP BY v.change_id, v.repository_id, v.patch_set, v.label, v.account_id, c.owner_id
    ) g
    """


def _wanted_params() -> list[object]:
    return [False, False, VoteSource.MESSAGE.value]


def insert_reviews(change_ids: Iterable[int] | None) -> None:
    """Insert the Review rows of ``change_ids`` (all changes if None) from their votes.

    The caller has deleted their old rows (``store_changes`` deletes them with the other
    child rows of a page); ``rebuild_reviews`` does both.
    """
    with connection.cursor() as cursor:
        if change_ids is None:
            cursor.execute(_insert_sql(restricted=False), _wanted_params() * 2)
            return
        ids = list(change_ids)
        sql = _insert_sql(restricted=True)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(
                sql.replace("{ids}", ", ".join(["%s"] * len(chunk))),
                _wanted_params() * 2 + chunk,
            )


def rebuild_reviews(change_ids: Iterable[int] | None) -> None:
    """Replace the Review rows of ``change_ids`` (all changes if None) with rows derived
    from their current Vote rows: call it after any write to those changes' votes."""
    if change_ids is None:
        Review.objects.all().delete()
        insert_reviews(None)
        return
    ids = list(change_ids)
    for start in range(0, len(ids), CHUNK):
        Review.objects.filter(change_id__in=ids[start : start + CHUNK]).delete()
    insert_reviews(ids)
