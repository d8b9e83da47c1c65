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
    """The CTE ``reviews``: one row per review or +A in the window, with its latest value.

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
    )
    """


def reviewer_sql(*, one_repository: bool) -> str:
    q = connection.ops.quote_name
    account, review = Account._meta.db_table, Review._meta.db_table
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
               SUM(CASE WHEN r.label = '{cr}' AND EXISTS (
                       SELECT 1 FROM {review} k
                       WHERE k.change_id = r.change_id AND k.patch_set = r.patch_set
                         AND k.label = '{cr}' AND k.granted > r.granted AND k.granted < %s
                         AND ((r.value > 0 AND k.value < 0) OR (r.value < 0 AND k.value > 0))
                         AND EXISTS (
                             SELECT 1 FROM {member} m
                             WHERE m.team_id = %s AND m.account_id = k.account_id
                               AND m.joined <= k.granted
                               AND (m.{q("left")} IS NULL OR k.granted < m.{q("left")})
                         )
                   ) THEN 1 ELSE 0 END) AS disagreements,
               SUM(CASE WHEN r.label = '{cr}' AND EXISTS (
                       SELECT 1 FROM {member} m
                       WHERE m.team_id = %s AND m.account_id = r.account_id
                         AND m.joined <= r.granted
                         AND (m.{q("left")} IS NULL OR r.granted < m.{q("left")})
                   ) THEN 1 ELSE 0 END) AS core_reviews
        FROM reviews r
        GROUP BY r.account_id
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
           p.core_reviews
    FROM per_reviewer p
    JOIN {account} a ON a.id = p.account_id
    LEFT JOIN received rc ON rc.account_id = p.account_id
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
    ]
