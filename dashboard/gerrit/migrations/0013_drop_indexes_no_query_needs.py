"""Drop five indexes no query needs: every change insert paid for them.

Change's single-column server, repository and owner indexes each lead a composite index
already; ``message_date`` and ``patchset_created`` are read by no query. The three foreign
keys become ``db_index=False`` in the state only: on SQLite Django's AlterField would copy
the whole change table three times to drop an index (minutes on a large database), so the
database side drops the indexes by name, found by introspection, on both databases.
"""

import django.db.models.deletion
from django.db import migrations, models

UNINDEXED_FOREIGN_KEYS = ("owner_id", "repository_id", "server_id")


def _single_column_indexes(schema_editor, table: str) -> dict[str, str]:
    """Column -> name of the plain (non-unique) index on that column alone."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return {
        info["columns"][0]: name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and not info["primary_key"]
        and len(info["columns"]) == 1
    }


def drop_foreign_key_indexes(apps, schema_editor) -> None:
    change = apps.get_model("gerrit", "Change")
    table = change._meta.db_table
    indexes = _single_column_indexes(schema_editor, table)
    for column in UNINDEXED_FOREIGN_KEYS:
        if column in indexes:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(indexes[column])}")


def create_foreign_key_indexes(apps, schema_editor) -> None:
    change = apps.get_model("gerrit", "Change")
    for column in UNINDEXED_FOREIGN_KEYS:
        field = change._meta.get_field(column.removesuffix("_id"))
        schema_editor.execute(schema_editor._create_index_sql(change, fields=[field]))


def _foreign_key(to: str, related_name: str, on_delete) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False, on_delete=on_delete, related_name=related_name, to=to
    )


class Migration(migrations.Migration):

    dependencies = [
        ('gerrit', '0012_review_core_flags'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='message',
            name='message_date',
        ),
        migrations.RemoveIndex(
            model_name='patchset',
            name='patchset_created',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='change',
                    name='owner',
                    field=_foreign_key(
                        'gerrit.account', 'owned_changes', django.db.models.deletion.RESTRICT
                    ),
                ),
                migrations.AlterField(
                    model_name='change',
                    name='repository',
                    field=_foreign_key(
                        'gerrit.repository', 'changes', django.db.models.deletion.CASCADE
                    ),
                ),
                migrations.AlterField(
                    model_name='change',
                    name='server',
                    field=_foreign_key(
                        'gerrit.gerritserver', 'changes', django.db.models.deletion.CASCADE
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_foreign_key_indexes, create_foreign_key_indexes),
            ],
        ),
    ]
