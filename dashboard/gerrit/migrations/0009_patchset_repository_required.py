"""``PatchSet.repository`` required (0008 filled it), and the indexes the reviewer
activity totals and core-as-of-the-vote checks read."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gerrit", "0008_patchset_repository")]

    operations = [
        migrations.AlterField(
            model_name="patchset",
            name="repository",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="gerrit.repository",
            ),
        ),
        migrations.AddIndex(
            model_name="patchset",
            index=models.Index(
                fields=["repository", "created", "change"], name="patchset_repo_created"
            ),
        ),
        migrations.AddIndex(
            model_name="change",
            index=models.Index(fields=["repository", "created"], name="change_repo_created"),
        ),
        migrations.AddIndex(
            model_name="change",
            index=models.Index(
                fields=["repository", "status", "closed"], name="change_repo_closed"
            ),
        ),
        migrations.AddIndex(
            model_name="coremembership",
            index=models.Index(
                fields=["team", "account", "joined", "left"], name="coremembership_at"
            ),
        ),
    ]
