"""The SQL behind reviewer activity and the core team: the shared definition of a review.

Kept apart from the selectors (``health.reviewers``, ``health.coreteam``) because it is the
one place where the definitions of a review, of core-as-of-the-vote and of a disagreement
are written down as SQL; see ``health.reviewers`` for them in words. Only portable SQL
(CTEs, GROUP BY, CASE, correlated subqueries), so SQLite and PostgreSQL give the same rows.
Reviews themselves are stored rows (``gerrit.Review``, defined in ``gerrit.reviews``), so
this module only selects them by window and aggregates.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from dashboard.gerrit.models import Account, CoreMembership, Repository, Review, Team
from dashboard.health.window import Window

CODE_REVIEW = "Code-Review"
WORKFLOW = "Workflow"


def reviews_sql(*, one_repository: bool, current_core_only: bool = False) -> str:
    """The CTEs ``reviews`` (one row per review or +A, with its latest value), ``core_votes``
    (the Code-Review reviews cast by a core member as of the vote) and ``refs`` (per patch
    set, the time of the latest core minus and of the latest core plus).

    ``reviews`` reads the stored ``gerrit.Review`` rows (the sync derives them from the
    votes, see ``gerrit.reviews``) whose latest counted vote falls in the window, by the
    (repository, granted) index: a review is dated, and valued, by its latest vote, so a
    review voted in the window and changed after its end counts in the later window only.
    ``current_core_only`` keeps today's core members' reviews only (the core team page).

    Parameters: those of ``review_params``.
    """
    q = connection.ops.quote_name
    review = Review._meta.db_table
    repo, member = Repository._meta.db_table, CoreMembership._meta.db_table
    core_now = f"""AND r.account_id IN (
              SELECT account_id FROM {member} WHERE team_id = %s AND {q("left")} IS NULL)"""
    return f"""
    WITH reviews AS (
        SELECT r.account_id, r.change_id, r.patch_set, r.label, r.owner_id, r.granted,
               r.value
        FROM {review} r
        WHERE r.repository_id IN (SELECT id FROM {repo} WHERE team_id = %s)
          {"AND r.repository_id = %s" if one_repository else ""}
          {core_now if current_core_only else ""}
          AND r.granted >= %s AND r.granted < %s
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
    return [
        team.pk,
        *([repository.pk] if repository else []),
        *([team.pk] if current_core_only else []),
        ops.adapt_datetimefield_value(window.start),
        ops.adapt_datetimefield_value(window.end),
        team.pk,
    ]
