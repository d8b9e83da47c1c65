"""The SQL behind reviewer activity and the core team: reading the stored reviews.

Kept apart from the selectors (``health.reviewers``, ``health.coreteam``) so both read a
window's reviews the same way; see ``health.reviewers`` for the definitions in words. The
definitions themselves are SQL in ``gerrit.reviews``, which stores one ``gerrit.Review``
row per review with core-as-of-the-vote (``by_core``) and the disagreement's time
(``disagreed_at``) on it, so this module only selects rows by window and counts them. Only
portable SQL (CTEs, GROUP BY, CASE, correlated subqueries), so SQLite and PostgreSQL give
the same rows.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import connection

from dashboard.gerrit.models import (
    Account,
    CoreMembership,
    Repository,
    Review,
    Team,
    in_team_repositories_sql,
)
from dashboard.health.window import Window

CODE_REVIEW = "Code-Review"
WORKFLOW = "Workflow"


def reviews_sql(*, one_repository: bool, current_core_only: bool = False) -> str:
    """The CTE ``reviews``: one row per review or +A in the window (who, which label, when).

    ``reviews`` reads the stored ``gerrit.Review`` rows (the sync derives them from the
    votes, see ``gerrit.reviews``) whose latest counted vote falls in the window, by the
    (repository, granted) index: a review is dated, and valued, by its latest vote, so a
    review voted in the window and changed after its end counts in the later window only.
    ``current_core_only`` keeps today's core members' reviews only (the core team page).

    Parameters: those of ``review_params``.
    """
    q = connection.ops.quote_name
    review = Review._meta.db_table
    member = CoreMembership._meta.db_table
    core_now = f"""AND r.account_id IN (
              SELECT account_id FROM {member} WHERE team_id = %s AND {q("left")} IS NULL)"""
    return f"""
    WITH reviews AS (
        SELECT r.account_id, r.label, r.granted
        FROM {review} r
        WHERE {in_team_repositories_sql("r")}
          {"AND r.repository_id = %s" if one_repository else ""}
          {core_now if current_core_only else ""}
          AND r.granted >= %s AND r.granted < %s
    )
    """


def _in_window(alias: str, *, one_repository: bool) -> str:
    """SQL: the review row ``alias`` is the team's (or the repository's) and its latest
    vote falls in the window. Parameters: those of ``review_params``."""
    return f"""{in_team_repositories_sql(alias)}
          {f"AND {alias}.repository_id = %s" if one_repository else ""}
          AND {alias}.granted >= %s AND {alias}.granted < %s"""


def reviewer_sql(*, one_repository: bool) -> str:
    """One row per reviewer of the window: the ``ReviewerRow`` figures, in its field order.

    Counts per reviewer and label (``per_label``), then one row per reviewer; ``by_core``
    and ``disagreed_at`` are stored on each review (``gerrit.reviews``), so every figure is
    a plain count. Cost follows the window, not the history. ``per_label`` has one form
    per vendor (same rows), see the comments. ``received`` is a range of the (owner,
    label, granted…) index per reviewer. Parameters: those of ``reviewer_params``.
    """
    q = connection.ops.quote_name
    account, review = Account._meta.db_table, Review._meta.db_table
    member = CoreMembership._meta.db_table
    cr = CODE_REVIEW
    scope = partial(_in_window, one_repository=one_repository)
    labels = f"'{cr}', '{WORKFLOW}'"
    if connection.vendor == "sqlite":
        # SQLite groups by sorting, and sorting the window's reviews was most of the query:
        # the window's reviewers come first (the IN list), then each one's reviews are a
        # range of the (account, label, granted…) index, seeked once per label (both labels
        # named), so the groups come out in order.
        key = "a.id"
        source = f"""FROM {account} a
        JOIN {review} r ON r.account_id = a.id AND r.label IN ({labels}) AND {scope("r")}
        WHERE a.id IN (SELECT w.account_id FROM {review} w WHERE {scope("w")})"""
    else:
        # PostgreSQL hashes the groups of one pass over the window; the form above makes it
        # probe the index once per review instead.
        key = "r.account_id"
        source = f"FROM {review} r WHERE r.label IN ({labels}) AND {scope('r')}"
    return f"""
    WITH per_label AS (
        SELECT {key} AS account_id, r.label, COUNT(*) AS n,
               COUNT(CASE WHEN r.value = -2 THEN 1 END) AS minus2,
               COUNT(CASE WHEN r.value = -1 THEN 1 END) AS minus1,
               COUNT(CASE WHEN r.value = 1 THEN 1 END) AS plus1,
               COUNT(CASE WHEN r.value = 2 THEN 1 END) AS plus2,
               COUNT(CASE WHEN r.disagreed_at < %s THEN 1 END) AS disagreements,
               COUNT(CASE WHEN r.by_core THEN 1 END) AS core_reviews
        {source}
        GROUP BY {key}, r.label
    ),
    per_reviewer AS (
        SELECT account_id,
               SUM(CASE WHEN label = '{cr}' THEN n ELSE 0 END) AS reviews,
               SUM(CASE WHEN label = '{cr}' THEN minus2 ELSE 0 END) AS minus2,
               SUM(CASE WHEN label = '{cr}' THEN minus1 ELSE 0 END) AS minus1,
               SUM(CASE WHEN label = '{cr}' THEN plus1 ELSE 0 END) AS plus1,
               SUM(CASE WHEN label = '{cr}' THEN plus2 ELSE 0 END) AS plus2,
               SUM(CASE WHEN label = '{WORKFLOW}' THEN plus1 ELSE 0 END) AS approvals,
               SUM(CASE WHEN label = '{cr}' THEN disagreements ELSE 0 END) AS disagreements,
               SUM(CASE WHEN label = '{cr}' THEN core_reviews ELSE 0 END) AS core_reviews
        FROM per_label
        GROUP BY account_id
    )
    SELECT p.account_id, a.username, a.name, p.reviews, p.minus2, p.minus1, p.plus1,
           p.plus2, p.approvals, p.disagreements,
           (SELECT COUNT(*) FROM {review} o
            WHERE o.owner_id = p.account_id AND o.label = '{cr}' AND {scope("o")}) AS received,
           CASE WHEN EXISTS (
               SELECT 1 FROM {member} m
               WHERE m.team_id = %s AND m.account_id = p.account_id
                 AND m.joined < %s AND (m.{q("left")} IS NULL OR m.{q("left")} >= %s)
           ) THEN 1 ELSE 0 END AS core,
           p.core_reviews
    FROM per_reviewer p
    JOIN {account} a ON a.id = p.account_id
    """


def reviewer_params(*, team: Team, repository: Repository | None, window: Window) -> list[Any]:
    """Parameters of ``reviewer_sql``, in the order its text uses them."""
    end = connection.ops.adapt_datetimefield_value(window.end)
    scope = review_params(team=team, repository=repository, window=window)
    per_label = [*scope, *scope] if connection.vendor == "sqlite" else scope
    return [end, *per_label, *scope, team.pk, end, end]


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
