"""``PatchSet.repository``, copied from the change: added nullable and filled here, made
required (with its index) in 0009, so PostgreSQL never alters a table with pending
foreign-key checks from the fill in the same transaction."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_repositories(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    change = apps.get_model("gerrit", "Change")
    patch_set = apps.get_model("gerrit", "PatchSet")
    repository = change.objects.filter(pk=OuterRef("change_id")).values("repository_id")[:1]
    patch_set.objects.update(repository_id=Subquery(repository))


class Migration(migrations.Migration):
    dependencies = [("gerrit", "0007_fill_reviews")]

    operations = [
        migrations.AddField(
            model_name="patchset",
            name="repository",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="gerrit.repository",
            ),
        ),
        migrations.RunPython(fill_repositories, migrations.RunPython.noop, elidable=True),
    ]
