"""Keeping ``gerrit.Review`` (one row per review) in step with the ``Vote`` events and with
core membership.

The definition of a review lives here, once, as SQL: statistics (``health.reviewsql`` and
the health selectors) read the stored rows, restricted to a window by ``Review.granted``,
instead of grouping every vote event of the window at query time (which cost about a
second on a 500,000-vote history).

So do the two flags the statistics ask of every review, "was the reviewer core at the
vote?" (``by_core``) and "when did a core first contradict it?" (``disagreed_at``): asked
at query time they cost two correlated subqueries per review of the window, most of the
reviewer page's time. They depend on the votes of the review's patch set and on the
team's ``CoreMembership`` stretches, so they are recomputed on both kinds of write:
``insert_reviews`` (the sync, per page) computes them for the rows it writes, and
``refresh_review_flags`` is called by whatever changes memberships.

Every statement is portable (GROUP BY, correlated subqueries, ``ORDER BY … LIMIT 1``), with
one per-vendor spelling (SQLite's ``IS NOT`` for ``IS DISTINCT FROM``), so SQLite and
PostgreSQL store the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from dashboard.gerrit.models import (
    Change,
    CoreMembership,
    Repository,
    Review,
    Team,
    Vote,
    VoteSource,
    in_team_repositories_sql,
)

LABELS = ("Code-Review", "Workflow")
CODE_REVIEW = "Code-Review"
# Far below SQLite's and PostgreSQL's parameter limits; a sync page has 250 changes.
CHUNK = 500


def _core_at(*, team: str, account: str, moment: str) -> str:
    """SQL: true when ``account`` was in ``team``'s core group at ``moment`` (a stretch
    with ``joined <= moment < left``; an open stretch has no end). One seek on the
    (team, account, joined, left) index."""
    q = connection.ops.quote_name
    return f"""EXISTS (
        SELECT 1 FROM {q(CoreMembership._meta.db_table)} m
        WHERE m.team_id = {team} AND m.account_id = {account}
          AND m.joined <= {moment} AND (m.{q("left")} IS NULL OR {moment} < m.{q("left")})
    )"""


def _insert_sql(*, restricted: bool) -> str:
    """INSERT … SELECT of the reviews of the changes the ``%s`` list names (or of all).

    The GROUP BY gives each (change, patch set, label, account) its first and latest
    counted vote times; a group of one vote takes its value directly, the others look
    it up again by the (change, patch set) index, the later Vote id winning a tie on
    ``granted``. ``by_core`` is decided here too; ``disagreed_at`` needs the other rows
    of the patch set, so ``_set_disagreements`` fills it afterwards.
    """
    q = connection.ops.quote_name
    vote, change, review = Vote._meta.db_table, Change._meta.db_table, Review._meta.db_table
    repository = Repository._meta.db_table
    labels = ", ".join(f"'{label}'" for label in LABELS)
    wanted = (
        f"{{v}}.is_bot = %s AND {{v}}.removal = %s AND {{v}}.source = %s AND {{v}}.value <> 0"
        f" AND {{v}}.label IN ({labels})"
    )
    return f"""
    INSERT INTO {q(review)} (change_id, repository_id, patch_set, label, account_id,
                             owner_id, value, granted, first_granted, by_core)
    SELECT g.change_id, g.repository_id, g.patch_set, g.label, g.account_id, g.owner_id,
           CASE WHEN g.votes = 1 THEN g.only_value ELSE (
               SELECT w.value FROM {q(vote)} w
               WHERE w.change_id = g.change_id AND w.patch_set = g.patch_set
                 AND w.account_id = g.account_id AND w.label = g.label
                 AND w.granted = g.granted AND {wanted.format(v="w")}
               ORDER BY w.id DESC
               LIMIT 1
           ) END,
           g.granted, g.first_granted,
           {_core_at(team="g.team_id", account="g.account_id", moment="g.granted")}
    FROM (
        SELECT v.change_id, v.repository_id, p.team_id, v.patch_set, v.label, v.account_id,
               c.owner_id, MAX(v.granted) AS granted, MIN(v.granted) AS first_granted,
               COUNT(*) AS votes, MIN(v.value) AS only_value
        FROM {q(vote)} v
        JOIN {q(change)} c ON c.id = v.change_id
        JOIN {q(repository)} p ON p.id = v.repository_id
        WHERE {wanted.format(v="v")}
          AND v.account_id <> c.owner_id
          {"AND v.change_id IN ({ids})" if restricted else ""}
        GROUP BY v.change_id, v.repository_id, p.team_id, v.patch_set, v.label, v.account_id,
                 c.owner_id
    ) g
    """


def _wanted_params() -> list[object]:
    return [False, False, VoteSource.MESSAGE.value]


def _set_disagreements(scope: str, params: list[object]) -> None:
    """Recompute ``disagreed_at`` of the Code-Review rows ``scope`` (SQL on the review
    table, by its full name) selects, writing only the rows whose value changes.

    The earliest later opposite-sign Code-Review on the same patch set by a core (as of
    that vote: its ``by_core``) is one short range of the (change, patch set, label,
    granted…) index, which covers it.
    """
    q = connection.ops.quote_name
    r = q(Review._meta.db_table)
    earliest = f"""(
        SELECT MIN(k.granted) FROM {r} k
        WHERE k.change_id = {r}.change_id AND k.patch_set = {r}.patch_set
          AND k.label = '{CODE_REVIEW}' AND k.granted > {r}.granted AND k.by_core
          AND ((k.value < 0 AND {r}.value > 0) OR (k.value > 0 AND {r}.value < 0))
    )"""
    differs = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {r} SET disagreed_at = {earliest}
            WHERE {r}.label = '{CODE_REVIEW}' AND ({scope})
              AND {r}.disagreed_at {differs} {earliest}""",
            params,
        )


def insert_reviews(change_ids: Iterable[int] | None) -> None:
    """Insert the Review rows of ``change_ids`` (all changes if None) from their votes,
    with their flags (``by_core`` from the memberships as they stand).

    The caller has deleted their old rows (``store_changes`` deletes them with the other
    child rows of a page); ``rebuild_reviews`` does both.
    """
    r = connection.ops.quote_name(Review._meta.db_table)
    with connection.cursor() as cursor:
        if change_ids is None:
            cursor.execute(_insert_sql(restricted=False), _wanted_params() * 2)
            _set_disagreements("1 = 1", [])
            return
        ids = list(change_ids)
        sql = _insert_sql(restricted=True)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.replace("{ids}", marks), _wanted_params() * 2 + chunk)
            _set_disagreements(f"{r}.change_id IN ({marks})", chunk)


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


@transaction.atomic
def refresh_review_flags(*, team: Team, account_ids: Iterable[int] | None = None) -> None:
    """Bring ``by_core`` and ``disagreed_at`` of the team's reviews back in line with its
    ``CoreMembership`` rows: call it after any write to them.

    ``account_ids`` names the accounts whose stretches changed (None: the whole team);
    their reviews on the team's repositories get ``by_core`` again, by the (account…)
    index, then every change they reviewed gets its disagreements again (another
    reviewer's disagreement may hang on their ``by_core``), by the (change, patch set…)
    index, so the cost follows their reviews, not the team's. Only rows whose value
    changes are written, so a refresh that changes nothing costs reads only.
    """
    q = connection.ops.quote_name
    r = q(Review._meta.db_table)
    in_team = in_team_repositories_sql

    core = _core_at(team="%s", account=f"{r}.account_id", moment=f"{r}.granted")
    by_core = (
        f"UPDATE {r} SET by_core = {core} WHERE {in_team(r)} {{accounts}} AND by_core <> {core}"
    )
    if account_ids is None:
        with connection.cursor() as cursor:
            cursor.execute(by_core.format(accounts=""), [team.pk] * 3)
        _set_disagreements(in_team(r), [team.pk])
        return
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            accounts = f"AND {r}.account_id IN ({marks})"
            cursor.execute(by_core.format(accounts=accounts), [team.pk, team.pk, *chunk, team.pk])
        # A change's reviews are all in its repository, so the team test sits inside.
        reviewed = f"""{r}.change_id IN (
            SELECT a.change_id FROM {r} a
            WHERE a.account_id IN ({marks}) AND a.label = '{CODE_REVIEW}' AND {in_team("a")}
        )"""
        _set_disagreements(reviewed, [*chunk, team.pk])
