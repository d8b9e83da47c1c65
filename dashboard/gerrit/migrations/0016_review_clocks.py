"""``ReviewClocks``: when each open-reviews clock of an open change starts, one row per
open change, filled for the changes stored before (the store keeps it from now on; see
gerrit.clocks).
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


def fill_clocks(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    from dashboard.gerrit.clocks import refresh_review_clocks

    refresh_review_clocks(None)


class Migration(migrations.Migration):

    dependencies = [
        ('gerrit', '0015_change_open_rows_by_repository'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewClocks',
            fields=[
                ('change', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='review_clocks', serialize=False, to='gerrit.change')),
                ('current', models.DateTimeField(help_text='Date of the current patch set.')),
                ('first', models.DateTimeField(help_text='Date of the first patch set.')),
                ('no_negative', models.DateTimeField(help_text='Date of the oldest patch set since the last standing -1/-2.')),
            ],
            options={
                'verbose_name_plural': 'review clocks',
            },
        ),
        migrations.RunPython(fill_clocks, migrations.RunPython.noop, elidable=True),
    ]
