"""``Change.clock_*``: when each open-reviews clock of an open change starts, filled for
the changes stored before (the store keeps them from now on; see gerrit.clocks).

Nullable columns without a default, so SQLite adds them in place instead of copying the
table; the fill is one UPDATE of the open changes.
"""

from __future__ import annotations

from django.db import migrations, models


def fill_clocks(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    from dashboard.gerrit.clocks import refresh_review_clocks

    refresh_review_clocks(None)


class Migration(migrations.Migration):

    dependencies = [
        ('gerrit', '0015_change_open_rows_by_repository'),
    ]

    operations = [
        migrations.AddField(
            model_name='change',
            name='clock_current',
            field=models.DateTimeField(blank=True, help_text='Date of the current patch set (open changes).', null=True),
        ),
        migrations.AddField(
            model_name='change',
            name='clock_first',
            field=models.DateTimeField(blank=True, help_text='Date of the first patch set (open changes).', null=True),
        ),
        migrations.AddField(
            model_name='change',
            name='clock_no_negative',
            field=models.DateTimeField(blank=True, help_text='Date of the oldest patch set since the last standing -1/-2 (open changes).', null=True),
        ),
        migrations.RunPython(fill_clocks, migrations.RunPython.noop, elidable=True),
    ]
