"""``change_open_rows`` also holds ``workflow``, ``cr_min`` and ``verified``, so the open-reviews
report reads a team's open changes from the index alone (partial: open changes only).
"""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('gerrit', '0016_review_clocks'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='change',
            name='change_open_rows',
        ),
        migrations.AddIndex(
            model_name='change',
            index=models.Index(condition=models.Q(('status', 'NEW')), fields=['status', 'repository', '-updated', '-number', 'server', 'owner', 'cr_values', 'verified_values', 'workflow_values', 'work_in_progress', 'mergeable', 'insertions', 'deletions', 'current_patch_set_created', 'created', 'branch', 'topic', 'workflow', 'cr_min', 'verified'], name='change_open_rows'),
        ),
    ]
