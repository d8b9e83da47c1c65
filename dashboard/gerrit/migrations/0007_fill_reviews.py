"""Fill ``gerrit.Review`` for databases synced before the table existed: one INSERT … SELECT
over every vote (the same statement the sync runs per page)."""

from __future__ import annotations

from django.db import migrations


def fill_reviews(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    from dashboard.gerrit.reviews import rebuild_reviews

    rebuild_reviews(None)


class Migration(migrations.Migration):
    dependencies = [("gerrit", "0006_reviews")]

    operations = [migrations.RunPython(fill_reviews, migrations.RunPython.noop, elidable=True)]
