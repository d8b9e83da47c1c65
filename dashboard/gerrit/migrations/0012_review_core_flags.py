"""``Review.by_core`` and ``Review.disagreed_at``, filled by set-based UPDATEs, and the
indexes reviewer activity reads them by.

The indexes are dropped before the columns are added (SQLite copies the table to add a NOT
NULL column, and would rebuild them all), the (change, patch set) one is back before the
fill because the disagreement lookups read it, and the others are built last, once, on the
filled rows.
"""

from __future__ import annotations

from django.db import migrations, models


def fill_flags(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    from dashboard.gerrit.reviews import rebuild_reviews, refresh_review_flags

    review, vote = apps.get_model("gerrit", "Review"), apps.get_model("gerrit", "Vote")
    if vote.objects.exists() and not review.objects.exists():
        # A database migrated past 0006 before 0007 filled the table (0007 no longer does:
        # it would write these columns before they exist).
        rebuild_reviews(None)
        return
    for team in apps.get_model("gerrit", "Team").objects.all():
        refresh_review_flags(team=team)


class Migration(migrations.Migration):
    dependencies = [("gerrit", "0011_server_request_rate")]

    operations = [
        migrations.RemoveIndex(model_name="review", name="review_repo_granted"),
        migrations.RemoveIndex(model_name="review", name="review_change_ps"),
        migrations.RemoveIndex(model_name="review", name="review_account_granted"),
        migrations.AddField(
            model_name="review",
            name="by_core",
            field=models.BooleanField(
                default=False,
                help_text="The reviewer was in the repository's team's core group at ``granted``.",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="disagreed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Code-Review only: when a core first voted the other way on the patch set.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=["change", "patch_set", "label", "granted", "value", "account", "by_core"],
                name="review_change_ps",
            ),
        ),
        migrations.RunPython(fill_flags, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=[
                    "repository",
                    "granted",
                    "label",
                    "account",
                    "by_core",
                ],
                name="review_repo_granted",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=[
                    "account",
                    "label",
                    "granted",
                    "repository",
                    "value",
                    "by_core",
                    "disagreed_at",
                ],
                name="review_account_label",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=["owner", "label", "granted", "repository"], name="review_owner_label"
            ),
        ),
    ]
