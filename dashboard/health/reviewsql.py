"""The SQL behind reviewer activity and the core team: the shared definition of a review.

Kept apart from the selectors (``health.reviewers``, ``health.coreteam``) because it is the
one place where the definitions of a review, of core-as-of-the-vote and of a disagreement
are written down as SQL; see ``health.reviewers`` for them in words. Only portable SQL
(CTEs, GROUP BY, CASE, correlated subqueries), so SQLite and PostgreSQL give the same rows.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from dashboard.gerrit.models import (
    Account,
    Change,
    CoreMembership,
    Repository,
    Team,
    Vote,
    VoteSource,
)
from dashboard.health.window import Window

CODE_REVIEW = "Code-Review"
WORKFLOW = "Workflow"


def reviews_sql(*, one_repository: bool, current_core_only: bool = False) -> str:
    """The CTEs ``reviews`` (one row per review or +A, with its latest value), ``core_votes``
    (the Code-Review reviews cast by a core member as of the vote) and ``refs`` (per patch
    set, the time of the latest core minus and of the latest core plus).

    The latest vote of each (reviewer, change, patch set, label) comes from a GROUP BY with
    MAX(granted); only the few groups with several votes look their value up again (by the
    (change, patch set) index, the later id winning a tie). On a 500,000-vote history this
    costs half of a ROW_NUMBER() window over every vote, and gives the same rows.
    ``current_core_only`` keeps today's core members' votes only (the core team page).

    Parameters: those of ``review_params``.
    """
    q = connection.ops.quote_name
    vote, change = Vote._meta.db_table, Change._meta.db_table
    repo, member = Repository._meta.db_table, CoreMembership._meta.db_table
    wanted = "v.is_bot = %s AND v.removal = %s AND v.source = %s AND v.value <> 0"
    core_now = f"""AND v.account_id IN (
              SELECT account_id FROM {member} WHERE team_id = %s AND {q("left")} IS NULL)"""
    return f"""
    WITH latest AS (
        SELECT v.account_id, v.change_id, v.patch_set, v.label, c.owner_id,
               COUNT(*) AS votes, MAX(v.granted) AS granted, MIN(v.value) AS only_value
        FROM {vote} v
        JOIN {change} c ON c.id = v.change_id
        WHERE v.repository_id IN (SELECT id FROM {repo} WHERE team_id = %s)
          {"AND v.repository_id = %s" if one_repository else ""}
          {core_now if current_core_only else ""}
          AND v.granted >= %s AND v.granted < %s
          AND v.label IN ('{CODE_REVIEW}', '{WORKFLOW}')
          AND {wanted}
          AND v.account_id <> c.owner_id
        GROUP BY v.account_id, v.change_id, v.patch_set, v.label, c.owner_id
    ),
    reviews AS (
        SELECT l.account_id, l.change_id, l.patch_set, l.label, l.owner_id, l.granted,
               CASE WHEN l.votes = 1 THEN l.only_value ELSE (
                   SELECT v.value FROM {vote} v
                   WHERE v.change_id = l.change_id AND v.patch_set = l.patch_set
                     AND v.account_id = l.account_id AND v.label = l.label
                     AND v.granted = l.granted AND {wanted}
                   ORDER BY v.id DESC
                   LIMIT 1
               ) END AS value
        FROM latest l
    ),
    core_votes AS (
        SELECT r.account_id, r.change_id, r.patch_set, r.value, r.granted
        FROM reviews r
        WHERE r.label = '{CODE_REVIEW}' AND EXISTS (
            SELECT 1 FROM {member} m
            WHERE m.team_id = %s AND m.account_id = r.account_id
              AND m.joined <= r.granted
              AND (m.{q("left")} IS NULL OR r.granted < m.{q("left")})
        )
    ),
    refs AS (
        SELECT k.change_id, k.patch_set,
               MAX(CASE WHEN k.value < 0 THEN k.granted END) AS core_minus_at,
               MAX(CASE WHEN k.value > 0 THEN k.granted END) AS core_plus_at
        FROM core_votes k
        GROUP BY k.change_id, k.patch_set
    )
    """


def reviewer_sql(*, one_repository: bool) -> str:
    q = connection.ops.quote_name
    account = Account._meta.db_table
    member = CoreMembership._meta.db_table
    cr = CODE_REVIEW
    return (
        reviews_sql(one_repository=one_repository)
        + f""",
    per_reviewer AS (
        SELECT r.account_id,
               SUM(CASE WHEN r.label = '{cr}' THEN 1 ELSE 0 END) AS reviews,
               SUM(CASE WHEN r.label = '{cr}' AND r.value = -2 THEN 1 ELSE 0 END) AS minus2,
               SUM(CASE WHEN r.label = '{cr}' AND r.value = -1 THEN 1 ELSE 0 END) AS minus1,
               SUM(CASE WHEN r.label = '{cr}' AND r.value = 1 THEN 1 ELSE 0 END) AS plus1,
               SUM(CASE WHEN r.label = '{cr}' AND r.value = 2 THEN 1 ELSE 0 END) AS plus2,
               SUM(CASE WHEN r.label = '{WORKFLOW}' AND r.value = 1 THEN 1 ELSE 0 END)
                   AS approvals,
               SUM(CASE WHEN r.label = '{cr}' AND (
                       (r.value > 0 AND r.granted < f.core_minus_at)
                       OR (r.value < 0 AND r.granted < f.core_plus_at)
                   ) THEN 1 ELSE 0 END) AS disagreements
        FROM reviews r
        LEFT JOIN refs f ON f.change_id = r.change_id AND f.patch_set = r.patch_set
        GROUP BY r.account_id
    ),
    core_counts AS (
        SELECT k.account_id, COUNT(*) AS core_reviews FROM core_votes k GROUP BY k.account_id
    ),
    received AS (
        SELECT r.owner_id AS account_id, COUNT(*) AS received
        FROM reviews r
        WHERE r.label = '{cr}'
        GROUP BY r.owner_id
    )
    SELECT p.account_id, a.username, a.name, p.reviews, p.minus2, p.minus1, p.plus1,
           p.plus2, p.approvals, p.disagreements, COALESCE(rc.received, 0),
           CASE WHEN EXISTS (
               SELECT 1 FROM {member} m
               WHERE m.team_id = %s AND m.account_id = p.account_id
                 AND m.joined < %s AND (m.{q("left")} IS NULL OR m.{q("left")} >= %s)
           ) THEN 1 ELSE 0 END AS core,
           COALESCE(cc.core_reviews, 0)
    FROM per_reviewer p
    JOIN {account} a ON a.id = p.account_id
    LEFT JOIN received rc ON rc.account_id = p.account_id
    LEFT JOIN core_counts cc ON cc.account_id = p.account_id
    """
    )


def review_params(
    *,
    team: Team,
    repository: Repository | None,
    window: Window,
    current_core_only: bool = False,
) -> list[Any]:
    """Parameters of ``reviews_sql`` (shared with the core team's queries)."""
    ops = connection.ops
    wanted = [False, False, VoteSource.MESSAGE.value]
    return [
        team.pk,
        *([repository.pk] if repository else []),
        *([team.pk] if current_core_only else []),
        ops.adapt_datetimefield_value(window.start),
        ops.adapt_datetimefield_value(window.end),
        *wanted,
        *wanted,
        team.pk,
    ]
