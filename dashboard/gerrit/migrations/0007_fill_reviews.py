"""Formerly filled ``gerrit.Review`` for databases synced before the table existed, with the
sync's own INSERT … SELECT. That statement now also writes columns added in 0011, so the
fill moved there (``0012_review_core_flags.fill_flags``); this step is kept so the
migration graph stays as every database recorded it."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gerrit", "0006_reviews")]

    operations = []
